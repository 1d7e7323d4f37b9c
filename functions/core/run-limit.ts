import type { Onboarding } from './onboarding.ts';
import type { Plan } from './plan.ts';
import { weekSchedule } from './schedule.ts';

/**
 * How long AWS lets a Step Functions Standard execution run: a year. Past it the execution fails
 * (States.Timeout) wherever it is, without a Catch, so nothing would tell anyone or update the table.
 */
export const EXECUTION_LIFETIME_DAYS = 365;

/**
 * Kept free before that limit. The schedule moves in whole weeks, so a week of margin absorbs one
 * weekly slot's slip nobody planned for (a resume noticed late), besides the retries of the last
 * gate and the wrap-up.
 */
export const RUN_MARGIN_DAYS = 7;

/** The longest an onboarding may run, from its submission to its last possible gate and wrap-up. */
export const MAX_RUN_DAYS = EXECUTION_LIFETIME_DAYS - RUN_MARGIN_DAYS;

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** What the run's length depends on: the schedule and how many weeks it may grow. */
export type RunPlan = Pick<Plan, 'start' | 'checkIn' | 'owner' | 'weeks' | 'gate'>;

/**
 * The line every onboarding must have ended by: `createdAt` plus `MAX_RUN_DAYS`. The onboarding is
 * written just before its execution is started (a start redelivered later only starts it later),
 * so its `createdAt` is never after the execution's start, and this line never after the real one.
 */
export function runDeadline(createdAt: string): string {
  return new Date(Date.parse(createdAt) + MAX_RUN_DAYS * DAY_MS).toISOString();
}

/** The last week the plan can run: its weeks and every extra week its gate allows (at most 52). */
export function longestWeek(plan: Pick<Plan, 'weeks' | 'gate'>): number {
  return Math.min(plan.weeks + plan.gate.maxExtraWeeks, 52);
}

/**
 * When the run ends at the latest once pauses have moved it `pausedWeeks`: the end of the grace
 * period of its longest possible last week (every extension taken), when the last gate decides and
 * the wrap-up follows at once.
 */
export function latestEnd(plan: RunPlan, pausedWeeks = 0): string {
  return weekSchedule(plan, longestWeek(plan), pausedWeeks).feedbackDueAt;
}

/** Whether the run, moved `pausedWeeks` and with every extension allowed, ends by the line. */
export function fitsRunLimit(plan: RunPlan, createdAt: string, pausedWeeks: number): boolean {
  return Date.parse(latestEnd(plan, pausedWeeks)) <= Date.parse(runDeadline(createdAt));
}

/**
 * Until when a pause that holds `week`'s release can still be resumed: the release time of the
 * latest weekly slot that lets the whole run (every extension included) end by the line. A resume
 * before it goes on, moved at most to that slot (`shiftAfterPause`); from then on the onboarding
 * cannot fit any more and ends. A plan with no week to spare gets the week's own release time:
 * only a pause that moves nothing can be resumed.
 */
export function resumeDeadline(
  onboarding: Pick<Onboarding, 'plan' | 'createdAt' | 'pausedWeeks'>,
  week: number,
): string {
  const { plan, createdAt } = onboarding;
  const pausedWeeks = onboarding.pausedWeeks ?? 0;
  const line = Date.parse(runDeadline(createdAt));
  const endAt = (shift: number) => Date.parse(latestEnd(plan, shift));
  // Weeks are 7 days on the owner's calendar, an hour off across a DST change: estimate, then settle.
  let shift = Math.max(pausedWeeks, pausedWeeks + Math.floor((line - endAt(pausedWeeks)) / WEEK_MS));
  while (shift > pausedWeeks && endAt(shift) > line) shift--;
  while (endAt(shift + 1) <= line) shift++;
  return weekSchedule(plan, week, shift).releaseAt;
}
