import { Temporal } from 'temporal-polyfill';
import type { Feedback } from './feedback.ts';
import type { WeekRecord } from './onboarding.ts';
import type { Plan } from './plan.ts';

/** The two sides of the weekly conversation. */
export type Side = Feedback['role'];
export const SIDES: readonly Side[] = ['owner', 'partner'];

/** How long one side has gone without a word (a rating by link, a reply by email, or through the API). */
export interface SideHealth {
  /** Their latest answer, any week, any source; null when they never answered. */
  lastHeardAt: string | null;
  /**
   * Since when they are silent: their latest answer, or, if they never answered, the first
   * check-in that asked them. Null before any check-in asked them.
   */
  silentSince: string | null;
  /**
   * Whole days from `silentSince` to the moment of the health on the owner's wall clock (a day
   * that a DST change made 23 or 25 hours long counts as one); null with it.
   */
  silentDays: number | null;
  /** Silent beyond the plan's `gate.silenceLimitDays`. */
  atRisk: boolean;
}

/** Communication health of an onboarding: how long since each side was heard from. */
export interface CommunicationHealth {
  /** The moment it describes. */
  asOf: string;
  /** The plan's `gate.silenceLimitDays`. */
  limitDays: number;
  owner: SideHealth;
  partner: SideHealth;
  /**
   * Days since the last two-way contact, a week in which both sides were heard from: the longer of
   * the two silences (null before any check-in).
   */
  daysSinceTwoWayContact: number | null;
  /** Either side silent beyond the limit. */
  atRisk: boolean;
}

/** The silence limit of plans stored before it was a plan field. */
const DEFAULT_SILENCE_LIMIT_DAYS = 14;

/**
 * The communication health as of `now`, from the check-ins so far (each asks both sides) and every
 * answer recorded. Check-ins and answers after `now` do not count yet. Days are counted on the
 * owner's calendar, as the limit and the emails speak of them: from Thursday 10:00 to the Thursday
 * two weeks later at 10:00 is 14 days, across a DST change too (13 days and 23 hours by the clock).
 */
export function communicationHealth(
  plan: { gate: Pick<Plan['gate'], 'silenceLimitDays'>; owner: Pick<Plan['owner'], 'timeZone'> },
  weeks: readonly Pick<WeekRecord, 'checkinAt'>[],
  feedback: readonly Pick<Feedback, 'role' | 'at'>[],
  now: string,
): CommunicationHealth {
  const limitDays = plan.gate.silenceLimitDays ?? DEFAULT_SILENCE_LIMIT_DAYS;
  const at = Date.parse(now);
  const firstAsked = weeks
    .map((w) => w.checkinAt)
    .filter((checkin) => Date.parse(checkin) <= at)
    .sort()[0];
  const side = (role: Side): SideHealth => {
    const lastHeardAt =
      feedback
        .filter((f) => f.role === role && Date.parse(f.at) <= at)
        .map((f) => f.at)
        .sort((a, b) => Date.parse(a) - Date.parse(b))
        .at(-1) ?? null;
    const silentSince = lastHeardAt ?? firstAsked ?? null;
    const silentDays = silentSince === null ? null : daysBetween(silentSince, now, plan.owner.timeZone);
    return { lastHeardAt, silentSince, silentDays, atRisk: silentDays !== null && silentDays > limitDays };
  };
  const owner = side('owner');
  const partner = side('partner');
  const days = [owner.silentDays, partner.silentDays].filter((d) => d !== null);
  return {
    asOf: now,
    limitDays,
    owner,
    partner,
    daysSinceTwoWayContact: days.length > 0 ? Math.max(...days) : null,
    atRisk: owner.atRisk || partner.atRisk,
  };
}

/** Whole days from `from` to `to` on the wall clock of `timeZone` (24-hour blocks would miss a day after a spring-forward). */
function daysBetween(from: string, to: string, timeZone: string): number {
  const zoned = (instant: string) =>
    Temporal.Instant.fromEpochMilliseconds(Date.parse(instant)).toZonedDateTimeISO(timeZone);
  return zoned(to).since(zoned(from), { largestUnit: 'days' }).days;
}

/** The side silent longest, when anyone has been asked. */
export function longestSilence(health: CommunicationHealth): { role: Side; days: number } | null {
  const silences = SIDES.flatMap((role) => {
    const days = health[role].silentDays;
    return days === null ? [] : [{ role, days }];
  });
  return silences.sort((a, b) => b.days - a.days)[0] ?? null;
}

/** The sides that have not answered the check-in of `week`: the ones to remind. */
export function silentSides(week: number, feedback: readonly Pick<Feedback, 'week' | 'role'>[]): Side[] {
  return SIDES.filter((role) => !feedback.some((f) => f.week === week && f.role === role));
}

/** "9 days ago", "yesterday", "today": for the emails. */
export function daysAgo(days: number): string {
  if (days <= 0) return 'today';
  if (days === 1) return 'yesterday';
  return `${days} days ago`;
}
