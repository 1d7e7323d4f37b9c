import type { Onboarding, OnboardingStatus } from './onboarding.ts';
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

/** The outcome of `control` on an onboarding whose status is `status`. */
export function controlOutcome(control: Control, status: OnboardingStatus): ControlOutcome {
  const rule = rules[control];
  if (status === rule.to) return { kind: 'same' };
  if (rule.from.includes(status)) return { kind: 'change', to: rule.to };
  return { kind: 'refuse', allowed: rule.allowed };
}

/** The message of a refused control: the onboarding, its status, and what is allowed. */
export function refusal(onboardingId: string, control: Control, status: OnboardingStatus): string {
  const outcome = controlOutcome(control, status);
  const allowed = outcome.kind === 'refuse' ? outcome.allowed : '';
  return `Cannot ${control} onboarding "${onboardingId}": it is ${status}, and ${allowed}`;
}

/** What the release step does with a week's batch, given the onboarding as it is now. */
export type ReleaseGate =
  | { release: 'released' }
  /** Paused: the workflow waits for a resume before it releases anything. */
  | { release: 'paused' }
  /** Cancelled: nothing more is released (the cancel is stopping the execution). */
  | { release: 'cancelled' }
  /** A pause held the release past its time: the week moves `pausedWeeks` later, to `releaseAt`. */
  | { release: 'rescheduled'; pausedWeeks: number; releaseAt: string };

/**
 * Whether `week`'s batch goes out now. A pause holds it; once resumed, a release that the pause
 * held past its time moves by whole weeks (`shiftAfterPause`) to the first slot not before the
 * resume, or `now` if later (a resume whose callback was lost is noticed only later). A pause that
 * ended before the release was due changes nothing.
 */
export function releaseGate(
  onboarding: Pick<Onboarding, 'status' | 'plan' | 'resumedAt' | 'pausedWeeks'>,
  week: number,
  now: Date,
): ReleaseGate {
  if (onboarding.status === 'paused') return { release: 'paused' };
  if (onboarding.status === 'cancelled') return { release: 'cancelled' };
  const pausedWeeks = onboarding.pausedWeeks ?? 0;
  const { plan, resumedAt } = onboarding;
  const due = weekSchedule(plan, week, pausedWeeks).releaseAt;
  if (resumedAt === undefined || Date.parse(resumedAt) <= Date.parse(due)) {
    return { release: 'released' };
  }
  const notBefore = new Date(Math.max(Date.parse(resumedAt), now.getTime())).toISOString();
  const moved = shiftAfterPause(plan, week, pausedWeeks, notBefore);
  return { release: 'rescheduled', pausedWeeks: moved, releaseAt: weekSchedule(plan, week, moved).releaseAt };
}
