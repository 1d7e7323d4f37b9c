import { formatDate, formatDateTime } from '../calendar.ts';
import { type PlanIssue, problemCount } from '../errors.ts';
import type { PlanText } from '../inbound-plan.ts';
import { oneLine } from '../plain-text.ts';
import type { Plan } from '../plan.ts';
import { stageCap, stagePercentages } from '../ramp.ts';
import { weekSchedule } from '../schedule.ts';
import { type Block, renderBlocks } from './blocks.ts';
import { type EmailMessage, quantity } from './message.ts';

/** Who the reply goes to, and where a corrected plan can be sent. */
export interface ReplyAddresses {
  /** The sender of the plan: an allow-listed address. */
  to: string;
  /** The inbound address, so that answering the reply sends a plan again. */
  inboundAddress: string;
}

/**
 * The answer to a plan that started an onboarding (or found it started already): its id, the
 * ramp, and when work starts and the first check-in is, in the owner's time zone.
 */
export function startedReply(
  { to, inboundAddress }: ReplyAddresses,
  started: { onboardingId: string; created: boolean; plan: Plan; source: PlanText; warnings: PlanIssue[] },
): EmailMessage {
  const { plan, onboardingId } = started;
  const tz = plan.owner.timeZone;
  const week1 = weekSchedule(plan, 1);
  const unit = plan.effortUnit;
  const percentages = stagePercentages(plan.ramp);
  const subject = `${started.created ? 'Started' : 'Already started'}: ${plan.title}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: 'Hello,' },
    {
      type: 'paragraph',
      text: started.created
        ? `the onboarding "${plan.title}" is started from the plan ${describe(started.source)}. ` +
          `${plan.owner.name} and ${plan.partner.name} get the kickoff email with the whole plan now.`
        : `the onboarding "${plan.title}" was started before, from the same plan; nothing new was started.`,
    },
    {
      type: 'table',
      head: ['Onboarding', onboardingId],
      rows: [
        ['Owner', `${plan.owner.name} (${tz})`],
        ['Partner', plan.partner.name],
        ['Work starts', formatDate(week1.releaseAt, tz)],
        ['First check-in', formatDateTime(week1.checkinAt, tz)],
      ],
    },
    { type: 'heading', text: 'The ramp' },
    {
      type: 'paragraph',
      text:
        `${percentages.map((p) => `${p}%`).join(' → ')} of ${quantity(plan.ramp.targetWeeklyVolume, unit)} a week. ` +
        'Each stage lasts at least a week and moves on when the week before went well.',
    },
    {
      type: 'table',
      head: ['Stage', 'Share of full volume', 'Weekly cap'],
      rows: percentages.map((p, i) => [`${i + 1}`, `${p}%`, quantity(stageCap(plan.ramp, i, unit), unit)]),
    },
  ];
  if (started.warnings.length > 0) {
    blocks.push(
      { type: 'heading', text: 'Worth a look' },
      { type: 'list', items: started.warnings.map(issueItem) },
    );
  }
  blocks.push({
    type: 'paragraph',
    text: `Keep the onboarding id, ${onboardingId}: it names this onboarding wherever it is shown.`,
  });
  return message(to, inboundAddress, subject, blocks);
}

/**
 * The answer to an email that started nothing: every problem with its place in the plan, and how
 * to send a plan that works.
 */
export function refusedReply(
  { to, inboundAddress }: ReplyAddresses,
  refused: { subject: string; problems: PlanIssue[]; source?: PlanText },
): EmailMessage {
  const count = problemCount(refused.problems);
  const about = oneLine(refused.subject).slice(0, 100) || 'your plan';
  const subject = `Not started: ${about}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: 'Hello,' },
    {
      type: 'paragraph',
      text:
        `nothing was started from your email "${about}"` +
        (refused.source ? `: the plan ${describe(refused.source)} has ` : ' because of ') +
        `${count === 1 ? 'this problem' : `these ${count} problems`}.`,
    },
    { type: 'list', items: refused.problems.map(issueItem) },
    {
      type: 'paragraph',
      text:
        `Fix ${count === 1 ? 'it' : 'them'} and send the plan again to ${inboundAddress}, as an attachment ` +
        '(.yaml, .yml or .json) or as the whole text of the email.',
    },
  ];
  return message(to, inboundAddress, subject, blocks);
}

function describe(source: PlanText): string {
  return source.from === 'attachment' ? `in the attachment ${source.filename}` : 'in the body of your email';
}

function issueItem(issue: PlanIssue): { title: string; details?: string[] } {
  return issue.path ? { title: issue.path, details: [issue.message] } : { title: issue.message };
}

function message(to: string, inboundAddress: string, subject: string, blocks: Block[]): EmailMessage {
  return {
    kind: 'inbound-reply',
    week: 0,
    role: 'owner',
    to: [to],
    replyTo: [inboundAddress],
    subject,
    ...renderBlocks(subject, blocks),
  };
}
