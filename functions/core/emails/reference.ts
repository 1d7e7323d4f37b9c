import { formatDateTime } from '../calendar.ts';
import {
  QUESTION_LABELS,
  questionText,
  REFERENCE_QUESTIONS,
  type ReferenceQuestion,
} from '../due-diligence.ts';
import type { ReferenceRole } from '../onboarding.ts';
import type { Plan } from '../plan.ts';
import { type Block, renderBlocks } from './blocks.ts';
import type { EmailMessage } from './message.ts';

/** The signed links of one reference's email (the caller signs; this module only renders). */
export interface ReferenceLinks {
  /** The form with nothing chosen yet. */
  form: string;
  /** One link per question and score: `scores[question][rating - 1]`. */
  scores: Record<ReferenceQuestion, string[]>;
}

export interface ReferenceAsk {
  /** The reference's place in the plan's list, from 1. */
  reference: number;
  links: ReferenceLinks;
  /** Until when answers count. */
  dueAt: string;
  /** The one reminder, to a reference who has not answered yet. */
  reminder: boolean;
}

export const referenceRole = (reference: number): ReferenceRole => `reference-${reference}`;

/**
 * The question to a reference: how working with the partner went, three one-click scores (each
 * opens a form with the score chosen, where the others and a comment can be added), and until
 * when. Dates in the owner's time zone: a reference's own is not known.
 */
export function referenceEmail(plan: Plan, ask: ReferenceAsk): EmailMessage {
  const reference = plan.references[ask.reference - 1];
  if (!reference) throw new Error(`The plan has no reference ${ask.reference}`);
  const { partner, owner } = plan;
  const subject = `${ask.reminder ? 'Reminder: ' : ''}${owner.name} asks about ${partner.name}`;
  const due = formatDateTime(ask.dueAt, owner.timeZone);
  const blocks: Block[] = [
    { type: 'paragraph', text: `Hello ${reference.name},` },
    {
      type: 'paragraph',
      text: ask.reminder
        ? `a few days ago ${owner.name} asked for your view of ${partner.name}, and it would still help. It takes a minute.`
        : `${owner.name} is about to hand work to ${partner.name} and named you as someone who has worked with them. Would you share how that went? It takes a minute.`,
    },
    ...REFERENCE_QUESTIONS.flatMap((question): Block[] => [
      { type: 'paragraph', text: `${QUESTION_LABELS[question]}: ${questionText(question, partner.name)}` },
      {
        type: 'choices',
        choices: ask.links.scores[question].map((href, i) => ({
          text: String(i + 1),
          label: `${QUESTION_LABELS[question]} ${i + 1} of 5`,
          href,
        })),
        note: '1 is poor, 5 is excellent.',
      },
    ]),
    { type: 'link', text: 'Answer all three, with a comment', href: ask.links.form },
    {
      type: 'paragraph',
      text:
        `Each link opens a short form with your score filled in; nothing is recorded until you send it. ` +
        `Answers count until ${due}. Your answer goes to ${owner.name} only, not to ${partner.name}. ` +
        'The links answer in your name: please do not forward this email.',
    },
  ];
  return {
    kind: ask.reminder ? 'reference-reminder' : 'reference',
    week: 0,
    role: referenceRole(ask.reference),
    to: [reference.email],
    replyTo: [owner.email],
    subject,
    ...renderBlocks(subject, blocks),
  };
}
