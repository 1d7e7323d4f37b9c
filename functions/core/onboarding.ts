import { z } from 'zod';
import type { GateDecision } from './gate.ts';
import type { OwnerAnswer } from './owner-decision.ts';
import type { Plan } from './plan.ts';
import type { Batch } from './ramp.ts';

/**
 * Where an onboarding is in its life: pending until the workflow accepts it, then active; paused
 * and active again on request; it ends completed, failed, cancelled (on request, or by onramp when
 * a pause lasted too long: `cancelReason`), or aborted (by the owner's decision when the weekly
 * check asked them).
 */
export type OnboardingStatus =
  | 'pending'
  | 'active'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'aborted';

/** The statuses an onboarding ends in: it takes no answer, decision or reply any more. */
export const ENDED_STATUSES: ReadonlySet<OnboardingStatus> = new Set([
  'completed',
  'failed',
  'cancelled',
  'aborted',
]);

/** Why onramp cancelled an onboarding nobody cancelled. */
export type CancelReason = 'paused-too-long';

/**
 * An onboarding: its plan and where it is in its life. Where it is in the ramp (the week, the
 * stage) is not kept here: the weeks record it, and the latest week says it.
 */
export interface Onboarding {
  id: string;
  status: OnboardingStatus;
  plan: Plan;
  /** A digest of the plan as started: a second start with the same id must bring the same plan. */
  planDigest: string;
  createdAt: string;
  updatedAt: string;
  /** The error name that failed the workflow, when status is failed. */
  failure?: string;
  /** When the latest pause began, and when the latest resume ended a pause. */
  pausedAt?: string;
  resumedAt?: string;
  /**
   * Whole weeks pauses have moved the rest of the schedule (absent: none), so that check-ins keep
   * their weekday and time: week N happens in the calendar slot of week N + pausedWeeks.
   */
  pausedWeeks?: number;
  /**
   * The task token of the workflow while it waits for a resume. It moves the workflow on, so it
   * is never shown, logged or emailed; the resume hands it back to Step Functions.
   */
  pauseToken?: string;
  cancelledAt?: string;
  /**
   * Why onramp itself cancelled it (absent: someone cancelled it). `paused-too-long`: the pause
   * lasted past the last moment a resume could still end the run within the year an execution
   * may last (see run-limit.ts).
   */
  cancelReason?: CancelReason;
  /** When the owner's decision aborted it (the weekly check had asked them). */
  abortedAt?: string;
  /**
   * Since when a side has been silent beyond the plan's `gate.silenceLimitDays` (marked by the
   * weekly reminder step; removed when both sides are heard from again).
   */
  atRiskSince?: string;
}

/** What was released in one week, and when that week's check-in and feedback are due. */
export interface WeekRecord extends Batch {
  week: number;
  releasedAt: string;
  checkinAt: string;
  /** The end of the feedback window, when the silent are reminded (absent on weeks released before reminders). */
  remindAt?: string;
  /** The end of the grace period after the window: the last moment an answer counts. */
  feedbackDueAt: string;
  /** Who was reminded at the end of the feedback window, and the communication health then. */
  reminder?: WeekReminder;
  /** The gate's decision at the end of the week. */
  decision?: RecordedDecision;
  /** Tasks the owner reported unfinished at the end of the week: carried into the next one. */
  unfinishedTaskIds?: string[];
  /** When each side's answer that the gate weighed was given (absent: the side was silent). */
  weighed?: WeighedAnswers;
}

/** The answers the gate weighed, by when each side gave theirs. */
export type WeighedAnswers = Partial<Record<'owner' | 'partner', string>>;

/** What the reminder step found at the end of a week's feedback window. */
export interface WeekReminder {
  at: string;
  /** The sides that had not answered the week's check-in, each reminded once. */
  reminded: Array<'owner' | 'partner'>;
  /** A side silent beyond the plan's limit then (the onboarding was at risk). */
  atRisk: boolean;
  /** The longest silence then, in whole days, and whose. */
  silentDays: number | null;
  silentRole: 'owner' | 'partner' | null;
}

/**
 * What the end of a week decided: the gate's decision, or that the onboarding is done. When the
 * gate asked the owner, `owner` is what came of it (their choice, or none by the deadline).
 */
export type RecordedDecision =
  | (GateDecision & { owner?: OwnerAnswer })
  | { outcome: 'finish'; reason: string; owner?: undefined };

/** The decision in words, the owner's part included: for the partner's next batch email. */
export function decisionInWords(decision: RecordedDecision | undefined): string | undefined {
  if (!decision) return undefined;
  return decision.owner ? `${decision.reason}; ${decision.owner.reason}` : decision.reason;
}

