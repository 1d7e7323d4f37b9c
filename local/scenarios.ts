import type { FeedbackInput } from '#core/feedback';
import { type WeekRecord, workedTaskIds } from '#core/onboarding';
import type { OwnerChoice } from '#core/owner-decision';
import type { AnswerPath } from './personas.ts';
import type { ReferenceScript } from './references.ts';

/** What one side says at a week's check-in, or nothing (silence). */
export type Answer = Pick<FeedbackInput, 'rating' | 'comment' | 'unfinishedTaskIds'> | undefined;

/** What a side can look at before answering: the week's number, and its batch when it reads it. */
export interface CheckIn {
  week: number;
  /** The week's batch, read from the table on demand (most answers do not need it). */
  batch(): Promise<WeekRecord>;
}

/**
 * A scripted owner and partner for local runs: at each week's check-in, each says something or
 * stays silent. They answer from the check-in email they received, as people do: through the
 * rating link of their score and its confirm page, or by replying to the email (`answersBy`).
 */
export interface Scenario {
  description: string;
  /** How each side answers: through the email's rating links (the default), or by replying to it. */
  answersBy?: Partial<Record<'owner' | 'partner', AnswerPath>>;
  owner(checkIn: CheckIn): Answer | Promise<Answer>;
  partner(checkIn: CheckIn): Answer | Promise<Answer>;
  /**
   * What the owner decides when the weekly check asks them about `week`, through the link of that
   * choice in the escalation email, or by replying to it with the choice's word (`decidesBy`);
   * nothing (or no `decide`) means they never answer, and the stage holds at the deadline.
   */
  decide?(ask: { week: number }): OwnerChoice | undefined | Promise<OwnerChoice | undefined>;
  /** How the owner decides: through the question email's links (the default), or by replying to it. */
  decidesBy?: AnswerPath;
  /**
   * What the plan's references answer (due diligence, before the kickoff; `decide` gets week 0
   * when it asks the owner), through the links of the email each got. None: they stay silent.
   */
  references?: ReferenceScript;
  /** The plan this scenario is written for, when not the default one (a path from the repository). */
  plan?: string;
}

const happyOwner: Answer = { rating: 5, comment: 'Delivered as agreed, no corrections needed.' };
const happyPartner: Answer = { rating: 4, comment: 'Clear instructions, a manageable week.' };

/** The non-recurring tasks the partner worked on this week: the ones that can be left unfinished. */
const worked = async ({ batch }: CheckIn) => workedTaskIds(await batch());

export const SCENARIOS: Record<string, Scenario> = {
  steady: {
    description:
      'Both sides answer every week and the work is good: the ramp rises a stage a week. References, when the plan lists some, speak well of the partner at once.',
    // A plan with references (examples/freelance-developer.yaml) starts too: they answer well.
    references: ({ phase }) =>
      phase === 'asked'
        ? {
            scores: { reliability: 5, quality: 4, communication: 4 },
            comment: 'Reliable, and kept us informed.',
          }
        : undefined,
    owner: () => happyOwner,
    partner: () => happyPartner,
  },
  'bad-week': {
    description:
      'Week 3 has errors and a task is left unfinished (the stage holds, the task is carried over); week 4 is worse (a step back); then the work recovers.',
    owner: async (checkIn) => {
      if (checkIn.week === 3) {
        return {
          rating: 3,
          comment: 'A few entries had the wrong tax code, and one task is not finished.',
          unfinishedTaskIds: (await worked(checkIn)).slice(0, 1),
        };
      }
      if (checkIn.week === 4)
        return { rating: 2, comment: 'Still errors, now in the carried-over work too.' };
      return happyOwner;
    },
    partner: ({ week }) =>
      week === 4
        ? { rating: 3, comment: 'Too much at once this week; we need more time per task.' }
        : happyPartner,
  },
  silent: {
    description:
      'Both sides answer the first week, then nobody does: every week after asks the owner, who never decides either, so each time the stage holds at the deadline (the next ask is a reminder) and no new work is released.',
    owner: ({ week }) => (week === 1 ? happyOwner : undefined),
    partner: ({ week }) => (week === 1 ? happyPartner : undefined),
  },
  'owner-aborts': {
    description:
      'The partner goes silent after week 1 while the work keeps coming: week 2 holds, week 3 asks the owner, who aborts the onboarding by replying ABORT to the email; both sides are told.',
    owner: ({ week }) =>
      week === 1 ? happyOwner : { rating: 4, comment: 'The work arrives, but not a word from the team.' },
    partner: ({ week }) => (week === 1 ? happyPartner : undefined),
    decide: () => 'abort',
    decidesBy: 'email',
  },
  'quality-drop': {
    description:
      "The partner's work slips in week 3 (the owner rates it 3/5: the stage holds) and again in week 4 (2/5: a step back), then recovers and the ramp climbs again. The partner answers every check-in by replying to the email, the owner through its rating links.",
    answersBy: { partner: 'email' },
    owner: ({ week }) => {
      if (week === 3)
        return {
          rating: 3,
          comment: 'Several receipts were booked to the wrong accounts; I corrected them.',
        };
      if (week === 4)
        return { rating: 2, comment: 'Wrong accounts again, and the payment run had to be redone.' };
      if (week === 5) return { rating: 4, comment: 'Much better: every account right this week.' };
      return happyOwner;
    },
    partner: ({ week }) =>
      week === 4
        ? { rating: 3, comment: 'A new colleague took over the receipts; we are checking every entry now.' }
        : happyPartner,
  },
  'due-diligence': {
    description:
      "The plan lists three references. One answers at once, lukewarm; one is the partner's own colleague (the partner's domain: flagged, not counted) and answers glowingly; the third answers after the reminder. The independent average (3.0) is below 3.5, so the owner is asked before the kickoff and decides to go ahead; then the weeks run as in steady.",
    plan: 'examples/freelance-developer.yaml',
    references: ({ reference, phase }) => {
      if (reference === 1 && phase === 'asked')
        return {
          scores: { reliability: 3, quality: 3, communication: 2 },
          comment: 'Good code, but deadlines slipped and updates were rare.',
        };
      if (reference === 2 && phase === 'asked')
        return {
          scores: { reliability: 5, quality: 5, communication: 5 },
          comment: 'The best developer I know.',
        };
      if (reference === 3 && phase === 'reminded')
        return {
          scores: { reliability: 4, quality: 3, communication: 3 },
          comment: 'Solid work once we agreed on a weekly call.',
        };
      return undefined;
    },
    decide: ({ week }) => (week === 0 ? 'continue' : undefined),
    owner: () => happyOwner,
    partner: () => happyPartner,
  },
};

export const DEFAULT_SCENARIO = 'steady';
