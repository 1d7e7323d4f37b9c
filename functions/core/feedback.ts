import { z } from 'zod';
import type { Role } from './onboarding.ts';

/** Where a piece of feedback came from. */
export const FEEDBACK_SOURCES = ['link', 'email', 'api'] as const;

/**
 * One answer to a week's check-in: the owner rates the quality of the delivered work and names
 * what was not finished; the partner rates how clear and manageable the week was.
 */
export const feedbackInputSchema = z.strictObject({
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
