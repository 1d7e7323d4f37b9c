import { formatDateTime } from '../calendar.ts';
import type { Side } from '../communication-health.ts';
import type { WeekRecord } from '../onboarding.ts';
import type { Plan } from '../plan.ts';
import { type Block, renderBlocks } from './blocks.ts';
import { type EmailMessage, ownerOf, partnerOf } from './message.ts';
import { type RatingLink, ratingBlocks } from './weekly.ts';

/**
 * The one reminder to each side that has not answered the week's check-in when its feedback
 * window closed: the same question and the same five one-click ratings, and until when an answer
 * still counts (the end of the grace period, when the week is decided).
 */
export function reminderEmails(
  plan: Plan,
  week: WeekRecord,
  silent: readonly Side[],
  ratingLink: RatingLink,
): EmailMessage[] {
  return silent.map((role) => {
    const recipient = { ...(role === 'owner' ? ownerOf(plan) : partnerOf(plan)), role };
    const otherSide = role === 'owner' ? plan.partner.name : plan.owner.name;
    const subject = `Reminder, check-in week ${week.week}: ${plan.title}`;
    const due = formatDateTime(week.feedbackDueAt, recipient.timeZone);
    const blocks: Block[] = [
      { type: 'paragraph', text: `Hello ${recipient.name},` },
      {
        type: 'paragraph',
        text:
          `we have not heard from you about week ${week.week} with ${otherSide} yet. ` +
          `Your answer still counts until ${due}, when the week is decided; without it the stage cannot move on.`,
      },
      ...ratingBlocks(week, recipient, otherSide, ratingLink),
      {
        type: 'paragraph',
        text: 'This is the only reminder for this week. The links answer in your name: please do not forward this email.',
      },
    ];
    return {
      kind: 'reminder' as const,
      week: week.week,
      role,
      to: recipient.to,
      subject,
      ...renderBlocks(subject, blocks),
    };
  });
}
