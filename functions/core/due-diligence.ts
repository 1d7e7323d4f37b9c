import { Temporal } from 'temporal-polyfill';
import { addBusinessDays } from './calendar.ts';
import {
  CHOICE_LABELS,
  type DecisionRequest,
  OWNER_CHOICES,
  type OwnerAnswer,
  type OwnerChoice,
} from './owner-decision.ts';
import type { Plan } from './plan.ts';

/**
 * Due diligence before any work is released: the references the owner lists (other business
 * owners) are each asked about the partner (reliability, quality, communication, 1 to 5 each, and
 * a comment) until a deadline, reminded once, then scored. A reference at the partner's own
 * domain is flagged (not independent) and does not count. Too few independent answers, or a weak
 * average, asks the owner to decide before the kickoff.
 */

/** The three questions each reference answers, in the order the email asks them. */
export const REFERENCE_QUESTIONS = ['reliability', 'quality', 'communication'] as const;
export type ReferenceQuestion = (typeof REFERENCE_QUESTIONS)[number];

/** How each question is put to a reference (with the partner's name). */
export function questionText(question: ReferenceQuestion, partnerName: string): string {
  return {
    reliability: `How reliable was ${partnerName}: did they deliver what they promised, when they promised it?`,
    quality: `How good was ${partnerName}'s work: did it meet your standards without rework?`,
    communication: `How well did ${partnerName} communicate: clear, timely, raising problems early?`,
  }[question];
}

export const QUESTION_LABELS: Readonly<Record<ReferenceQuestion, string>> = {
  reliability: 'Reliability',
  quality: 'Quality',
  communication: 'Communication',
};

export function isReferenceQuestion(value: unknown): value is ReferenceQuestion {
  return (REFERENCE_QUESTIONS as readonly unknown[]).includes(value);
}

/** The settings of plans that do not say (also those stored before it was a plan field). */
export const DUE_DILIGENCE_DEFAULTS: Readonly<Required<NonNullable<Plan['dueDiligence']>>> = {
  minIndependentAnswers: 2,
  minAverage: 3.5,
  answerDays: 5,
  reminderAfterDays: 3,
};

export type DueDiligenceSettings = typeof DUE_DILIGENCE_DEFAULTS;

export function dueDiligenceSettings(plan: Pick<Plan, 'dueDiligence'>): DueDiligenceSettings {
  return { ...DUE_DILIGENCE_DEFAULTS, ...plan.dueDiligence };
}

/** Scores 1 to 5 for each question. */
export type ReferenceScores = Record<ReferenceQuestion, number>;

/**
 * One reference's answer, as kept on its `REFERENCE#<n>` item (n: the reference's place in the
 * plan, from 1). A later answer replaces it; the earlier ones stay in `history`.
 */
export interface ReferenceAnswer {
  reference: number;
  scores: ReferenceScores;
  comment?: string;
  at: string;
  /** False for a reference at the partner's own domain: kept, shown, never counted. */
  independent: boolean;
}

/**
 * Mail providers anyone can use: a partner writing from one has no domain of its own, so sharing
 * it says nothing about a reference (two Gmail users are not the same company).
 */
const PUBLIC_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'web.de',
  'zoho.com',
  'yandex.com',
  'mail.com',
]);

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** The partner's own domains: of its addresses (public mail providers aside), and its `domain`. */
export function partnerDomains(plan: Pick<Plan, 'partner'>): string[] {
  const domains = plan.partner.emails.map(domainOf).filter((d) => !PUBLIC_MAIL_DOMAINS.has(d));
  if (plan.partner.domain) domains.push(plan.partner.domain.toLowerCase());
  return [...new Set(domains)];
}

/**
 * Whether a reference speaks independently of the partner: not at one of the partner's domains
 * or a subdomain of one (`uk.ledgerly.example` is Ledgerly too).
 */
export function isIndependent(referenceEmail: string, plan: Pick<Plan, 'partner'>): boolean {
  const domain = domainOf(referenceEmail);
  return !partnerDomains(plan).some((own) => domain === own || domain.endsWith(`.${own}`));
}

/** The due diligence's dates, as ISO instants: the reminder first, then the deadline. */
export interface DueDiligenceTimes {
  askedAt: string;
  remindAt: string;
  dueAt: string;
}

/**
 * When the silent are reminded and when answers stop counting: `reminderAfterDays` and
 * `answerDays` business days after the references were asked, at the same time of day, in the
 * owner's time zone; never after week 1's release (the plan's start), so work never waits on a
 * reference. Validation makes a plan with references start late enough for the full time.
 */
export function dueDiligenceTimes(
  plan: Pick<Plan, 'owner' | 'dueDiligence'>,
  askedAt: string,
  releaseAt: string,
): DueDiligenceTimes {
  const { answerDays, reminderAfterDays } = dueDiligenceSettings(plan);
  const tz = plan.owner.timeZone;
  const asked = Temporal.Instant.from(askedAt).toZonedDateTimeISO(tz);
  const after = (days: number) => {
    const date = addBusinessDays(asked.toPlainDate(), days);
    const at = asked.with({ year: date.year, month: date.month, day: date.day }).toInstant().toString();
    return new Date(Math.min(Date.parse(at), Date.parse(releaseAt))).toISOString();
  };
  return { askedAt, remindAt: after(Math.min(reminderAfterDays, answerDays)), dueAt: after(answerDays) };
}

/**
 * The first day a plan with references may start, counted from `today` (the day the plan is
 * submitted, in the owner's time zone): the references' deadline, then a whole business day for
 * the owner to decide if the answers are weak (the decision is due at week 1's release), then the
 * start.
 */
