import { Temporal } from 'temporal-polyfill';

/**
 * Calendar arithmetic on Temporal: business days, wall-clock times in a time zone, DST-safe
 * (adding a day to a ZonedDateTime keeps the local time across a DST change; adding 86,400,000 ms
 * would not). Pure: "now" is always passed in.
 */

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
export type BusinessWeekday = (typeof WEEKDAYS)[number];

export function isTimeZone(value: string): boolean {
  // A name, not an offset: "Europe/Berlin", "Etc/GMT+5", and the POSIX-style "EST5EDT" or "GMT0".
  if (!/^[A-Za-z][A-Za-z0-9]*(?:[/_+-][A-Za-z0-9_+-]+)*$/.test(value)) return false;
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

/**
 * An instant's date and time on a wall clock, as numbers only: every ICU version gives the same
 * digits, whereas the words and punctuation around them (", " or " at ", "Sep" or "Sept") and the
 * zone's short name ("CET", "PHT" or "GMT+8") change from one version, and one locale, to the next.
 */
const WALL_CLOCK: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
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
function formatter(style: 'wall-clock' | 'date', timeZone: string): Intl.DateTimeFormat {
  const key = `${style} ${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format =
      style === 'date'
        ? new Intl.DateTimeFormat('en-GB', { ...DATE, timeZone })
        : new Intl.DateTimeFormat('en-US', { ...WALL_CLOCK, timeZone, numberingSystem: 'latn' });
    formatters.set(key, format);
  }
  return format;
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** Minutes ahead of UTC (negative: behind), as the zone's rules have it at that instant. */
  offsetMinutes: number;
}

function wallClock(instant: string, timeZone: string): WallClock {
  const at = new Date(instant).getTime();
  const parts = formatter('wall-clock', timeZone).formatToParts(at);
  const { year, month, day, hour, minute } = Object.fromEntries(
    parts.map((part) => [part.type, Number(part.value)]),
  ) as Record<'year' | 'month' | 'day' | 'hour' | 'minute', number>;
  // The wall clock read as if it were UTC, less the instant (to the minute): the zone's offset.
  const wholeMinute = Math.floor(at / 60_000) * 60_000;
  const offsetMinutes = Math.round((Date.UTC(year, month - 1, day, hour, minute) - wholeMinute) / 60_000);
  return { year, month, day, hour, minute, offsetMinutes };
}

/** The zones that are UTC by another name: labelled "UTC", never "UTC+0". */
const UTC_ZONES: ReadonlySet<string> = new Set(
  ['UTC', 'UCT', 'GMT', 'GMT0', 'GMT+0', 'GMT-0', 'Greenwich', 'Universal', 'Zulu'].flatMap((name) => [
    name.toLowerCase(),
    `etc/${name.toLowerCase()}`,
  ]),
);

/**
 * The areas whose zones are named after a place people know the time of ("America/New_York",
 * "America/Argentina/Buenos_Aires"), or a region ("US/Eastern", "Canada/Atlantic"). Zones of
 * `Etc/` are fixed offsets (with the sign inverted: "Etc/GMT+5" is UTC-5), and those without an
 * area ("CET", "EST5EDT") name no place.
 */
const PLACE_AREAS: ReadonlySet<string> = new Set([
  'africa',
  'america',
  'antarctica',
  'arctic',
  'asia',
  'atlantic',
  'australia',
  'europe',
  'indian',
  'pacific',
  'us',
  'canada',
]);

/** "UTC+1", "UTC-5", "UTC+5:30". */
function offsetLabel(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'UTC';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hours = Math.floor(Math.abs(offsetMinutes) / 60);
  const minutes = Math.abs(offsetMinutes) % 60;
  return `UTC${sign}${hours}${minutes ? `:${String(minutes).padStart(2, '0')}` : ''}`;
}

/** "new_york" or "NEW_YORK" as written in a plan: "New York"; "Port-au-Prince" stays as it is. */
function placeName(segment: string): string {
  return segment
    .split('_')
    .map((word) =>
      word === word.toLowerCase() || word === word.toUpperCase()
        ? word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()
        : word,
    )
    .join(' ');
}

/**
 * How a time zone is named after a time, for a reader: "New York time", "Berlin time" (the place
 * of the IANA name: right in winter and in summer, and not an abbreviation such as EST or CET
 * that readers elsewhere do not know, or that some locales print as "GMT-5"); "UTC"; or, for a
 * zone that names no place, the offset in force at `instant` ("UTC-5"). Made from the zone's
 * name, not from Intl's zone names, which differ between ICU versions (Node 20 and 22) and locales.
 */
export function timeZoneLabel(timeZone: string, instant: string): string {
  const id = timeZone.toLowerCase();
  if (UTC_ZONES.has(id)) return 'UTC';
  const segments = timeZone.split('/');
  const place = segments.at(-1)!;
  if (
    segments.length > 1 &&
    PLACE_AREAS.has(segments[0]!.toLowerCase()) &&
    /^[A-Za-z][A-Za-z_-]*$/.test(place)
  ) {
    return `${placeName(place)} time`;
  }
  return offsetLabel(wallClock(instant, timeZone).offsetMinutes);
}

/**
 * "Thursday, 10 December 2026 at 15:00 Berlin time": an instant as a reader in `timeZone` sees it,
 * the same on every Node version (see `timeZoneLabel`).
 */
export function formatDateTime(instant: string, timeZone: string): string {
  const { year, month, day, hour, minute } = wallClock(instant, timeZone);
  const weekday = WEEKDAY_NAMES[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
  const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return `${weekday}, ${day} ${MONTH_NAMES[month - 1]} ${year} at ${time} ${timeZoneLabel(timeZone, instant)}`;
}

/** "Thu, 10 Dec 2026": a short date as a reader in `timeZone` sees it. */
export function formatDate(instant: string, timeZone: string): string {
  return formatter('date', timeZone).format(new Date(instant));
}
