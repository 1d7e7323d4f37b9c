import { formatDateTime } from '../calendar.ts';
import type { WeekRecord } from '../onboarding.ts';
import type { Plan } from '../plan.ts';
import { type Block, renderBlocks } from './blocks.ts';
import { type EmailMessage, ownerOf, partnerOf, quantity, type Recipient, taskItem } from './message.ts';

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
 * The link a check-in's reader answers through, one per email (the caller signs it; this module
 * only renders). The partner's email goes to all the partner's addresses at once, so its link is
 * the partner's, signed for the first address.
 */
export type FeedbackLink = (recipient: Recipient & { role: 'owner' | 'partner' }) => string;

/**
 * The weekly check-in, to each side: the meeting, this week's batch, and how it went, with a link
 * to answer. No Reply-To to the other side: an owner's candid rating must not land in the
 * partner's inbox.
 */
export function checkinEmails(plan: Plan, week: WeekRecord, feedbackLink: FeedbackLink): EmailMessage[] {
  return [
    checkinEmail(plan, week, { ...ownerOf(plan), role: 'owner' }, plan.partner.name, feedbackLink),
    checkinEmail(plan, week, { ...partnerOf(plan), role: 'partner' }, plan.owner.name, feedbackLink),
  ];
}

function checkinEmail(
  plan: Plan,
  week: WeekRecord,
  recipient: Recipient & { role: 'owner' | 'partner' },
  otherSide: string,
  feedbackLink: FeedbackLink,
): EmailMessage {
  const subject = `Check-in, week ${week.week}: ${plan.title}`;
  const scale = ratingQuestion(recipient.role, otherSide);
  const question = `${scale.question}, from 1 (${scale.low}) to 5 (${scale.high})${
    recipient.role === 'owner' ? ', and is any task unfinished?' : '?'
  }`;
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${recipient.name},` },
    {
      type: 'paragraph',
      text: `your weekly check-in with ${otherSide} is on ${formatDateTime(week.checkinAt, recipient.timeZone)}.`,
    },
    ...batchBlocks(plan, week, recipient),
    { type: 'heading', text: 'How did it go?' },
    { type: 'paragraph', text: question },
    { type: 'link', text: 'Tell us how the week went', href: feedbackLink(recipient) },
    {
      type: 'paragraph',
      text:
        `Your answer decides next week's volume, on ${formatDateTime(week.feedbackDueAt, recipient.timeZone)}; ` +
        'until then you can open the link again to change it. The link answers in your name: please do not forward this email.',
    },
  ];
  return {
    kind: 'checkin',
    week: week.week,
    role: recipient.role,
    to: recipient.to,
    subject,
    ...renderBlocks(subject, blocks),
  };
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
