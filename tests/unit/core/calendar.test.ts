import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  dateIn,
  formatDateTime,
  instantAt,
  isBusinessDay,
  isCalendarDate,
  isTimeZone,
  nextBusinessDay,
  onOrAfter,
  timeZoneLabel,
} from '#core/calendar';

const date = (iso: string) => Temporal.PlainDate.from(iso);

describe('business days', () => {
  it('counts Friday as a business day', () => {
    expect(isBusinessDay(date('2026-10-09'))).toBe(true);
  });

  it('does not count Saturday or Sunday as business days', () => {
    expect([date('2026-10-10'), date('2026-10-11')].map(isBusinessDay)).toEqual([false, false]);
  });

  it('gives Monday as the business day after a Friday', () => {
    expect(nextBusinessDay(date('2026-10-09')).toString()).toBe('2026-10-12');
  });

  it('gives Monday as the business day after a Saturday', () => {
    expect(nextBusinessDay(date('2026-10-10')).toString()).toBe('2026-10-12');
  });

  it('gives the next day as the business day after a Wednesday', () => {
    expect(nextBusinessDay(date('2026-10-07')).toString()).toBe('2026-10-08');
  });

  it('skips the weekend when adding one business day to a Friday', () => {
    expect(addBusinessDays(date('2026-10-09'), 1).toString()).toBe('2026-10-12');
  });

  it('skips the weekend when adding three business days to a Thursday', () => {
    expect(addBusinessDays(date('2026-10-08'), 3).toString()).toBe('2026-10-13');
  });

  it('lands on the next Friday when adding five business days to a Friday', () => {
    expect(addBusinessDays(date('2026-10-09'), 5).toString()).toBe('2026-10-16');
  });
});

describe('onOrAfter', () => {
  it('returns the date itself when it already falls on the weekday', () => {
    expect(onOrAfter(date('2026-10-08'), 'thursday').toString()).toBe('2026-10-08');
  });

  it('returns the following week when the weekday has passed', () => {
    expect(onOrAfter(date('2026-10-09'), 'thursday').toString()).toBe('2026-10-15');
  });

  it('returns the Monday after a Saturday', () => {
    expect(onOrAfter(date('2026-10-10'), 'monday').toString()).toBe('2026-10-12');
  });
});

describe('instantAt across DST changes', () => {
  it.each([
    // Europe/Berlin leaves summer time on the last Sunday of October (25 October 2026).
    { timeZone: 'Europe/Berlin', day: '2026-10-24', utc: '2026-10-24T13:00:00.000Z' },
    { timeZone: 'Europe/Berlin', day: '2026-10-26', utc: '2026-10-26T14:00:00.000Z' },
    // America/New_York leaves daylight time on the first Sunday of November (1 November 2026).
    { timeZone: 'America/New_York', day: '2026-10-31', utc: '2026-10-31T19:00:00.000Z' },
    { timeZone: 'America/New_York', day: '2026-11-02', utc: '2026-11-02T20:00:00.000Z' },
  ])('puts 15:00 on $day in $timeZone at $utc', ({ timeZone, day, utc }) => {
    expect(instantAt(date(day), '15:00', timeZone)).toBe(utc);
  });

  it.each(['2026-03-27', '2026-03-30', '2026-10-24', '2026-10-26', '2026-11-02'])(
    'puts 15:00 on %s in Asia/Manila at 07:00 UTC (a constant +08:00, no DST)',
    (day) => {
      expect(instantAt(date(day), '15:00', 'Asia/Manila')).toBe(`${day}T07:00:00.000Z`);
    },
  );
});

describe('dateIn', () => {
  it('gives the date of the reader’s wall clock, not the UTC date', () => {
    // 20:00 UTC on Thursday is already 04:00 on Friday in Manila.
    expect(dateIn('2026-10-08T20:00:00Z', 'Asia/Manila').toString()).toBe('2026-10-09');
  });
});

describe('isTimeZone', () => {
  it('accepts an IANA zone name', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
  });

  it('rejects a name that is not in the time zone database', () => {
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('rejects the empty string', () => {
    expect(isTimeZone('')).toBe(false);
  });

  it.each(['EST5EDT', 'PST8PDT', 'GMT0', 'Etc/GMT+5'])('accepts the database name %s', (zone) => {
    expect(isTimeZone(zone)).toBe(true);
  });

  it('rejects an offset, which is not a zone', () => {
    expect(isTimeZone('+05:00')).toBe(false);
  });
});

describe('isCalendarDate', () => {
  it('accepts a real date', () => {
    expect(isCalendarDate('2027-02-28')).toBe(true);
  });

  it('accepts 29 February in a leap year', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
  });

  it('rejects 30 February', () => {
    expect(isCalendarDate('2027-02-30')).toBe(false);
  });

  it.each(['2027-2-3', '2027-02-03T00:00', '03.02.2027', ''])(
    'rejects %j, which is not YYYY-MM-DD',
    (value) => {
      expect(isCalendarDate(value)).toBe(false);
    },
  );
});

