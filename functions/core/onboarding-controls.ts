import type { Onboarding, OnboardingStatus, WeekRecord } from './onboarding.ts';
import { EXECUTION_LIFETIME_DAYS, fitsRunLimit, RUN_MARGIN_DAYS, resumeDeadline } from './run-limit.ts';
import { shiftAfterPause, weekSchedule } from './schedule.ts';

/** What an owner (or another system) can ask of a running onboarding. */
export type Control = 'pause' | 'resume' | 'cancel';

/** What a control does to an onboarding in a given status. */
export type ControlOutcome =
  /** The status changes to `to`. */
  | { kind: 'change'; to: OnboardingStatus }
  /** It is in that status already: asking again is answered the same way, and changes nothing. */
  | { kind: 'same' }
  /** Not allowed from this status; `allowed` says from which it is. */
  | { kind: 'refuse'; allowed: string };

const rules: Record<Control, { from: readonly OnboardingStatus[]; to: OnboardingStatus; allowed: string }> = {
  pause: { from: ['active'], to: 'paused', allowed: 'only an active onboarding can be paused' },
  resume: { from: ['paused'], to: 'active', allowed: 'only a paused onboarding can be resumed' },
  cancel: {
    from: ['pending', 'active', 'paused'],
    to: 'cancelled',
    allowed: 'only a pending, active or paused onboarding can be cancelled',
  },
};

/**
 * The outcome of `control` on an onboarding in its status. Asking again for what was done is
 * answered the same; an active onboarding that was never paused has no resume to repeat, so
 * resuming it is refused like any other status a resume cannot leave.
 */
export function controlOutcome(
  control: Control,
  { status, resumedAt }: Pick<Onboarding, 'status' | 'resumedAt'>,
): ControlOutcome {
  const rule = rules[control];
  if (status === rule.to && (control !== 'resume' || resumedAt !== undefined)) return { kind: 'same' };
  if (rule.from.includes(status)) return { kind: 'change', to: rule.to };
  return { kind: 'refuse', allowed: rule.allowed };
}

/** The message of a refused control: the onboarding, its status, and what is allowed. */
export function refusal(onboardingId: string, control: Control, status: OnboardingStatus): string {
  return `Cannot ${control} onboarding "${onboardingId}": it is ${status}, and ${rules[control].allowed}`;
}

/** What the release step does with a week's batch, given the onboarding as it is now. */
export type ReleaseGate =
  | { release: 'released' }
  /** Paused: the workflow waits for a resume before it releases anything, at most until `resumeBy`. */
  | { release: 'paused'; resumeBy: string }
  /** Cancelled: nothing more is released (the cancel is stopping the execution). */
  | { release: 'cancelled' }
  /** A pause held the release past its time: the week moves `pausedWeeks` later, to `releaseAt`. */
  | { release: 'rescheduled'; pausedWeeks: number; releaseAt: string }
  /**
   * The pause lasted until `resumeBy` (or its resume came too late): the rest of the run can no
   * longer end within the execution's year, so the onboarding ends rather than be cut off by AWS.
   */
  | { release: 'paused-too-long'; resumeBy: string };

/**
 * Whether `week`'s batch goes out now. A pause holds it, until `resumeDeadline` at the latest;
 * once resumed, a release that the pause held past its time moves by whole weeks
 * (`shiftAfterPause`) to the first slot not before the resume, or `now` if later (a resume whose
 * callback was lost is noticed only later). A pause that ended before the release was due changes
 * nothing. A move that would carry the run past the line ends the onboarding instead.
 */