/**
 * The tasks the partner worked on in a week and could leave unfinished: the new ones and the ones
 * carried over (recurring work never finishes, so it is never "unfinished").
 */
export function workedTaskIds(week: Pick<WeekRecord, 'tasks' | 'carriedTaskIds'>): string[] {
  return [...week.carriedTaskIds, ...week.tasks.filter((t) => !t.recurring).map((t) => t.taskId)];
}

/** Whether the week after this decision releases new work (not after a hold or an escalation). */
export function releasesNewWork(decision: RecordedDecision | undefined): boolean {
  return decision === undefined || decision.outcome === 'finish' || decision.releaseNew;
}

/** A reference asked about the partner (due diligence): `reference-<n>`, n its place in the plan from 1. */
export type ReferenceRole = `reference-${number}`;

export type Role = 'owner' | 'partner' | 'operator' | ReferenceRole;

export type EmailKind =
  | 'kickoff'
  | 'batch'
  | 'checkin'
  /** One reminder to a side that has not answered the week's check-in when its window closed. */
  | 'reminder'
  /** To the owner, when the partner is still silent after the grace period and the gate only held. */
  | 'silence'
  | 'escalation'
  | 'summary'
  | 'failure'
  /** The answer to a plan emailed to the inbound address: started, or why not. */
  | 'inbound-reply'
  /** Both sides told that the onboarding was cancelled. */
  | 'cancelled'
  /** Both sides told that the owner aborted the onboarding when the weekly check asked them. */
  | 'aborted'
  /** Due diligence: each reference asked about the partner (week 0, one per reference). */
  | 'reference'
  /** Due diligence: the one reminder to each reference who has not answered. */
  | 'reference-reminder';

/** An email the workflow sent, as recorded in the table. */
export interface EmailRecord {
  kind: EmailKind;
  week: number;
  role: Role;
  to: string[];
  subject: string;
  messageId: string;
  sentAt: string;
}

/**
 * The small state the workflow carries from step to step: ids and a few facts, never plan text
 * or addresses (execution history is visible in the console and limited to 256 KB).
 */
export const workflowStateSchema = z.object({
  onboardingId: z.string().min(1),
  week: z.int().min(0),
  stage: z.int().min(0),
  releaseAt: z.iso.datetime().optional(),
  checkinAt: z.iso.datetime().optional(),
  /** The end of the week's feedback window (the reminder); `feedbackDueAt` is the end of its grace period. */
  remindAt: z.iso.datetime().optional(),
  feedbackDueAt: z.iso.datetime().optional(),
  /**
   * What the release step did: released the batch, or held it (paused: wait for a resume;
   * rescheduled: a pause moved the week, wait for its new `releaseAt`; cancelled: stop). Accept
   * sets `cancelled` too, for an onboarding cancelled before its execution ran.
   */
  release: z.enum(['released', 'paused', 'rescheduled', 'cancelled']).optional(),
  /**
   * While paused: until when a resume can still fit the rest of the run in the execution's year,
   * and how long the wait for it lasts before the release step looks again (a week at most, and
   * not past `resumeBy`, when the onboarding ends).
   */
  resumeBy: z.iso.datetime().optional(),
  resumeCheckSeconds: z.int().min(1).optional(),
  /** Tasks not yet released once this week's batch is out. */
  remaining: z.int().min(0).optional(),
  done: z.boolean().optional(),
  /**
   * The gate asked the owner at the end of `week` (the week just decided; the state's own `week`
   * is already the next one): the workflow waits for their decision up to `timeoutSeconds`.
   * Week 0: the due diligence asked, before the kickoff.
   */
  askOwner: z.object({ week: z.int().min(0), timeoutSeconds: z.int().min(1) }).optional(),
  /**
   * Due diligence before the kickoff (week 0 of `askOwner`): present from Accept when the plan
   * lists references; the times are set once they were asked.
   */
  dueDiligence: z
    .object({
      references: z.int().min(1),
      remindAt: z.iso.datetime().optional(),
      dueAt: z.iso.datetime().optional(),
    })
    .optional(),
  /** The owner aborted the onboarding: the workflow ends. */
  aborted: z.boolean().optional(),
});
export type WorkflowState = z.infer<typeof workflowStateSchema>;

/** The workflow's input when a step failed: its state plus the Catch's error. */
export const failedStateSchema = z.object({
  onboardingId: z.string().min(1),
  error: z.object({ Error: z.string(), Cause: z.string().optional() }),
});
