import { type CommunicationHealth, communicationHealth } from './communication-health.ts';
import type { Feedback } from './feedback.ts';
import type { Onboarding, OnboardingStatus, RecordedDecision, WeekRecord } from './onboarding.ts';

/** One side's latest answer, without its comment or address: the status is for systems, not people. */
export interface AnswerSummary {
  week: number;
  rating: number;
  source: Feedback['source'];
  at: string;
}

/**
 * What came of asking the owner at the end of a week (the gate's `escalate`): `waiting` while the
 * workflow waits for them, then their choice, or `none` when the deadline passed first (the
 * stage held by default). Without the address of who decided: the status is for systems.
 */
export type OwnerDecisionView =
  | { decision: 'waiting' }
  | { decision: 'continue' | 'extend' | 'abort' | 'none'; at: string; reason: string };

/** An onboarding as an integration sees it (`GET /onboardings/{id}`). */
export interface OnboardingStatusView {
  onboardingId: string;
  title: string;
  status: OnboardingStatus;
  failure?: string;
  createdAt: string;
  updatedAt: string;
  /** When the latest pause began and ended, and how many whole weeks pauses moved the schedule. */
  pausedAt?: string;
  resumedAt?: string;
  pausedWeeks: number;
  cancelledAt?: string;
  /**
   * When the workflow marked the onboarding at risk (a side silent beyond the plan's
   * `gate.silenceLimitDays`, found at a week's reminder); absent when not marked, or heard from since.
   */
  atRiskSince?: string;
  /** The latest week released, 0 before the first. */
  week: number;
  /** Where the ramp stands: the latest week's stage, or none before the first week. */
  stage: { index: number; percent: number; cap: number; unit: string } | null;
  /** Volume released week by week, and what the gate decided at each week's end. */
  weeks: Array<{
    week: number;
    stage: number;
    percent: number;
    cap: number;
    volume: number;
    newTasks: number;
    releasedAt: string;
    checkinAt: string;
    /** The end of the feedback window, when the silent are reminded. */
    remindAt?: string;
    /** The end of the grace period after it: the last moment an answer counts. */
    feedbackDueAt: string;
    /** The sides reminded when the window closed. */
    reminded?: Array<'owner' | 'partner'>;
    decision?: { outcome: string; reason: string; owner?: OwnerDecisionView };
  }>;
  lastFeedback: { owner: AnswerSummary | null; partner: AnswerSummary | null };
  /** Communication health as of the request: how long since each side was heard from, and whether that is too long. */
  health: CommunicationHealth;
  /** The next check-in still ahead, if the current week's is. */
  nextCheckinAt: string | null;
}

/** The status of an onboarding from what the table holds, as of `now` (ISO-8601). */
export function onboardingStatusView(
  onboarding: Onboarding,
  weeks: readonly WeekRecord[],
  feedback: readonly Feedback[],
  now: string,
): OnboardingStatusView {
  const latest = weeks.at(-1);
  const lastOf = (role: Feedback['role']): AnswerSummary | null => {
    const answer = feedback.filter((f) => f.role === role).at(-1);
    return answer ? { week: answer.week, rating: answer.rating, source: answer.source, at: answer.at } : null;
  };
  const live = onboarding.status === 'active' || onboarding.status === 'pending';
  return {
    onboardingId: onboarding.id,
    title: onboarding.plan.title,
    status: onboarding.status,
    ...(onboarding.failure ? { failure: onboarding.failure } : {}),
    createdAt: onboarding.createdAt,
    updatedAt: onboarding.updatedAt,
    // Never the pause's task token: it would let a reader move the workflow on.
    ...(onboarding.pausedAt ? { pausedAt: onboarding.pausedAt } : {}),
    ...(onboarding.resumedAt ? { resumedAt: onboarding.resumedAt } : {}),
    pausedWeeks: onboarding.pausedWeeks ?? 0,
    ...(onboarding.cancelledAt ? { cancelledAt: onboarding.cancelledAt } : {}),
    ...(onboarding.atRiskSince ? { atRiskSince: onboarding.atRiskSince } : {}),
    week: latest?.week ?? 0,
    stage: latest
      ? { index: latest.stage, percent: latest.percent, cap: latest.cap, unit: onboarding.plan.effortUnit }
      : null,
    weeks: weeks.map((w) => ({
      week: w.week,
      stage: w.stage,
      percent: w.percent,
      cap: w.cap,
      volume: w.volume,
      newTasks: w.tasks.length,
      releasedAt: w.releasedAt,
      checkinAt: w.checkinAt,
      ...(w.remindAt ? { remindAt: w.remindAt } : {}),
      feedbackDueAt: w.feedbackDueAt,
      ...(w.reminder ? { reminded: w.reminder.reminded } : {}),
      ...(w.decision
        ? {
            decision: {
              outcome: w.decision.outcome,
              reason: w.decision.reason,
              ...ownerPart(w.decision, onboarding.status === 'active' || onboarding.status === 'paused'),
            },
          }
        : {}),
    })),
    lastFeedback: { owner: lastOf('owner'), partner: lastOf('partner') },
    health: communicationHealth(onboarding.plan, weeks, feedback, now),
    nextCheckinAt: live && latest && latest.checkinAt > now ? latest.checkinAt : null,
  };
}

/** The owner's part of a week's decision: theirs once applied, or waiting while the workflow can still wait. */
function ownerPart(decision: RecordedDecision, running: boolean): { owner?: OwnerDecisionView } {
  if (decision.owner) {
    const { choice, at, reason } = decision.owner;
    return { owner: { decision: choice, at, reason } };
  }
  return decision.outcome === 'escalate' && running ? { owner: { decision: 'waiting' } } : {};
}
