import { formatDateTime } from '../calendar.ts';
import { OWNER_CHOICES, type OwnerChoice } from '../owner-decision.ts';
import type { DecisionQuestion, DecisionRefusal } from '../pages/decision.ts';
import type { DecisionNotRead } from '../reply-parsing.ts';
import { type Block, renderBlocks } from './blocks.ts';
import type { EmailMessage } from './message.ts';

/**
 * The answer to the owner's reply to a question (the weekly escalation, or the due diligence's
 * before the kickoff): decided (what, for which onboarding and week, and what happens now), or
 * not (why, and how to decide). Sent to the owner's address the reply came from, with the same
 * signed Reply-To, so that a reply that was not understood can simply be answered again.
 */
export interface DecisionReplyContext {
  onboardingId: string;
  question: DecisionQuestion;
  /** The sender of the reply: the owner's address. */
  to: string;
  /** The reply address the reply was sent to. */
  replyAddress: string;
}

/** Why a reply from the owner decided nothing: what was read from it, or the state of the question. */
export type DecisionNotRecorded =
  | DecisionNotRead
  | (Extract<DecisionRefusal, { reason: 'settled' }> & { choice?: OwnerChoice })
  | Extract<DecisionRefusal, { reason: 'too-late' | 'ended' }>;

/**
 * The paragraph of a question's email that offers answering by reply, for the choices it offers.
 * A reply decides at once (there is no page to confirm on), hence the word on a line of its own.
 */
export function decideByReplyBlock(choices: readonly OwnerChoice[]): Block {
  return {
    type: 'paragraph',
    text: `Or reply to this email with one word on the first line: ${decisionWords(choices)}. A reply decides at once, without a page to confirm, and you get an answer saying what was recorded.`,
  };
}

