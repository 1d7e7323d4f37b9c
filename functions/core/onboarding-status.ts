import { type CommunicationHealth, communicationHealth } from './communication-health.ts';
import {
  type DueDiligenceVerdict,
  dueDiligenceSettings,
  dueDiligenceTimes,
  type ReferenceAnswer,
  type ReferenceQuestion,
  scoreReferences,
} from './due-diligence.ts';
import type { Feedback } from './feedback.ts';
import type {
  CancelReason,
  Onboarding,
  OnboardingStatus,
  RecordedDecision,
  WeekRecord,
} from './onboarding.ts';
import { heldWeek } from './onboarding-controls.ts';
import { resumeDeadline } from './run-limit.ts';
import { weekSchedule } from './schedule.ts';

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

/**
 * Where the due diligence stands: `asking` while the references' answers count (from the start
 * until `dueAt`); once scored, `passed` (the kickoff went ahead), or `waiting-for-owner` (too few
 * independent answers, or a weak average) until the owner's decision makes it `decided`;
 * `stopped` when the onboarding ended (cancelled, failed) before the due diligence concluded.
 */
export type DueDiligenceState = 'asking' | 'passed' | 'waiting-for-owner' | 'decided' | 'stopped';

/**
 * The due diligence as an integration sees it: counts, scores and states, never who the
 * references are, their addresses or their comments (their answers are for the owner only).
 */
export interface DueDiligenceView {
  state: DueDiligenceState;
  /** References listed in the plan: each is asked once, and reminded once if silent. */
  asked: number;
  /** References who answered (flagged ones included); once scored, as the verdict counted them. */
  answered: number;
  /** Answers from references not at the partner's own domain: the ones that count. */
  independentAnswers: number;
  /** Answers from references at the partner's own domain: shown to the owner, never counted. */
  flaggedAnswers: number;
  /** What passes without asking the owner (the plan's `dueDiligence`, or its defaults). */
  needed: { independentAnswers: number; average: number };
  /** When the silent are reminded, and when answers stop counting and are scored. */
  remindAt: string;
  dueAt: string;
  /** Once scored: the outcome, why, and the independent answers' averages (absent: none). */
  verdict?: {
    outcome: DueDiligenceVerdict['outcome'];
    reason: string;
    at: string;
    average?: number;
    averages: Partial<Record<ReferenceQuestion, number>>;
  };
  /** When the verdict asked the owner: `waiting`, then their choice (`none`: not by the deadline). */
  owner?: OwnerDecisionView;
}

/** What the table holds of an onboarding's due diligence: the answers so far, and the verdict once scored. */
export interface DueDiligenceRecords {
  answers: readonly ReferenceAnswer[];
  verdict?: DueDiligenceVerdict | undefined;
}

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
  /**
   * While paused: until when a resume is still possible. The whole run (every extra week included)
   * must end within the year a workflow execution lasts, less a week; a pause still in force then
   * ends the onboarding (cancelled, `cancelReason: paused-too-long`).
   */
  resumeBy?: string;
  cancelledAt?: string;
  /** Why onramp cancelled it, when nobody did (absent: it was cancelled on request). */
  cancelReason?: CancelReason;
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
  /** Only for a plan that lists references: the due diligence before the kickoff. */
  dueDiligence?: DueDiligenceView;
}

/**
 * The status of an onboarding from what the table holds, as of `now` (ISO-8601). The
 * `dueDiligence` part needs the references' answers and the verdict: without them it is left out.
 */
export function onboardingStatusView(
  onboarding: Onboarding,
  weeks: readonly WeekRecord[],
  feedback: readonly Feedback[],
  now: string,
  dueDiligence?: DueDiligenceRecords,
): OnboardingStatusView {
  const diligence = dueDiligence && dueDiligenceView(onboarding, dueDiligence);
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
    ...(onboarding.status === 'paused' ? { resumeBy: resumeDeadline(onboarding, heldWeek(weeks)) } : {}),
    ...(onboarding.cancelledAt ? { cancelledAt: onboarding.cancelledAt } : {}),
    ...(onboarding.cancelReason ? { cancelReason: onboarding.cancelReason } : {}),
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
    ...(diligence ? { dueDiligence: diligence } : {}),
  };
}

/**
 * The due diligence of a plan that lists references, from what is stored: the answers while
 * asking, the verdict (whose counts are final: later answers are refused) once scored, and the
 * owner's answer recorded on it. The times are those the asking step computed, from the same facts.
 */
function dueDiligenceView(
  onboarding: Onboarding,
  { answers, verdict }: DueDiligenceRecords,
): DueDiligenceView | undefined {
  const { plan } = onboarding;
  // Plans stored before references were a plan field have none.
  if (!plan.references?.length) return undefined;
  const { asked, answered, independentAnswers, flaggedAnswers } =
    verdict?.score ?? scoreReferences(plan, answers);
  const { minIndependentAnswers, minAverage } = dueDiligenceSettings(plan);
  const { remindAt, dueAt } = dueDiligenceTimes(plan, onboarding.createdAt, weekSchedule(plan, 1).releaseAt);
  // Paused counts as running: a resume goes on where the workflow stopped.
  const running =
    onboarding.status === 'pending' || onboarding.status === 'active' || onboarding.status === 'paused';
  const owner = verdict?.owner;
  let state: DueDiligenceState;
  if (owner) state = 'decided';
  else if (verdict?.outcome === 'pass') state = 'passed';
  else if (running) state = verdict ? 'waiting-for-owner' : 'asking';
  else state = 'stopped';
  return {
    state,
    asked,
    answered,
    independentAnswers,
    flaggedAnswers,
    needed: { independentAnswers: minIndependentAnswers, average: minAverage },
    remindAt,
    dueAt,
    ...(verdict
      ? {
          verdict: {
            outcome: verdict.outcome,
            reason: verdict.reason,
            at: verdict.decidedAt,
            ...(verdict.score.average === undefined ? {} : { average: verdict.score.average }),
            averages: verdict.score.averages,
          },
        }
      : {}),
    // Never who decided (the owner's address): the status is for systems.
    ...(owner ? { owner: { decision: owner.choice, at: owner.at, reason: owner.reason } } : {}),
    ...(state === 'waiting-for-owner' ? { owner: { decision: 'waiting' as const } } : {}),
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
