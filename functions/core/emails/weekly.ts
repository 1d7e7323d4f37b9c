import { formatDateTime } from '../calendar.ts';
import { checkinInvite } from '../calendar-invite.ts';
import { type CommunicationHealth, daysAgo } from '../communication-health.ts';
import { type WeekRecord, workedTaskIds } from '../onboarding.ts';
import type { Plan } from '../plan.ts';
import { type Block, renderBlocks } from './blocks.ts';
import {
  type EmailAttachment,
  type EmailMessage,
  ownerOf,
  partnerOf,
  quantity,
  type Recipient,
  taskItem,
} from './message.ts';

/**
 * The partner's batch for the week: last week's decision, what is new, what is carried over or
 * continues, and how it fits the cap.
 */
export function batchEmail(plan: Plan, week: WeekRecord, lastWeekDecision?: string): EmailMessage {
  const partner = partnerOf(plan);
  const subject = `Week ${week.week}, your tasks: ${plan.title}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${partner.name},` },
    ...(lastWeekDecision
      ? [{ type: 'paragraph' as const, text: `Last week's check-in: ${lastWeekDecision}.` }]
      : []),
    ...batchBlocks(plan, week, partner),
    {
      type: 'paragraph',
      text: `We check in on ${formatDateTime(week.checkinAt, partner.timeZone)}. Reply to this email with any question.`,
    },
  ];
  return {
    kind: 'batch',
    week: week.week,
    role: 'partner',
    to: partner.to,
    replyTo: [plan.owner.email],
    subject,
    ...renderBlocks(subject, blocks),
  };
}

/** What each side rates at a check-in, and what the ends of its 1–5 scale mean. */
export function ratingQuestion(
  role: 'owner' | 'partner',
  otherSide: string,
): { question: string; low: string; high: string } {
  return role === 'owner'
    ? { question: `How good was the work ${otherSide} delivered this week`, low: 'poor', high: 'excellent' }
    : { question: 'How clear and manageable was this week', low: 'too much or unclear', high: 'just right' };
}

/**
 * The signed link that answers a check-in with `rating` (1–5), one per rating and recipient (the
 * caller signs it; this module only renders). The partner's email goes to all the partner's
 * addresses at once, so its links are the partner's, signed for the first address.
 */
export type RatingLink = (recipient: Recipient & { role: 'owner' | 'partner' }, rating: number) => string;

/** What a check-in needs beyond the plan and the week. */
export interface CheckinOptions {
  ratingLink: RatingLink;
  /** onramp's sending address: the organizer of the calendar event. */
  sender: string;
  /** When the emails are made, an ISO instant (the calendar event's timestamp). */
  now: string;
  /** The communication health as of now: the owner's email says when the partner was last heard from. */
  health?: CommunicationHealth;
  /**
   * What last week's check-in decided, in words: the partner read it in this week's batch, and the
   * owner reads it here, so both sides are told the outcome and its reason.
   */
  lastWeekDecision?: string;
}

/**
 * The weekly check-in, to each side: the meeting (in their own time zone, with the calendar event
 * attached), this week's batch, and how it went, as five one-click ratings. No Reply-To to the
 * other side: an owner's candid rating must not land in the partner's inbox.
 */
export function checkinEmails(plan: Plan, week: WeekRecord, options: CheckinOptions): EmailMessage[] {
  const invite = checkinInvite({
    onboardingId: plan.id,
    week: week.week,
    summary: `Check-in, week ${week.week}: ${plan.title}`,
    description:
      `The weekly check-in of ${plan.owner.name} and ${plan.partner.name} for "${plan.title}": ` +
      `how week ${week.week} went, and the week ahead.`,
    startsAt: week.checkinAt,
    organizer: options.sender,
    stamp: options.now,
  });
  return [
    checkinEmail(
      plan,
      week,
      { ...ownerOf(plan), role: 'owner' },
      plan.partner.name,
      options.ratingLink,
      invite,
      options.health,
      options.lastWeekDecision,
    ),
    checkinEmail(
      plan,
      week,
      { ...partnerOf(plan), role: 'partner' },
      plan.owner.name,
      options.ratingLink,
      invite,
    ),
  ];
}

function checkinEmail(
  plan: Plan,
  week: WeekRecord,
  recipient: Recipient & { role: 'owner' | 'partner' },
  otherSide: string,
  ratingLink: RatingLink,
  invite: EmailAttachment,
  health?: CommunicationHealth,
  lastWeekDecision?: string,
): EmailMessage {
  const subject = `Check-in, week ${week.week}: ${plan.title}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${recipient.name},` },
    {
      type: 'paragraph',
      text:
        `your weekly check-in with ${otherSide} is on ${formatDateTime(week.checkinAt, recipient.timeZone)}. ` +
        `The calendar event is attached (${invite.filename}): open it to add the meeting to your calendar.`,
    },
    ...(recipient.role === 'owner' && lastWeekDecision
      ? [{ type: 'paragraph' as const, text: `Last week's check-in: ${lastWeekDecision}.` }]
      : []),
    ...(recipient.role === 'owner' && health ? partnerHealthBlocks(health) : []),
    ...batchBlocks(plan, week, recipient),
    { type: 'heading', text: 'How did it go?' },
    ...ratingBlocks(week, recipient, otherSide, ratingLink),
    {
      type: 'paragraph',
      text:
        (week.remindAt ? `Please answer by ${formatDateTime(week.remindAt, recipient.timeZone)}. ` : '') +
        `Your answer decides next week's volume, on ${formatDateTime(week.feedbackDueAt, recipient.timeZone)}; ` +
        'until then you can choose again to change it. The links answer in your name: please do not forward this email.',
    },
  ];
  return {
    kind: 'checkin',
    week: week.week,
    role: recipient.role,
    to: recipient.to,
    subject,
    ...renderBlocks(subject, blocks),
    attachments: [invite],
  };
}

