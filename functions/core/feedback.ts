import { z } from 'zod';
import type { PlanIssue } from './errors.ts';
import { type Role, type WeekRecord, workedTaskIds } from './onboarding.ts';

/** Where a piece of feedback came from. */
export const FEEDBACK_SOURCES = ['link', 'email', 'api'] as const;

/**
 * One answer to a week's check-in: the owner rates the quality of the delivered work and names
 * what was not finished; the partner rates how clear and manageable the week was.
 */
export const feedbackInputSchema = z
  .strictObject({
    onboardingId: z.string().min(1, 'is required'),
    week: z.int({ error: 'must be a week number: 1 or more' }).min(1, 'must be a week number: 1 or more'),
    role: z.enum(['owner', 'partner'], { error: 'must be owner or partner' }),
    rating: z.int('must be a whole number from 1 to 5').min(1, 'must be 1 to 5').max(5, 'must be 1 to 5'),
    comment: z.string().trim().max(2000, 'must be at most 2000 characters').optional(),
    /** Tasks of the week that were not finished (owner only); they are carried into next week. */
    unfinishedTaskIds: z.array(z.string()).max(200).default([]),
    source: z.enum(FEEDBACK_SOURCES),
    /** Who answered (the address the answer came from, or the signed link's recipient). */
    from: z.email().optional(),
  })
  .superRefine((answer, ctx) => {
    if (answer.role !== 'owner' && answer.unfinishedTaskIds.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['unfinishedTaskIds'],
        message: 'only the owner reports unfinished work',
      });
    }
  });

export type FeedbackInput = z.input<typeof feedbackInputSchema>;

export interface Feedback {
  week: number;
  role: Extract<Role, 'owner' | 'partner'>;
  rating: number;
  comment?: string;
  unfinishedTaskIds: string[];
  source: (typeof FEEDBACK_SOURCES)[number];
  from?: string;
  at: string;
}

/** The week's answers, one per side at most (the latest counts). */
export interface WeekFeedback {
  owner?: Feedback;
  partner?: Feedback;
}

/**
 * What is wrong with an answer for this week, beyond its shape: a week that has not started or
 * is already decided, unfinished tasks that are not the week's, or named twice. Empty when the
 * answer can be recorded.
 */
export function feedbackIssues(
  weekNumber: number,
  week: WeekRecord | undefined,
  answer: Pick<Feedback, 'unfinishedTaskIds'>,
): PlanIssue[] {
  if (!week) return [{ path: 'week', message: `week ${weekNumber} has not started yet` }];
  if (week.decision) {
    return [
      {
        path: 'week',
        message: `week ${weekNumber} is closed: its check-in was decided (${week.decision.reason})`,
      },
    ];
  }
  const issues: PlanIssue[] = [];
  const worked = new Set(workedTaskIds(week));
  answer.unfinishedTaskIds.forEach((id, i) => {
    if (!worked.has(id)) {
      issues.push({
        path: `unfinishedTaskIds[${i}]`,
        message: `"${id}" is not a task of week ${weekNumber}; its tasks: ${[...worked].join(', ') || 'none'}`,
      });
    } else if (answer.unfinishedTaskIds.indexOf(id) !== i) {
      issues.push({ path: `unfinishedTaskIds[${i}]`, message: `"${id}" is listed twice` });
    }
  });
  return issues;
}
