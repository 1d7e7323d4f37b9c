import { formatDate, formatDateTime } from '../calendar.ts';
import type { Side } from '../communication-health.ts';
import type { GateDecision } from '../gate.ts';
import { choiceEffects, OWNER_CHOICES, type OwnerChoice } from '../owner-decision.ts';
import type { Plan } from '../plan.ts';
import { type Block, renderBlocks } from './blocks.ts';
import { decideByReplyBlock } from './decision-reply.ts';
import { type EmailMessage, ownerOf } from './message.ts';

/** The owner's question: a signed link per choice (the caller signs; this module only renders). */
export interface DecisionAsk {
  links: Record<OwnerChoice, string>;
  /** Until when the owner can decide; then the stage holds by default. */
  dueAt: string;
  /** The owner was asked the week before and did not decide: this one says so. */
  reminder: boolean;
  /** The owner's signed reply address for this question (core/reply-address.ts), when replies are read. */
  replyTo?: string;
  /**
   * The sides that did not answer the week's check-in, even after their reminder, each with their
   * latest answer of any week (null: never answered).
   */
  silent?: ReadonlyArray<{ role: Side; lastHeardAt: string | null }>;
}

/**
 * The gate asks the owner: what went wrong, the three choices (each a link to a page that
 * confirms before anything happens), and what happens if they do not decide in time.
 */
export function escalationEmail(
  plan: Plan,
  week: number,
  decision: GateDecision,
  ask: DecisionAsk,
): EmailMessage {
  const owner = ownerOf(plan);
  const subject = `${ask.reminder ? 'Reminder, your' : 'Your'} attention, week ${week}: ${plan.title}`;
  const effects = choiceEffects(plan, decision);
  const due = formatDateTime(ask.dueAt, owner.timeZone);
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${owner.name},` },
    {
      type: 'paragraph',
      text: `the onboarding of ${plan.partner.name} needs your decision. At the end of week ${week} the weekly check: ${decision.reason}.`,
    },
    ...silenceBlocks(plan, week, ask.silent ?? [], owner.timeZone),
    ...(ask.reminder
      ? [
          {
            type: 'paragraph' as const,
            text: 'You were asked last week too, and no decision came in time, so the stage held. This is your reminder.',
          },
        ]
      : []),
    {
      type: 'paragraph',
      text: `Until you decide, next week's batch waits. Choose one (each link opens a page that asks you to confirm):`,
    },
    {
      type: 'list',
      items: OWNER_CHOICES.map((choice) => ({
        title: effects[choice].label,
        details: [effects[choice].effect],
      })),
    },
    ...OWNER_CHOICES.map(
      (choice): Block => ({ type: 'link', text: effects[choice].label, href: ask.links[choice] }),
    ),
    ...(ask.replyTo ? [decideByReplyBlock(OWNER_CHOICES)] : []),
    {
      type: 'paragraph',
      text:
        `If you have not decided by ${due}, the stage holds one more week with the work already released, ` +
        `and you are asked again if the next week is no better. Talk to ${plan.partner.name} meanwhile. ` +
        `${ask.replyTo ? 'The links and a reply decide' : 'The links decide'} in your name: please do not forward this email.`,
    },
  ];
  return {
    kind: 'escalation',
    week,
    role: 'owner',
    to: owner.to,
    ...(ask.replyTo ? { replyTo: [ask.replyTo] } : {}),
    subject,
    ...renderBlocks(subject, blocks),
  };
}

/**
 * The partner stayed silent through the week's reminder and grace period, and the gate did not ask
 * the owner (it held, or stepped back): the owner hears it now, with who went quiet and since when,
 * rather than at the next check-in. When the gate asks the owner, the escalation says the same.
 */
export function silenceEmail(
  plan: Plan,
  week: number,
  decision: { reason: string },
  silent: ReadonlyArray<{ role: Side; lastHeardAt: string | null }>,
): EmailMessage {
  const owner = ownerOf(plan);
  const subject = `No answer from ${plan.partner.name}, week ${week}: ${plan.title}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${owner.name},` },
    {
      type: 'paragraph',
      text: `${plan.partner.name} did not answer the check-in of week ${week}, even after a reminder.`,
    },
    ...silenceBlocks(plan, week, silent, owner.timeZone),
    { type: 'paragraph', text: `The weekly check decided: ${decision.reason}.` },
    {
      type: 'paragraph',
      text: `Silence is a signal: talk to ${plan.partner.name} before the next check-in. You will be asked to decide if it goes on.`,
    },
  ];
  return { kind: 'silence', week, role: 'owner', to: owner.to, subject, ...renderBlocks(subject, blocks) };
}

/** Who went quiet: each silent side by name, and since when (their latest answer, or never). */
function silenceBlocks(
  plan: Plan,
  week: number,
  silent: ReadonlyArray<{ role: Side; lastHeardAt: string | null }>,
  timeZone: string,
): Block[] {
  if (silent.length === 0) return [];
  const items = silent.map(({ role, lastHeardAt }) => {
    const who = role === 'owner' ? `You (${plan.owner.name})` : `${plan.partner.name} (the partner)`;
    const since = lastHeardAt
      ? `last answered on ${formatDate(lastHeardAt, timeZone)}`
      : 'never answered a check-in';
    return { title: `${who}: no answer to week ${week}, even after a reminder; ${since}.` };
  });
  return [
    { type: 'paragraph', text: 'Who went quiet:' },
    { type: 'list', items },
  ];
}
