import { formatDateTime } from '../calendar.ts';
import {
  DUE_DILIGENCE_CHOICES,
  type DueDiligenceVerdict,
  dueDiligenceChoiceEffects,
  isIndependent,
  REFERENCE_QUESTIONS,
  type ReferenceAnswer,
} from '../due-diligence.ts';
import type { Plan } from '../plan.ts';
import { type Block, renderBlocks } from './blocks.ts';
import { decideByReplyBlock } from './decision-reply.ts';
import { type EmailMessage, ownerOf } from './message.ts';

/**
 * The due diligence asks the owner before the kickoff: why (too few independent answers, or a
 * weak average), every reference's answer (flagged ones marked), and the two choices, each a
 * link to a page that confirms first. Sent as the owner's question of week 0.
 */
export function dueDiligenceEmail(
  plan: Plan,
  verdict: DueDiligenceVerdict,
  answers: readonly ReferenceAnswer[],
  ask: {
    links: Record<(typeof DUE_DILIGENCE_CHOICES)[number], string>;
    dueAt: string;
    /** The owner's signed reply address for this question, when replies are read. */
    replyTo?: string;
  },
): EmailMessage {
  const owner = ownerOf(plan);
  const subject = `Your decision before the kickoff: ${plan.title}`;
  const effects = dueDiligenceChoiceEffects(plan);
  const rows = plan.references.map((reference, i) => {
    const answer = answers.find((a) => a.reference === i + 1);
    const who = `${reference.name}${reference.company ? `, ${reference.company}` : ''}`;
    const flag = isIndependent(reference.email, plan) ? '' : " (partner's own domain: not counted)";
    if (!answer) return [`${who}${flag}`, 'no answer', '', '', ''];
    return [
      `${who}${flag}`,
      ...REFERENCE_QUESTIONS.map((q) => String(answer.scores[q])),
      answer.comment ?? '',
    ];
  });
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${owner.name},` },
    {
      type: 'paragraph',
      text: `before any work goes to ${plan.partner.name}, the references you listed were asked about them: ${verdict.reason}. The kickoff waits for your decision.`,
    },
    { type: 'table', head: ['Reference', 'Reliability', 'Quality', 'Communication', 'Comment'], rows },
    {
      type: 'list',
      items: DUE_DILIGENCE_CHOICES.map((choice) => ({
        title: effects[choice].label,
        details: [effects[choice].effect],
      })),
    },
    ...DUE_DILIGENCE_CHOICES.map(
      (choice): Block => ({ type: 'link', text: effects[choice].label, href: ask.links[choice] }),
    ),
    ...(ask.replyTo ? [decideByReplyBlock(DUE_DILIGENCE_CHOICES)] : []),
    {
      type: 'paragraph',
      text:
        `If you have not decided by ${formatDateTime(ask.dueAt, owner.timeZone)}, the onboarding does not start. ` +
        `${ask.replyTo ? 'The links and a reply decide' : 'The links decide'} in your name: please do not forward this email.`,
    },
  ];
  return {
    kind: 'escalation',
    week: 0,
    role: 'owner',
    to: owner.to,
    ...(ask.replyTo ? { replyTo: [ask.replyTo] } : {}),
    subject,
    ...renderBlocks(subject, blocks),
  };
}

/** The owner decided not to start (or did not decide in time): the owner hears it; the partner had no kickoff yet. */
export function notStartedEmail(plan: Plan, reason: string, at: string): EmailMessage {
  const owner = ownerOf(plan);
  const subject = `Not started: ${plan.title}`;
  return {
    kind: 'aborted',
    week: 0,
    role: 'owner',
    to: owner.to,
    subject,
    ...renderBlocks(subject, [
      { type: 'paragraph', text: `Hello ${owner.name},` },
      {
        type: 'paragraph',
        text: `the onboarding "${plan.title}" with ${plan.partner.name} does not start (${formatDateTime(at, owner.timeZone)}): ${reason}. No kickoff was sent and no work was released.`,
      },
    ]),
  };
}
