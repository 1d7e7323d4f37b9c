import { formatDateTime } from '../calendar.ts';
import type { Plan } from '../plan.ts';
import type { ReplyRole } from '../reply-address.ts';
import { type Block, renderBlocks } from './blocks.ts';
import type { EmailMessage } from './message.ts';

/**
 * The answer to a reply to a check-in: recorded (what was read from it), or not (why, and how to
 * answer so that it counts). Sent to the address the reply came from, with the same signed
 * Reply-To, so that answering again changes the answer.
 */
export interface FeedbackReplyContext {
  plan: Plan;
  week: { week: number; feedbackDueAt: string };
  role: ReplyRole;
  /** The sender of the reply: one of the side's own addresses. */
  to: string;
  /** The reply address the reply was sent to. */
  replyAddress: string;
}

/** Why a reply from the right person was not recorded. */
export type NotRecordedReason =
  | { reason: 'no-rating' }
  | { reason: 'rating-out-of-range'; given: number }
  | { reason: 'week-closed' }
  | { reason: 'onboarding-ended' };

export function feedbackRecordedReply(
  context: FeedbackReplyContext,
  answer: { rating: number; comment?: string },
): EmailMessage {
  const subject = `Recorded: your answer for week ${context.week.week} of ${context.plan.title}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${nameOf(context)},` },
    {
      type: 'paragraph',
      text: `thank you: your answer to the week ${context.week.week} check-in is recorded, ${answer.rating} of 5.`,
    },
    ...(answer.comment
      ? [
          { type: 'paragraph' as const, text: 'Your comment, as we read it:' },
          { type: 'paragraph' as const, text: answer.comment },
        ]
      : []),
    {
      type: 'paragraph',
      text: `Until ${dueAt(context)} you can reply again to change it; the latest answer counts.`,
    },
  ];
  return message(context, subject, blocks);
}

export function feedbackNotRecordedReply(
  context: FeedbackReplyContext,
  why: NotRecordedReason,
): EmailMessage {
  const subject = `Not recorded: your answer for week ${context.week.week} of ${context.plan.title}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${nameOf(context)},` },
    { type: 'paragraph', text: explanation(context, why) },
  ];
  return message(context, subject, blocks);
}

function explanation(context: FeedbackReplyContext, why: NotRecordedReason): string {
  const howTo =
    'Reply with a rating from 1 to 5 at the start of your message (for example "4/5", "4 out of 5" or ' +
    '"Rating: 4"), and anything you want to add below it.';
  switch (why.reason) {
    case 'no-rating':
      return `we could not find a rating in your reply, so nothing was recorded. ${howTo}`;
    case 'rating-out-of-range':
      return `your reply rates the week ${why.given}, but ratings go from 1 to 5, so nothing was recorded. ${howTo}`;
    case 'week-closed':
      return `the week ${context.week.week} check-in closed on ${dueAt(context)} and its outcome is decided, so your answer could not count. Next week's check-in asks again.`;
    case 'onboarding-ended':
      return `the onboarding "${context.plan.title}" has ended, so answers are no longer recorded.`;
  }
}

function nameOf({ plan, role }: FeedbackReplyContext): string {
  return role === 'owner' ? plan.owner.name : plan.partner.name;
}

function dueAt({ plan, role, week }: FeedbackReplyContext): string {
  return formatDateTime(week.feedbackDueAt, role === 'owner' ? plan.owner.timeZone : plan.partner.timeZone);
}

function message(context: FeedbackReplyContext, subject: string, blocks: Block[]): EmailMessage {
  return {
    kind: 'inbound-reply',
    week: context.week.week,
    role: context.role,
    to: [context.to],
    replyTo: [context.replyAddress],
    subject,
    ...renderBlocks(subject, blocks),
  };
}
