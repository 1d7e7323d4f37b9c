import { formatDate } from '../calendar.ts';
import type { WeekRecord } from '../onboarding.ts';
import type { Plan } from '../plan.ts';
import { type Block, renderBlocks } from './blocks.ts';
import { type EmailMessage, ownerOf, quantity } from './message.ts';

/** The owner's summary at the end: volume week by week against the cap, as a small chart. */
export function summaryEmail(plan: Plan, weeks: readonly WeekRecord[]): EmailMessage {
  const owner = ownerOf(plan);
  const unit = plan.effortUnit;
  const releasedIds = new Set(weeks.flatMap((w) => w.tasks.map((t) => t.taskId)));
  const unreleased = plan.tasks.filter((t) => !releasedIds.has(t.id));
  const max = Math.max(plan.ramp.targetWeeklyVolume, ...weeks.map((w) => w.volume));
  const subject = `Summary: ${plan.title}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${owner.name},` },
    {
      type: 'paragraph',
      text:
        `the phased onboarding of ${plan.partner.name} is complete after ${weeks.length} week${weeks.length === 1 ? '' : 's'}: ` +
        `${releasedIds.size} of ${plan.tasks.length} tasks are handed over.`,
    },
    { type: 'heading', text: 'Volume week by week' },
    {
      type: 'bars',
      unit,
      rows: weeks.map((w) => ({
        label: `Week ${w.week} (${formatDate(w.releasedAt, owner.timeZone)})`,
        value: w.volume,
        max,
        note: `of ${quantity(w.cap, unit)} cap, stage ${w.stage + 1} at ${w.percent}%`,
      })),
    },
  ];
  if (unreleased.length > 0) {
    blocks.push(
      { type: 'heading', text: 'Not handed over' },
      { type: 'list', items: unreleased.map((t) => ({ title: `P${t.priority} · ${t.title}` })) },
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