/** The one-word answers a question takes, as the emails write them: "CONTINUE, EXTEND or ABORT". */
export function decisionWords(choices: readonly OwnerChoice[]): string {
  const words = choices.map((choice) => choice.toUpperCase());
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

export function decisionRecordedReply(context: DecisionReplyContext, choice: OwnerChoice): EmailMessage {
  const { question } = context;
  const { label, effect } = effectOf(question, choice);
  const subject = `Decided: ${label}, ${question.about} of ${question.planTitle}`;
  const at = formatDateTime(question.request.decidedAt ?? question.request.askedAt, question.timeZone);
  return message(context, subject, [
    { type: 'paragraph', text: `Hello ${question.ownerName},` },
    {
      type: 'paragraph',
      text: `your reply is recorded as your decision ${question.about} of “${question.planTitle}” (onboarding ${context.onboardingId}), on ${at}: ${label}.`,
    },
    { type: 'paragraph', text: effect },
    {
      type: 'paragraph',
      text: 'A decision is final: the links of the email, and any later reply, now show this one.',
    },
  ]);
}

export function decisionNotRecordedReply(
  context: DecisionReplyContext,
  why: DecisionNotRecorded,
): EmailMessage {
  const { question } = context;
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${question.ownerName},` },
    { type: 'paragraph', text: explanation(question, why) },
  ];
  if (
    why.reason === 'empty' ||
    why.reason === 'unclear' ||
    why.reason === 'ambiguous' ||
    why.reason === 'not-offered'
  ) {
    blocks.push(...howToDecide(question));
  } else if (why.reason === 'settled' && question.request.choice) {
    blocks.push({ type: 'paragraph', text: effectOf(question, question.request.choice).effect });
  }
  return message(context, subjectOf(question, why), blocks);
}

function subjectOf(question: DecisionQuestion, why: DecisionNotRecorded): string {
  const about = `${question.about} of ${question.planTitle}`;
  const decided = question.request.state === 'decided' ? question.request.choice : undefined;
  switch (why.reason) {
    case 'settled':
      return decided
        ? `Already decided: ${effectOf(question, decided).label}, ${about}`
        : `Too late to decide: ${about}`;
    case 'too-late':
      return `Too late to decide: ${about}`;
    case 'ended':
      return `Nothing decided: ${question.planTitle} has ended`;
    default:
      return `Nothing decided: your reply ${about}`;
  }
}

function explanation(question: DecisionQuestion, why: DecisionNotRecorded): string {
  const { request, timeZone } = question;
  const words = decisionWords(offered(question));
  const nothing = 'so nothing was decided';
  switch (why.reason) {
    case 'empty':
      return `we found nothing written above the quoted email, ${nothing}.`;
    case 'unclear':
      return `we read “${why.read}”, which is not a plain ${words}, ${nothing}.`;
    case 'ambiguous':
      return `we read “${why.read}”, which names ${decisionWords(why.named).replace(/ or /, ' and ')}: only one choice can be made, ${nothing}.`;
    case 'not-offered':
      return `we read ${why.choice.toUpperCase()}, but the decision ${question.about} offers only ${words}, ${nothing}.`;
    case 'settled': {
      const decided = request.state === 'decided' ? request.choice : undefined;
      if (!decided) {
        return `no decision ${question.about} of “${question.planTitle}” came by ${formatDateTime(request.timedOutAt ?? request.dueAt, timeZone)}, so ${question.byDefault.did}. Your reply came after that, and nothing was recorded.`;
      }
      const who = request.decidedBy ? ` by ${request.decidedBy}` : '';
      const when = formatDateTime(request.decidedAt ?? request.askedAt, timeZone);
      const label = effectOf(question, decided).label;
      return why.choice === decided
        ? `the decision ${question.about} of “${question.planTitle}” was already made on ${when}${who}: ${label}, as your reply asks. Nothing more to do.`
        : `the decision ${question.about} of “${question.planTitle}” was already made on ${when}${who}: ${label}. The first decision stands; your reply changed nothing.`;
    }
    case 'too-late':
      return `the time to decide ${question.about} of “${question.planTitle}” ended on ${formatDateTime(request.dueAt, timeZone)}, and without a decision ${question.byDefault.will}. Your reply came after that, and nothing was recorded.`;
    case 'ended':
      return `the onboarding “${question.planTitle}” has ended (${why.status}), so it takes no decision any more. Nothing was recorded.`;
  }
}

/** How to answer so that it counts: the word on the first line, the choices, and the deadline. */
function howToDecide(question: DecisionQuestion): Block[] {
  const choices = offered(question);
  return [
    {
      type: 'paragraph',
      text: `To decide, reply with one word on the first line: ${decisionWords(choices)} (in any letter case; a comment may follow after a dash, or below a blank line, naming no other choice). Or use the links in the email.`,
    },
    {
      type: 'list',
      items: choices.map((choice) => {
        const { label, effect } = effectOf(question, choice);
        return { title: `${choice.toUpperCase()}: ${label}`, details: [effect] };
      }),
    },
    {
      type: 'paragraph',
      text: `Without a decision by ${formatDateTime(question.request.dueAt, question.timeZone)}, ${question.byDefault.will}.`,
    },
  ];
}

/** The choices the question offers, in the order the emails list them. */
function offered(question: Pick<DecisionQuestion, 'effects'>): OwnerChoice[] {
  return OWNER_CHOICES.filter((choice) => question.effects[choice]);
}

function effectOf(question: Pick<DecisionQuestion, 'effects'>, choice: OwnerChoice) {
  const effect = question.effects[choice];
  if (!effect) throw new Error(`The question offers no choice "${choice}"`);
  return effect;
}

function message(context: DecisionReplyContext, subject: string, blocks: Block[]): EmailMessage {
  return {
    kind: 'inbound-reply',
    week: context.question.week,
    role: 'owner',
    to: [context.to],
    replyTo: [context.replyAddress],
    subject,
    ...renderBlocks(subject, blocks),
  };
}
