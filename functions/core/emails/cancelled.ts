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
 * Why onramp itself cancelled an onboarding: it stayed paused past `resumeBy`, the last moment a
 * resume could still end its run within the execution's year; `pausedAt`, since when.
 */
export interface PausedTooLong {
  pausedAt?: string | undefined;
  resumeBy: string;
}

/**
 * The onboarding was cancelled: both sides hear it once, with how far it got, so nobody keeps
 * waiting for a batch or a check-in that will not come. The partner's reply goes to the owner.
 * When onramp cancelled it because a pause lasted too long (`pausedTooLong`), the email says so:
 * nobody on either side asked for it.
 */
export function cancelledEmails(
  plan: Plan,
  weeks: readonly WeekRecord[],
  cancelledAt: string,
  pausedTooLong?: PausedTooLong,
): EmailMessage[] {
  const owner = ownerOf(plan);
  const partner = partnerOf(plan);
  return [
    cancelledEmail(plan, weeks, cancelledAt, owner, partner.name, pausedTooLong),
    {
      ...cancelledEmail(plan, weeks, cancelledAt, partner, owner.name, pausedTooLong),
      replyTo: [plan.owner.email],
    },
  ];
}

function cancelledEmail(
  plan: Plan,
  weeks: readonly WeekRecord[],
  cancelledAt: string,
  recipient: Recipient,
  otherSide: string,
  pausedTooLong: PausedTooLong | undefined,
): EmailMessage {
  const subject = pausedTooLong ? `Cancelled after a long pause: ${plan.title}` : `Cancelled: ${plan.title}`;
  const when = (instant: string) => formatDateTime(instant, recipient.timeZone);
  const handedOver = handedOverTaskIds(weeks).size;
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
        text: `the onboarding "${plan.title}" between ${plan.owner.name} and ${plan.partner.name} was cancelled on ${when(cancelledAt)}. ${progress}`,
      },
      ...(pausedTooLong
        ? [
            {
              type: 'paragraph' as const,
              text:
                `It had been paused${pausedTooLong.pausedAt ? ` since ${when(pausedTooLong.pausedAt)}` : ''} and was not resumed by ` +
                `${when(pausedTooLong.resumeBy)}, the last moment it could be: an onboarding runs for at most a year, ` +
                'and after that the rest of its plan, with the extra weeks it allows, could no longer fit in it.',
            },
          ]
        : []),
      {
        type: 'paragraph',
        text:
          'No further work will be released and no more check-ins will be sent for it. ' +
          `For the work in progress, please talk to ${otherSide} directly.` +
          (pausedTooLong && recipient.role === 'owner'
            ? ' To carry on, start a new onboarding with the work that is left.'
            : ''),
      },
    ]),
  };
}
