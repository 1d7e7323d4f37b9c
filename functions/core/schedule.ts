import { Temporal } from 'temporal-polyfill';
import { addBusinessDays, instantAt, onOrAfter } from './calendar.ts';
import type { Plan } from './plan.ts';

/** Work is released at the start of the owner's working day. */
export const RELEASE_TIME = '09:00';

/** The first week's batch gets at least this many business days before its check-in. */
export const FIRST_WEEK_BUSINESS_DAYS = 2;

/** When things happen in one week of an onboarding; instants as ISO-8601 UTC strings. */
export interface WeekSchedule {
  week: number;
  releaseAt: string;
  checkinAt: string;
  feedbackDueAt: string;
}

type SchedulePlan = Pick<Plan, 'start' | 'checkIn' | 'owner'>;

/**
 * The week's dates in the owner's time zone. Check-ins are a week apart on the plan's check-in
 * weekday and time; the first is the first such day at least two business days after the start,
 * so the first batch has time to be worked on. Feedback is due a number of business days after
 * each check-in (one or two), and that is when the next week's batch goes out: week 1 starts on
 * the start date at 09:00, every later week when the gate has decided the one before.
 */
export function weekSchedule(plan: SchedulePlan, week: number): WeekSchedule {
  const tz = plan.owner.timeZone;
  const start = Temporal.PlainDate.from(plan.start);
  const checkinDate = firstCheckinDate(plan).add({ weeks: week - 1 });
  const releaseAt =
    week === 1 ? instantAt(start, RELEASE_TIME, tz) : feedbackDue(plan, checkinDate.subtract({ weeks: 1 }));
  return {
    week,
    releaseAt,
    checkinAt: instantAt(checkinDate, plan.checkIn.time, tz),
    feedbackDueAt: feedbackDue(plan, checkinDate),
  };
}

/** Every week of the plan, for the kickoff email. */
export function checkinCalendar(plan: Pick<Plan, 'start' | 'checkIn' | 'owner' | 'weeks'>): WeekSchedule[] {
  return Array.from({ length: plan.weeks }, (_, i) => weekSchedule(plan, i + 1));
}

function firstCheckinDate(plan: SchedulePlan): Temporal.PlainDate {
  return onOrAfter(
    addBusinessDays(Temporal.PlainDate.from(plan.start), FIRST_WEEK_BUSINESS_DAYS),
    plan.checkIn.weekday,
  );
}

function feedbackDue(plan: SchedulePlan, checkinDate: Temporal.PlainDate): string {
  return instantAt(
    addBusinessDays(checkinDate, plan.checkIn.feedbackWindowDays),
    plan.checkIn.time,
    plan.owner.timeZone,
  );
}
