import type { FeedbackInput } from '#core/feedback';
import { type WeekRecord, workedTaskIds } from '#core/onboarding';
import type { OwnerChoice } from '#core/owner-decision';

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
 * stays silent. Their answers go through the same feedback handler every other answer goes through.
 */
export interface Scenario {
  description: string;
  owner(checkIn: CheckIn): Answer | Promise<Answer>;
  partner(checkIn: CheckIn): Answer | Promise<Answer>;
  /**
   * What the owner decides when the weekly check asks them about `week`, through the link of that
   * choice in the escalation email; nothing (or no `decide`) means they never answer, and the
   * stage holds at the deadline.
   */
  decide?(ask: { week: number }): OwnerChoice | undefined | Promise<OwnerChoice | undefined>;
}

const happyOwner: Answer = { rating: 5, comment: 'Delivered as agreed, no corrections needed.' };
const happyPartner: Answer = { rating: 4, comment: 'Clear instructions, a manageable week.' };

/** The non-recurring tasks the partner worked on this week: the ones that can be left unfinished. */
const worked = async ({ batch }: CheckIn) => workedTaskIds(await batch());

export const SCENARIOS: Record<string, Scenario> = {
  steady: {
    description: 'Both sides answer every week and the work is good: the ramp rises a stage a week.',
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
      'The partner goes silent after week 1 while the work keeps coming: week 2 holds, week 3 asks the owner, who aborts the onboarding through the link in the email; both sides are told.',
    owner: ({ week }) =>
      week === 1 ? happyOwner : { rating: 4, comment: 'The work arrives, but not a word from the team.' },
    partner: ({ week }) => (week === 1 ? happyPartner : undefined),
    decide: () => 'abort',
  },
};

export const DEFAULT_SCENARIO = 'steady';