export function releaseGate(
  onboarding: Pick<Onboarding, 'status' | 'plan' | 'createdAt' | 'resumedAt' | 'pausedWeeks'>,
  week: number,
  now: Date,
): ReleaseGate {
  if (onboarding.status === 'cancelled') return { release: 'cancelled' };
  if (onboarding.status === 'paused') {
    const resumeBy = resumeDeadline(onboarding, week);
    return canStillResume(resumeBy, now)
      ? { release: 'paused', resumeBy }
      : { release: 'paused-too-long', resumeBy };
  }
  const pausedWeeks = onboarding.pausedWeeks ?? 0;
  const { plan, resumedAt, createdAt } = onboarding;
  const due = weekSchedule(plan, week, pausedWeeks).releaseAt;
  if (resumedAt === undefined || Date.parse(resumedAt) <= Date.parse(due)) {
    return { release: 'released' };
  }
  const notBefore = new Date(Math.max(Date.parse(resumedAt), now.getTime())).toISOString();
  let moved = shiftAfterPause(plan, week, pausedWeeks, notBefore);
  if (!fitsRunLimit(plan, createdAt, moved)) {
    // A resume made in time but noticed after the deadline (its callback was lost, or it raced the
    // deadline) keeps the slot it was promised; that slot's release is now, or just past.
    moved = shiftAfterPause(plan, week, pausedWeeks, resumedAt);
    if (!fitsRunLimit(plan, createdAt, moved)) {
      return { release: 'paused-too-long', resumeBy: resumeDeadline(onboarding, week) };
    }
  }
  return { release: 'rescheduled', pausedWeeks: moved, releaseAt: weekSchedule(plan, week, moved).releaseAt };
}

/**
 * Whether a pause that must be resumed by `resumeBy` still can be at `now`. From `resumeBy` on, the
 * release step ends a paused onboarding (`paused-too-long`), so a resume is refused, and so is a
 * pause: it could only end the onboarding.
 */
export function canStillResume(resumeBy: string, now: Date): boolean {
  return now.getTime() < Date.parse(resumeBy);
}

/** The longest the paused workflow waits before its release step looks again: a week. */
export const RESUME_CHECK_MAX_SECONDS = 7 * 24 * 3600;
/** The shortest: longer than the function that keeps the task token runs, so it can keep it. */
export const RESUME_CHECK_MIN_SECONDS = 60;

/**
 * How long the paused workflow waits for a resume before it looks again: a week, so a lost
 * callback cannot strand it, and never past `resumeBy`, so a pause that lasts until then ends
 * the onboarding then.
 */
export function resumeCheckSeconds(resumeBy: string, now: Date): number {
  const untilDeadline = Math.ceil((Date.parse(resumeBy) - now.getTime()) / 1000);
  return Math.min(RESUME_CHECK_MAX_SECONDS, Math.max(RESUME_CHECK_MIN_SECONDS, untilDeadline));
}

/**
 * The week a paused onboarding holds: the one after the latest released (the first, before any).
 * A pause takes effect at a release, so that is the release it holds, or will.
 */
export function heldWeek(weeks: readonly Pick<WeekRecord, 'week'>[]): number {
  return (weeks.at(-1)?.week ?? 0) + 1;
}

/**
 * The message of a resume refused because the pause lasted past `resumeBy`: the rest of the run
 * cannot end within the execution's year any more.
 */
export function pausedTooLongRefusal(onboardingId: string, resumeBy: string): string {
  return (
    `Cannot resume onboarding "${onboardingId}": it stayed paused past ${resumeBy}, the last moment a ` +
    `resume could still end its run (with every extra week its plan allows) within the ${EXECUTION_LIFETIME_DAYS} ` +
    `days a workflow execution can last, less a ${RUN_MARGIN_DAYS}-day margin; so it is cancelled, and its ` +
    'owner and partner are told by email. Start a new onboarding for the work that is left.'
  );
}

/**
 * The message of a pause refused because its `resumeBy` has passed already (the workflow is still
 * busy with a week whose next release was due by then): held, that release could never go out.
 */
export function pausedTooLateRefusal(onboardingId: string, resumeBy: string): string {
  return (
    `Cannot pause onboarding "${onboardingId}": a pause now would have to be resumed by ${resumeBy}, ` +
    'which has passed already; any later release would carry its run (with every extra week its plan ' +
    `allows) past the ${EXECUTION_LIFETIME_DAYS} days a workflow execution can last, less a ${RUN_MARGIN_DAYS}-day ` +
    'margin, so the pause could only end it. It stays active; cancel it if it should stop.'
  );
}