export function earliestStartWithReferences(
  plan: Pick<Plan, 'dueDiligence'>,
  today: Temporal.PlainDate,
): Temporal.PlainDate {
  return addBusinessDays(today, dueDiligenceSettings(plan).answerDays + 2);
}

/** The averages of the independent answers. */
export interface DueDiligenceScore {
  /** References listed in the plan. */
  asked: number;
  /** References who answered (flagged ones included). */
  answered: number;
  /** Independent references who answered: the ones that count. */
  independentAnswers: number;
  /** Answers from references at the partner's own domain: shown, not counted. */
  flaggedAnswers: number;
  /** Each question's average over the independent answers (absent: none). */
  averages: Partial<Record<ReferenceQuestion, number>>;
  /** The average over all three questions of the independent answers (absent: none). */
  average?: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

export function scoreReferences(
  plan: Pick<Plan, 'references'>,
  answers: readonly ReferenceAnswer[],
): DueDiligenceScore {
  const counted = answers.filter((a) => a.independent);
  const averages: Partial<Record<ReferenceQuestion, number>> = {};
  if (counted.length > 0) {
    for (const question of REFERENCE_QUESTIONS) {
      averages[question] = round2(mean(counted.map((a) => a.scores[question])));
    }
  }
  const all = counted.flatMap((a) => REFERENCE_QUESTIONS.map((q) => a.scores[q]));
  return {
    asked: plan.references.length,
    answered: answers.length,
    independentAnswers: counted.length,
    flaggedAnswers: answers.length - counted.length,
    averages,
    ...(all.length > 0 ? { average: round2(mean(all)) } : {}),
  };
}

/** What the due diligence concluded: go ahead with the kickoff, or ask the owner first. */
export interface DueDiligenceVerdict {
  outcome: 'pass' | 'ask-owner';
  /** In words, for the owner's email, the decision page and the timeline. */
  reason: string;
  score: DueDiligenceScore;
  decidedAt: string;
  /** When the owner was asked: what came of it (their choice, or none by the deadline). */
  owner?: OwnerAnswer;
}

export function dueDiligenceVerdict(
  plan: Pick<Plan, 'references' | 'dueDiligence'>,
  answers: readonly ReferenceAnswer[],
  decidedAt: string,
): DueDiligenceVerdict {
  const { minIndependentAnswers, minAverage } = dueDiligenceSettings(plan);
  const score = scoreReferences(plan, answers);
  const answeredWords = `${score.answered} of ${score.asked} reference${score.asked === 1 ? '' : 's'} answered`;
  const flagged =
    score.flaggedAnswers > 0
      ? `, ${score.flaggedAnswers} of them at the partner's own domain (not counted)`
      : '';
  const summary = `${answeredWords}${flagged}`;
  const average = score.average === undefined ? undefined : score.average.toFixed(1);
  const short = score.independentAnswers < minIndependentAnswers;
  const weak = score.average !== undefined && score.average < minAverage;
  let reason: string;
  if (short) {
    reason = `${summary}: ${score.independentAnswers} independent answer${score.independentAnswers === 1 ? '' : 's'}, ${minIndependentAnswers} needed${weak ? `, and their average ${average} is below ${minAverage}` : ''}`;
  } else if (weak) {
    reason = `${summary}: the independent average ${average} of 5 is below ${minAverage}`;
  } else {
    reason = `${summary}: ${score.independentAnswers} independent, average ${average ?? 'n/a'} of 5`;
  }
  return { outcome: short || weak ? 'ask-owner' : 'pass', reason, score, decidedAt };
}

/** What the owner can decide when the due diligence asks them: extending a stage does not apply. */
export const DUE_DILIGENCE_CHOICES = ['continue', 'abort'] as const satisfies readonly OwnerChoice[];

/** The choices the owner's question about `week` offers: the due diligence's (week 0), or the weekly gate's. */
export function choicesAbout(week: number): readonly OwnerChoice[] {
  return week === 0 ? DUE_DILIGENCE_CHOICES : OWNER_CHOICES;
}

/** What each choice does before the kickoff, in words, for the email and the confirm page. */
export function dueDiligenceChoiceEffects(
  plan: Pick<Plan, 'partner'>,
): Record<(typeof DUE_DILIGENCE_CHOICES)[number], { label: string; effect: string }> {
  return {
    continue: {
      label: CHOICE_LABELS.continue,
      effect: `Go ahead with the kickoff: the plan goes to ${plan.partner.name} and week 1's work is released as planned.`,
    },
    abort: {
      label: CHOICE_LABELS.abort,
      effect: `Do not start: no kickoff, and no work is released to ${plan.partner.name}; the onboarding is marked aborted.`,
    },
  };
}

/**
 * The owner's answer to the due diligence's question: their decision, or, with none by the
 * deadline, the default: the onboarding does not start (no work goes to a partner whose
 * references fell short without the owner's say-so).
 */
export function dueDiligenceAnswer(request: DecisionRequest): OwnerAnswer {
  if (request.state !== 'decided' || !request.choice) {
    return {
      choice: 'none',
      at: request.timedOutAt ?? request.dueAt,
      reason: 'no decision from the owner in time: the onboarding does not start',
    };
  }
  return {
    choice: request.choice,
    at: request.decidedAt ?? request.askedAt,
    ...(request.decidedBy ? { by: request.decidedBy } : {}),
    ...(request.decidedVia ? { via: request.decidedVia } : {}),
    reason:
      request.choice === 'abort'
        ? 'the owner decided not to start the onboarding'
        : 'the owner decided to go ahead with the kickoff',
  };
}