describe('formatDateTime', () => {
  const WINTER = '2027-01-14T14:00:00Z';
  const SUMMER = '2027-07-14T14:00:00Z';

  it('shows an instant on the reader’s wall clock', () => {
    const berlin = formatDateTime('2026-12-10T14:00:00Z', 'Europe/Berlin');
    const manila = formatDateTime('2026-12-10T14:00:00Z', 'Asia/Manila');

    expect([berlin, manila]).toEqual([
      'Thursday, 10 December 2026 at 15:00 Berlin time',
      'Thursday, 10 December 2026 at 22:00 Manila time',
    ]);
  });

  it('names New York by its place in winter and in summer, never as GMT-5 or GMT-4', () => {
    expect([formatDateTime(WINTER, 'America/New_York'), formatDateTime(SUMMER, 'America/New_York')]).toEqual([
      'Thursday, 14 January 2027 at 09:00 New York time',
      'Wednesday, 14 July 2027 at 10:00 New York time',
    ]);
  });

  it('keeps the hour of a zone without DST all year', () => {
    expect([formatDateTime(WINTER, 'Asia/Manila'), formatDateTime(SUMMER, 'Asia/Manila')]).toEqual([
      'Thursday, 14 January 2027 at 22:00 Manila time',
      'Wednesday, 14 July 2027 at 22:00 Manila time',
    ]);
    expect(formatDateTime(SUMMER, 'UTC')).toBe('Wednesday, 14 July 2027 at 14:00 UTC');
  });

  // The exact text, so that a Node version (and so an ICU version) that words dates or zones
  // differently fails here rather than in an email.
  it.each([
    [
      'Europe/Berlin',
      'Thursday, 14 January 2027 at 15:00 Berlin time',
      'Wednesday, 14 July 2027 at 16:00 Berlin time',
    ],
    [
      'Europe/Lisbon',
      'Thursday, 14 January 2027 at 14:00 Lisbon time',
      'Wednesday, 14 July 2027 at 15:00 Lisbon time',
    ],
    [
      'Asia/Kolkata',
      'Thursday, 14 January 2027 at 19:30 Kolkata time',
      'Wednesday, 14 July 2027 at 19:30 Kolkata time',
    ],
    [
      'Australia/Sydney',
      'Friday, 15 January 2027 at 01:00 Sydney time',
      'Thursday, 15 July 2027 at 00:00 Sydney time',
    ],
    ['Etc/UTC', 'Thursday, 14 January 2027 at 14:00 UTC', 'Wednesday, 14 July 2027 at 14:00 UTC'],
  ])('%s: the same words on every Node version', (timeZone, winter, summer) => {
    expect([formatDateTime(WINTER, timeZone), formatDateTime(SUMMER, timeZone)]).toEqual([winter, summer]);
  });
});

describe('timeZoneLabel', () => {
  const WINTER = '2027-01-14T14:00:00Z';
  const SUMMER = '2027-07-14T14:00:00Z';

  it.each([
    ['America/New_York', 'New York time'],
    ['Europe/Berlin', 'Berlin time'],
    ['Asia/Ho_Chi_Minh', 'Ho Chi Minh time'],
    ['America/Argentina/Buenos_Aires', 'Buenos Aires time'],
    ['America/Port-au-Prince', 'Port-au-Prince time'],
    ['US/Eastern', 'Eastern time'],
    ['america/new_york', 'New York time'],
  ])('names %s by its place: %s, in winter and in summer', (timeZone, label) => {
    expect([timeZoneLabel(timeZone, WINTER), timeZoneLabel(timeZone, SUMMER)]).toEqual([label, label]);
  });

  it.each(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'utc'])('names %s UTC', (timeZone) => {
    expect(timeZoneLabel(timeZone, WINTER)).toBe('UTC');
  });

  it.each([
    ['Etc/GMT+5', 'UTC-5', 'UTC-5'],
    ['Etc/GMT-14', 'UTC+14', 'UTC+14'],
    ['EST5EDT', 'UTC-5', 'UTC-4'],
    ['CET', 'UTC+1', 'UTC+2'],
    ['Iran', 'UTC+3:30', 'UTC+3:30'],
  ])(
    'names %s, which names no place, by the offset in force: %s in winter, %s in summer',
    (timeZone, winter, summer) => {
      expect([timeZoneLabel(timeZone, WINTER), timeZoneLabel(timeZone, SUMMER)]).toEqual([winter, summer]);
    },
  );
});
