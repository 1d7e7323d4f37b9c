import type { Temporal } from 'temporal-polyfill';
import { dateIn, instantAt, isBusinessDay } from './calendar.ts';
import type { GateDecision } from './gate.ts';
import type { Plan } from './plan.ts';
import { stagePercentages } from './ramp.ts';
import { weekSchedule } from './schedule.ts';

/**
 * The owner's decision when the weekly check asks them (the gate's `escalate`). The workflow
 * waits on a task token until they decide through a signed link in the escalation email, or until
 * the deadline, when the default applies: hold one more week, and ask again if the next week is
 * no better.
 */

/** What the owner can decide. */
export const OWNER_CHOICES = ['continue', 'extend', 'abort'] as const;
export type OwnerChoice = (typeof OWNER_CHOICES)[number];

/** How each choice is named in the email (its link's text) and on its page. */
export const CHOICE_LABELS: Readonly<Record<OwnerChoice, string>> = {
  continue: 'Continue',
  extend: 'Extend this stage',
  abort: 'Abort the onboarding',
};

export function isOwnerChoice(value: unknown): value is OwnerChoice {
  return (OWNER_CHOICES as readonly unknown[]).includes(value);
}

/**
 * One question to the owner, kept under a stable action id (the onboarding and the week asked
 * about: the item `DECISION#NN`). The workflow's task token is kept beside it in the table and
 * never leaves it: the links carry only the action id and the choice, signed.
 */
export interface DecisionRequest {
  week: number;
  /** waiting for the owner; decided by them; or the deadline passed first (the default applied). */
  state: 'waiting' | 'decided' | 'timed-out';
  askedAt: string;
  /** When the default applies if nobody decided. */
  dueAt: string;
  choice?: OwnerChoice;
  /** The address the decision link was sent to, or the reply came from: who decided. */
  decidedBy?: string;
  /** How: the email's link (confirmed on its page), or a reply to the email. */
  decidedVia?: DecisionChannel;
  decidedAt?: string;
  timedOutAt?: string;
}

/** How the owner's decision came: through the email's link, or by replying to the email. */
export type DecisionChannel = 'link' | 'email';

/** What came of asking the owner, recorded on the week with the gate's decision. */
export interface OwnerAnswer {
  /** `none`: nobody decided by the deadline, and the default (hold) applied. */
  choice: OwnerChoice | 'none';
  /** When they decided, or when the deadline passed. */
  at: string;
  /** Who decided (the address the link was sent to, or the reply came from). */
  by?: string;
  /** How they decided (absent: nobody decided, or it was recorded before this was kept). */
  via?: DecisionChannel;
  /** In words, for the emails and the timeline. */
  reason: string;
}

/**
 * Until when the owner can decide about `week`, in the owner's time zone.
 *
 * About a week of the plan (1 and later): the last business day before the next week's check-in,
 * at the check-in time (the Friday before a Monday check-in, the day before any other). The next
 * batch waits for the decision (it goes out the moment the owner decides, or at the deadline), so
 * a deadline a business day before the check-in leaves that week its check-in and feedback
 * window (a wait of a whole week would put them in the past), never sends a batch on a weekend,
 * and still comes after the week's gate (its grace period ends at most three business days after
 * its check-in).
 *
 * About the due diligence (week 0): week 1's release, the plan's start at 09:00. Validation starts a
 * plan with references no sooner than the second business day after the references' deadline (a
 * whole business day to decide) so that no work goes out before the owner decided; the kickoff and week 1's batch wait for the decision, and a later
 * deadline would send them late (a kickoff saying work started on a past date).
 */
export function decisionDueAt(
  plan: Pick<Plan, 'start' | 'checkIn' | 'owner'>,
  week: number,
  pausedWeeks = 0,
): string {
  if (week === 0) return weekSchedule(plan, 1, pausedWeeks).releaseAt;
  const tz = plan.owner.timeZone;
  const nextCheckin = weekSchedule(plan, week + 1, pausedWeeks).checkinAt;
  return instantAt(previousBusinessDay(dateIn(nextCheckin, tz)), plan.checkIn.time, tz);
}

/** The last business day strictly before `date`. */
function previousBusinessDay(date: Temporal.PlainDate): Temporal.PlainDate {
  let previous = date.subtract({ days: 1 });
  while (!isBusinessDay(previous)) previous = previous.subtract({ days: 1 });
  return previous;
}

/** A wait shorter than this would leave the owner no time to read the email at all. */
const MIN_WAIT_SECONDS = 3600;

/** The wait's TimeoutSeconds: from `now` until the deadline, and never less than an hour. */
export function decisionTimeoutSeconds(dueAt: string, now: Date): number {
  return Math.max(MIN_WAIT_SECONDS, Math.ceil((Date.parse(dueAt) - now.getTime()) / 1000));
}

/** What each choice does, in words, for the email and the confirm page. */
export function choiceEffects(
  plan: Pick<Plan, 'ramp' | 'gate'>,
  decision: Pick<GateDecision, 'toStage' | 'continueEnds'>,
): Record<OwnerChoice, { label: string; effect: string }> {
  const at = `${stagePercentages(plan.ramp)[decision.toStage]}%`;
  return {
    continue: {
      label: CHOICE_LABELS.continue,
      effect: decision.continueEnds
        ? `Carry on as planned: this was the plan's last week, so the onboarding wraps up now and you get its summary (choose Extend for one more week at ${at}).`
        : `Carry on at ${at}: next week's batch brings new work, as after a good week at this stage.`,
    },
    extend: {
      label: CHOICE_LABELS.extend,
      effect: `Hold at ${at} one more week with the work already released (no new tasks); the onboarding gets an extra week, up to the plan's ${plan.gate.maxExtraWeeks}.`,
    },
    abort: {
      label: CHOICE_LABELS.abort,
      effect:
        'Stop the onboarding now: no more work is released, no more check-ins are sent, and both sides are told.',
    },
  };
}

/** The owner's answer as recorded on the week: from their decision, or the default at the deadline. */
export function ownerAnswer(
  plan: Pick<Plan, 'ramp'>,
  decision: Pick<GateDecision, 'toStage' | 'continueEnds'>,
  request: DecisionRequest,
): OwnerAnswer {
  const at = `${stagePercentages(plan.ramp)[decision.toStage]}%`;
  if (request.state !== 'decided' || !request.choice) {
    return {
      choice: 'none',
      at: request.timedOutAt ?? request.dueAt,
      reason: `no decision from the owner in time: hold at ${at} by default`,
    };
  }
  const reason = {
    continue: decision.continueEnds
      ? "the owner decided to carry on as planned: the plan's last week, so it wraps up"
      : `the owner decided to continue at ${at} with new work`,
    extend: `the owner extended the stage: hold at ${at} one more week`,
    abort: 'the owner aborted the onboarding',
  }[request.choice];
  return {
    choice: request.choice,
    at: request.decidedAt ?? request.askedAt,
    ...(request.decidedBy ? { by: request.decidedBy } : {}),
    ...(request.decidedVia ? { via: request.decidedVia } : {}),
    reason,
  };
}

/**
 * The gate's decision once the owner answered: only `continue` releases new work next week; the
 * stage stays the one the check set.
 */
export function withOwnerAnswer(
  decision: GateDecision,
  answer: OwnerAnswer,
): GateDecision & { owner: OwnerAnswer } {
  return { ...decision, releaseNew: answer.choice === 'continue', owner: answer };
}
