import { Temporal } from 'temporal-polyfill';
import { addBusinessDays, instantAt, onOrAfter } from './calendar.ts';
import type { Plan } from './plan.ts';

/** Work is released at the start of the owner's working day. */
export const RELEASE_TIME = '09:00';

/** When things happen in one week of an onboarding; instants as ISO-8601 UTC strings. */
export interface WeekSchedule {
  week: number;
  releaseAt: string;
  checkinAt: string;
  feedbackDueAt: string;
}

type SchedulePlan = Pick<Plan, 'start' | 'checkIn' | 'owner'>;

/**
 * The week's dates in the owner's time zone: week N starts N-1 weeks after the plan's start; its
 * check-in is the plan's check-in weekday on or after that start (the following week if that
 * would not be after the release); feedback is due a number of business days after the check-in.
 * A week never starts before the previous week's feedback is due.
 */
export function weekSchedule(plan: SchedulePlan, week: number): WeekSchedule {
  return withRelease(week, nominalWeek(plan, week), week > 1 ? nominalWeek(plan, week - 1) : undefined);
}

/** Every week of the plan, for the kickoff email (each week's dates computed once). */
export function checkinCalendar(plan: Pick<Plan, 'start' | 'checkIn' | 'owner' | 'weeks'>): WeekSchedule[] {
  const weeks: WeekSchedule[] = [];
  let previous: NominalWeek | undefined;
  for (let week = 1; week <= plan.weeks; week++) {
    const current = nominalWeek(plan, week);
    weeks.push(withRelease(week, current, previous));
    previous = current;
  }
  return weeks;
}

type NominalWeek = Omit<WeekSchedule, 'week'>;

function withRelease(week: number, current: NominalWeek, previous: NominalWeek | undefined): WeekSchedule {
  return {
    week,
    ...current,
    releaseAt: previous ? later(current.releaseAt, previous.feedbackDueAt) : current.releaseAt,
  };
}

/**
 * A week's dates from the calendar alone. The previous week's feedback can push a release later,
 * but never past the check-in: feedback takes at most 4 business days (6 calendar days), and the
 * next check-in is 7 days after the last, so the check-in never depends on earlier weeks.
 */
function nominalWeek(plan: SchedulePlan, week: number): NominalWeek {
  const tz = plan.owner.timeZone;
  const weekStart = Temporal.PlainDate.from(plan.start).add({ weeks: week - 1 });
  const releaseAt = instantAt(weekStart, RELEASE_TIME, tz);
  let checkinDate = onOrAfter(weekStart, plan.checkIn.weekday);
  if (Temporal.Instant.compare(instantAt(checkinDate, plan.checkIn.time, tz), releaseAt) <= 0) {
    checkinDate = checkinDate.add({ weeks: 1 });
  }
  return {
    releaseAt,
    checkinAt: instantAt(checkinDate, plan.checkIn.time, tz),
    feedbackDueAt: instantAt(
      addBusinessDays(checkinDate, plan.checkIn.feedbackWindowDays),
      plan.checkIn.time,
      tz,
    ),
  };
}

function later(a: string, b: string): string {
  return Temporal.Instant.compare(a, b) >= 0 ? a : b;
}
