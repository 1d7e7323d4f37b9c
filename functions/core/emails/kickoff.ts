import { formatDate, formatDateTime } from '../calendar.ts';
import type { Plan } from '../plan.ts';
import { stageCap, stagePercentages, tasksByPriority } from '../ramp.ts';
import { checkinCalendar, type WeekSchedule } from '../schedule.ts';
import { type Block, renderBlocks } from './blocks.ts';
import { type EmailMessage, ownerOf, partnerOf, quantity, type Recipient, taskItem } from './message.ts';

/** The plan, sent to both sides at kickoff: tasks by priority, the ramp, the dated check-ins. */
export function kickoffEmails(plan: Plan): EmailMessage[] {
  const owner = ownerOf(plan);
  const partner = partnerOf(plan);
  const calendar = checkinCalendar(plan);
  return [
    kickoffEmail(plan, calendar, owner, partner.name, [partner.to[0]!]),
    kickoffEmail(plan, calendar, partner, plan.owner.name, [plan.owner.email]),
  ];
}

function kickoffEmail(
  plan: Plan,
  calendar: WeekSchedule[],
  recipient: Recipient,
  otherSide: string,
  replyTo: string[],
): EmailMessage {
  const unit = plan.effortUnit;
  const percentages = stagePercentages(plan.ramp);
  const subject = `Kickoff: ${plan.title}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${recipient.name},` },
    {
      type: 'paragraph',
      text:
        `this is the plan for "${plan.title}" between ${plan.owner.name} and ${plan.partner.name}. ` +
        `Work starts on ${formatDate(calendar[0]!.releaseAt, recipient.timeZone)} and is handed over in stages, ` +
        `so that ${recipient.role === 'partner' ? 'you have' : `${otherSide} has`} time to learn it well.`,
    },
    { type: 'heading', text: 'The tasks, highest priority first' },
    { type: 'list', items: tasksByPriority(plan.tasks).map((t) => taskItem(t, unit)) },
    { type: 'heading', text: 'The ramp' },
    {
      type: 'paragraph',
      text: `Full volume is ${quantity(plan.ramp.targetWeeklyVolume, unit)} a week. Each stage lasts at least a week and moves on when the previous week went well.`,
    },
    {
      type: 'table',
      head: ['Stage', 'Share of full volume', 'Weekly cap'],
      rows: percentages.map((p, i) => [`${i + 1}`, `${p}%`, quantity(stageCap(plan.ramp, i, unit), unit)]),
    },
    { type: 'heading', text: 'Weekly check-ins' },
    {
      type: 'paragraph',
      text: `Every week, at the check-in's time, both sides get a check-in email with a calendar invitation and one-click ratings. Times are shown in ${recipient.timeZone}.`,
    },
    {
      type: 'table',
      head: ['Week', 'Check-in'],
      rows: calendar.map((w) => [`${w.week}`, formatDateTime(w.checkinAt, recipient.timeZone)]),
    },
  ];
  return {
    kind: 'kickoff',
    week: 0,
    role: recipient.role,
    to: recipient.to,
    replyTo,
    subject,
    ...renderBlocks(subject, blocks),
  };
}
