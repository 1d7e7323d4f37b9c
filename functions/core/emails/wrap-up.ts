import { formatDate } from '../calendar.ts';
import type { Feedback } from '../feedback.ts';
import type { WeekRecord } from '../onboarding.ts';
import type { Plan } from '../plan.ts';
import { tasksByPriority } from '../ramp.ts';
import { type Block, renderBlocks } from './blocks.ts';
import { type EmailMessage, handedOverTaskIds, ownerOf, quantity } from './message.ts';

/**
 * The owner's summary at the end: volume and ratings week by week, as a small chart, and what
 * was not handed over (never released, or left unfinished in the last week).
 */
export function summaryEmail(
  plan: Plan,
  weeks: readonly WeekRecord[],
  feedback: readonly Feedback[] = [],
): EmailMessage {
  const owner = ownerOf(plan);
  const unit = plan.effortUnit;
  const handedOver = handedOverTaskIds(weeks);
  const unfinishedIds = new Set(weeks.at(-1)?.unfinishedTaskIds ?? []);
  // Unfinished as the owner ticked it, or, when the owner did not answer the last week, not
  // confirmed done (the gate carries a silent week's work).
  const lastWeekAnswered = feedback.some((f) => f.week === weeks.at(-1)?.week && f.role === 'owner');
  const unfinishedLabel = lastWeekAnswered ? 'released, left unfinished' : 'released, not confirmed done';
  const notHandedOver = tasksByPriority(plan.tasks).filter((t) => !handedOver.has(t.id));
  const max = Math.max(plan.ramp.targetWeeklyVolume, ...weeks.map((w) => w.volume));
  const rating = (week: number, role: Feedback['role']) => {
    const answer = feedback.find((f) => f.week === week && f.role === role);
    return answer ? `${answer.rating}/5` : 'no answer';
  };
  const subject = `Summary: ${plan.title}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${owner.name},` },
    {
      type: 'paragraph',
      text:
        `the phased onboarding of ${plan.partner.name} is complete after ${weeks.length} week${weeks.length === 1 ? '' : 's'}: ` +
        `${plan.tasks.length - notHandedOver.length} of ${plan.tasks.length} tasks are handed over.`,
    },
    { type: 'heading', text: 'Volume and ratings week by week' },
    {
      type: 'bars',
      unit,
      rows: weeks.map((w) => ({
        label: `Week ${w.week} (${formatDate(w.releasedAt, owner.timeZone)})`,
        value: w.volume,
        max,
        note: `of ${quantity(w.cap, unit)} cap at ${w.percent}%; you ${rating(w.week, 'owner')}, partner ${rating(w.week, 'partner')}`,
      })),
    },
  ];
  if (notHandedOver.length > 0) {
    blocks.push(
      { type: 'heading', text: 'Not handed over' },
      {
        type: 'list',
        items: notHandedOver.map((t) => ({
          title: `P${t.priority} · ${t.title}${unfinishedIds.has(t.id) ? ` (${unfinishedLabel})` : ''}`,
        })),
      },
    );
  }
  return {
    kind: 'summary',
    week: weeks.length,
    role: 'owner',
    to: owner.to,
    subject,
    ...renderBlocks(subject, blocks),
  };
}