/**
 * The week's question and its five one-click ratings (1–5), each a signed link to a confirm page:
 * in the check-in, and again in the reminder to a side that has not answered.
 */
export function ratingBlocks(
  week: WeekRecord,
  recipient: Recipient & { role: 'owner' | 'partner' },
  otherSide: string,
  ratingLink: RatingLink,
): Block[] {
  const scale = ratingQuestion(recipient.role, otherSide);
  return [
    { type: 'paragraph', text: `${scale.question}, from 1 (${scale.low}) to 5 (${scale.high})?` },
    {
      type: 'paragraph',
      text:
        'Choose a rating: its page asks for an optional comment' +
        (recipient.role === 'owner' && workedTaskIds(week).length > 0
          ? ' and which tasks are unfinished'
          : '') +
        ', and records your answer when you confirm.',
    },
    {
      type: 'choices',
      choices: [1, 2, 3, 4, 5].map((rating) => ({
        text: String(rating),
        label: `Rate ${rating} of 5${rating === 1 ? ` (${scale.low})` : rating === 5 ? ` (${scale.high})` : ''}`,
        href: ratingLink(recipient, rating),
      })),
      note: `1 = ${scale.low}, 5 = ${scale.high}`,
    },
  ];
}

/** For the owner: when the partner was last heard from, and whether that is beyond the plan's limit. */
function partnerHealthBlocks(health: CommunicationHealth): Block[] {
  const { lastHeardAt, silentDays, atRisk } = health.partner;
  if (silentDays === null) return [];
  const heard = lastHeardAt === null ? `not yet, asked first ${daysAgo(silentDays)}` : daysAgo(silentDays);
  const risk = atRisk ? ` (at risk: the plan allows ${health.limitDays} days)` : '';
  return [{ type: 'paragraph', text: `Last heard from the partner: ${heard}${risk}.` }];
}

function batchBlocks(plan: Plan, week: WeekRecord, recipient: Recipient): Block[] {
  const unit = plan.effortUnit;
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const released = week.tasks.map((r) => byId.get(r.taskId)).filter((t) => t !== undefined);
  const blocks: Block[] = [
    {
      type: 'heading',
      text: `Week ${week.week}: stage ${week.stage + 1} at ${week.percent}% of full volume`,
    },
    {
      type: 'paragraph',
      text: `This week's work is ${quantity(week.volume, unit)} of a ${quantity(week.cap, unit)} cap.`,
    },
  ];
  if (released.length > 0) {
    blocks.push(
      { type: 'paragraph', text: 'New this week:' },
      { type: 'list', items: released.map((t) => taskItem(t, unit)) },
    );
  } else if (!week.releasesNew) {
    blocks.push({
      type: 'paragraph',
      text: 'No new tasks this week: the stage holds, to finish and settle what is already handed over.',
    });
  } else {
    blocks.push({ type: 'paragraph', text: 'No new tasks this week: everything ready is handed over.' });
  }
  if (week.carriedTaskIds.length > 0) {
    blocks.push(
      {
        type: 'paragraph',
        text: `Carried over from last week, to finish first (${quantity(week.carriedVolume, unit)}):`,
      },
      {
        type: 'list',
        items: week.carriedTaskIds
          .map((id) => byId.get(id))
          .filter((t) => t !== undefined)
          .map((t) => taskItem(t, unit)),
      },
    );
  }
  if (week.continuingTaskIds.length > 0) {
    const names = week.continuingTaskIds.map((id) => byId.get(id)?.title ?? id);
    blocks.push({
      type: 'paragraph',
      text: `Continuing weekly work (${quantity(week.recurringVolume, unit)}): ${names.join(', ')}.`,
    });
  }
  if (week.oversizeTaskId) {
    const task = byId.get(week.oversizeTaskId);
    blocks.push({
      type: 'paragraph',
      text:
        `"${task?.title ?? week.oversizeTaskId}" ${
          (task?.effort ?? 0) > week.cap
            ? "is larger than this stage's whole cap"
            : 'cannot fit beside the weekly recurring work, even at full volume'
        }, so it is released alone this week ` +
        `and ${recipient.role === 'partner' ? 'you get' : 'the partner gets'} nothing else new.`,
    });
  }
  return blocks;
}
