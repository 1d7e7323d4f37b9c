import { formatDateTime } from '../calendar.ts';
import type { WeekRecord } from '../onboarding.ts';
import type { Plan } from '../plan.ts';
import { renderBlocks } from './blocks.ts';
import {
  type EmailMessage,
  handedOverTaskIds,
  ownerOf,
  partnerOf,
  quantity,
  type Recipient,
} from './message.ts';

/**
 * The owner aborted the onboarding when the weekly check asked them: both sides hear it once,
 * with the week it stopped after and how far it got. The partner's reply goes to the owner.
 */
export function abortedEmails(
  plan: Plan,
  weeks: readonly WeekRecord[],
  week: number,
  abortedAt: string,
): EmailMessage[] {
  const owner = ownerOf(plan);
  const partner = partnerOf(plan);
  return [
    abortedEmail(plan, weeks, week, abortedAt, owner, partner.name),
    { ...abortedEmail(plan, weeks, week, abortedAt, partner, owner.name), replyTo: [plan.owner.email] },
  ];
}

function abortedEmail(
  plan: Plan,
  weeks: readonly WeekRecord[],
  week: number,
  abortedAt: string,
  recipient: Recipient,
  otherSide: string,
): EmailMessage {
  const subject = `Stopped after week ${week}: ${plan.title}`;
  const handedOver = handedOverTaskIds(weeks).size;
  const who = recipient.role === 'owner' ? 'You' : plan.owner.name;
  return {
    kind: 'aborted',
    week,
    role: recipient.role,
    to: recipient.to,
    subject,
    ...renderBlocks(subject, [
      { type: 'paragraph', text: `Hello ${recipient.name},` },
      {
        type: 'paragraph',
        text: `${who} decided on ${formatDateTime(abortedAt, recipient.timeZone)} to stop the onboarding "${plan.title}" between ${plan.owner.name} and ${plan.partner.name}, after week ${week}'s check. It ran for ${quantity(weeks.length, 'weeks')}; ${handedOver} of ${quantity(plan.tasks.length, 'tasks')} had been handed over.`,
      },
      {
        type: 'paragraph',
        text:
          'No further work will be released and no more check-ins will be sent for it. ' +
          `For the work in progress, please talk to ${otherSide} directly.`,
      },
    ]),
  };
}
