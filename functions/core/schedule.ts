import { Temporal } from 'temporal-polyfill';
import { addBusinessDays, instantAt, onOrAfter } from './calendar.ts';
import type { Plan } from './plan.ts';

/** Work is released at the start of the owner's working day. */
export const RELEASE_TIME = '09:00';

/** The first week's batch gets at least this many business days before its check-in. */
export const FIRST_WEEK_BUSINESS_DAYS = 2;

/** Business days from one check-in to the next. */
export const BUSINESS_DAYS_PER_WEEK = 5;

/** The grace period of plans stored before it was a plan field. */
const DEFAULT_GRACE_DAYS = 1;

/** When things happen in one week of an onboarding; instants as ISO-8601 UTC strings. */
export interface WeekSchedule {
  week: number;
  releaseAt: string;
  checkinAt: string;
  /** The end of the feedback window: whoever has not answered is reminded, once. */
  remindAt: string;
  /** The end of the grace period: the last moment an answer counts; the gate decides then. */
  feedbackDueAt: string;
}

type SchedulePlan = Pick<Plan, 'start' | 'checkIn' | 'owner'>;

/**
 * The week's dates in the owner's time zone. Check-ins are a week apart on the plan's check-in
 * weekday and time; the first is the first such day at least two business days after the start,
 * so the first batch has time to be worked on. The feedback window closes a number of business
 * days after each check-in (one or two): the silent are reminded then, and answers still count
 * for the grace period after it (one or two business days more). Feedback is due when the grace
 * period ends, and that is when the next week's batch goes out: week 1 starts on the start date at
 * 09:00, every later week when the gate has decided the one before. `pausedWeeks` moves every
 * date that many calendar weeks later (see `shiftAfterPause`).
 */
export function weekSchedule(plan: SchedulePlan, week: number, pausedWeeks = 0): WeekSchedule {
  const tz = plan.owner.timeZone;
  const start = Temporal.PlainDate.from(plan.start).add({ weeks: pausedWeeks });
  const checkinDate = firstCheckinDate(plan).add({ weeks: week - 1 + pausedWeeks });
  const releaseAt =
    week === 1 ? instantAt(start, RELEASE_TIME, tz) : feedbackDue(plan, checkinDate.subtract({ weeks: 1 }));
  return {
    week,
    releaseAt,
    checkinAt: instantAt(checkinDate, plan.checkIn.time, tz),
    remindAt: afterCheckin(plan, checkinDate, plan.checkIn.feedbackWindowDays),
    feedbackDueAt: feedbackDue(plan, checkinDate),
  };
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * How many whole weeks the schedule has moved once a pause held the release of `week` past its
 * time: the fewest that put the week's release at or after `notBefore` (when the pause ended),
 * so the week still gets its full span before its check-in, and every check-in after keeps its
 * weekday and time. A pause that ended before the release was due moves nothing.
 */
export function shiftAfterPause(
  plan: SchedulePlan,
  week: number,
  pausedWeeks: number,
  notBefore: string,
): number {
  const target = Date.parse(notBefore);
  const releaseAt = (shift: number) => Date.parse(weekSchedule(plan, week, shift).releaseAt);
  const late = target - releaseAt(pausedWeeks);
  if (late <= 0) return pausedWeeks;
  // Weeks are 7 days on the owner's calendar, an hour off 7 × 24 h across a DST change: estimate,
  // then settle on the first week that is not early.
  let shift = pausedWeeks + Math.max(1, Math.ceil(late / WEEK_MS) - 1);
  while (releaseAt(shift) < target) shift++;
  return shift;
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
  const grace = plan.checkIn.graceDays ?? DEFAULT_GRACE_DAYS;
  return afterCheckin(plan, checkinDate, plan.checkIn.feedbackWindowDays + grace);
}

/** `businessDays` after the check-in's day, at the check-in time, in the owner's time zone. */
function afterCheckin(plan: SchedulePlan, checkinDate: Temporal.PlainDate, businessDays: number): string {
  return instantAt(addBusinessDays(checkinDate, businessDays), plan.checkIn.time, plan.owner.timeZone);
}
