import { formatDateTime } from '../calendar.ts';
import type { WeekRecord } from '../onboarding.ts';
import type { Plan } from '../plan.ts';
import { renderBlocks } from './blocks.ts';
import { type EmailMessage, ownerOf, partnerOf, quantity, type Recipient } from './message.ts';

/**
 * The onboarding was cancelled: both sides hear it once, with how far it got, so nobody keeps
 * waiting for a batch or a check-in that will not come. The partner's reply goes to the owner.
 */
export function cancelledEmails(
  plan: Plan,
  weeks: readonly WeekRecord[],
  cancelledAt: string,
): EmailMessage[] {
  const owner = ownerOf(plan);
  const partner = partnerOf(plan);
  return [
    cancelledEmail(plan, weeks, cancelledAt, owner, partner.name),
    { ...cancelledEmail(plan, weeks, cancelledAt, partner, owner.name), replyTo: [plan.owner.email] },
  ];
}

function cancelledEmail(
  plan: Plan,
  weeks: readonly WeekRecord[],
  cancelledAt: string,
  recipient: Recipient,
  otherSide: string,
): EmailMessage {
  const subject = `Cancelled: ${plan.title}`;
  const handedOver = new Set(weeks.flatMap((w) => w.tasks.map((t) => t.taskId))).size;
  const progress =
    weeks.length === 0
      ? 'It was cancelled before any work was handed over.'
      : `It ran for ${quantity(weeks.length, 'weeks')}; ${handedOver} of ${quantity(plan.tasks.length, 'tasks')} had been handed over.`;
  return {
    kind: 'cancelled',
    week: 0,
    role: recipient.role,
    to: recipient.to,
    subject,
    ...renderBlocks(subject, [
      { type: 'paragraph', text: `Hello ${recipient.name},` },
      {
        type: 'paragraph',
        text: `the onboarding "${plan.title}" between ${plan.owner.name} and ${plan.partner.name} was cancelled on ${formatDateTime(cancelledAt, recipient.timeZone)}. ${progress}`,
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
