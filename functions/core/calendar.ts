import { Temporal } from 'temporal-polyfill';

/**
 * Calendar arithmetic on Temporal: business days, wall-clock times in a time zone, DST-safe
 * (adding a day to a ZonedDateTime keeps the local time across a DST change; adding 86,400,000 ms
 * would not). Pure: "now" is always passed in.
 */

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
export type BusinessWeekday = (typeof WEEKDAYS)[number];

export function isTimeZone(value: string): boolean {
  if (!/^[A-Za-z]+(?:[/_+-][A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  try {
    Temporal.PlainDate.from(value, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}

export function isBusinessDay(date: Temporal.PlainDate): boolean {
  return date.dayOfWeek <= 5;
}

/** The first business day strictly after `date`. */
export function nextBusinessDay(date: Temporal.PlainDate): Temporal.PlainDate {
  let next = date.add({ days: 1 });
  while (!isBusinessDay(next)) next = next.add({ days: 1 });
  return next;
}

export function addBusinessDays(date: Temporal.PlainDate, days: number): Temporal.PlainDate {
  let result = date;
  for (let i = 0; i < days; i++) result = nextBusinessDay(result);
  return result;
}

/** The calendar date of an instant in a time zone. */
export function dateIn(instant: string | Temporal.Instant, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.from(instant).toZonedDateTimeISO(timeZone).toPlainDate();
}

// Resolving a wall-clock time in a time zone is the polyfill's slowest operation, and every step of
// every week asks for the same few dates again: remember the answers (a pure function of the key).
const instants = new Map<string, string>();

/**
 * The instant at which a wall-clock time occurs on a date in a time zone, in the form of
 * Date#toISOString (UTC, with milliseconds), so every timestamp in the table compares as text.
 */
export function instantAt(date: Temporal.PlainDate, time: string, timeZone: string): string {
  const key = `${date} ${time} ${timeZone}`;
  let instant = instants.get(key);
  if (instant === undefined) {
    const zoned = date.toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(time) });
    instant = new Date(zoned.epochMilliseconds).toISOString();
    if (instants.size >= 10_000) instants.clear();
    instants.set(key, instant);
  }
  return instant;
}

export function weekdayNumber(weekday: BusinessWeekday): number {
  return WEEKDAYS.indexOf(weekday) + 1;
}

/** The first date on or after `from` that falls on `weekday`. */
export function onOrAfter(from: Temporal.PlainDate, weekday: BusinessWeekday): Temporal.PlainDate {
  const offset = (weekdayNumber(weekday) - from.dayOfWeek + 7) % 7;
  return from.add({ days: offset });
}

const DATE_TIME: Intl.DateTimeFormatOptions = {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
};
const DATE: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
};

// Building an Intl.DateTimeFormat costs far more than formatting with one, and every email shows
// several dates in one of a few time zones: keep one formatter per (style, time zone).
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(style: 'date-time' | 'date', timeZone: string): Intl.DateTimeFormat {
  const key = `${style} ${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { ...(style === 'date' ? DATE : DATE_TIME), timeZone });
    formatters.set(key, format);
  }
  return format;
}

/** "Thursday 10 December 2026 at 15:00 CET": an instant as a reader in `timeZone` sees it. */
export function formatDateTime(instant: string, timeZone: string): string {
  return formatter('date-time', timeZone).format(new Date(instant));
}

/** "Thu 10 Dec 2026": a short date as a reader in `timeZone` sees it. */
export function formatDate(instant: string, timeZone: string): string {
  return formatter('date', timeZone).format(new Date(instant));
}
