import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { WEEKDAYS } from '#core/calendar';
import type { Plan } from '#core/plan';
import { checkinCalendar, weekSchedule } from '#core/schedule';
import { localTime, planFixture } from './fixtures.ts';

function planIn(timeZone: string, start: string, checkIn: Partial<Plan['checkIn']> = {}): Plan {
  const base = planFixture();
  return {
    ...base,
    start,
    owner: { ...base.owner, timeZone },
    checkIn: { ...base.checkIn, ...checkIn },
  };
}

/** The owner's wall-clock date and time of an instant, e.g. `2026-10-15T15:00:00`. */
function wallClock(instant: string, timeZone: string): string {
  return localTime(instant, timeZone).toPlainDateTime().toString();
}

const acrossDst = [
  // Berlin leaves summer time on Sunday 25 October 2026, between weeks 2 and 3.
  {
    timeZone: 'Europe/Berlin',
    start: '2026-10-12',
    checkins: ['2026-10-15T15:00:00', '2026-10-22T15:00:00', '2026-10-29T15:00:00', '2026-11-05T15:00:00'],
    offsets: ['+02:00', '+02:00', '+01:00', '+01:00'],
  },
  // New York leaves daylight time on Sunday 1 November 2026, between weeks 2 and 3.
  {
    timeZone: 'America/New_York',
    start: '2026-10-19',
    checkins: ['2026-10-22T15:00:00', '2026-10-29T15:00:00', '2026-11-05T15:00:00', '2026-11-12T15:00:00'],
    offsets: ['-04:00', '-04:00', '-05:00', '-05:00'],
  },
  // Manila has no DST: the same weeks keep +08:00.
  {
    timeZone: 'Asia/Manila',
    start: '2026-10-12',
    checkins: ['2026-10-15T15:00:00', '2026-10-22T15:00:00', '2026-10-29T15:00:00', '2026-11-05T15:00:00'],
    offsets: ['+08:00', '+08:00', '+08:00', '+08:00'],
  },
];

describe('weekSchedule: check-ins across a DST change', () => {
  it.each(acrossDst)(
    '$timeZone: check-ins fall on Thursdays at 15:00 local, week after week',
    ({ timeZone, start, checkins }) => {
      const plan = planIn(timeZone, start);

      const local = [1, 2, 3, 4].map((week) => wallClock(weekSchedule(plan, week).checkinAt, timeZone));

      expect(local).toEqual(checkins);
    },
  );

  it.each(acrossDst)(
    '$timeZone: each check-in is exactly 7 calendar days after the previous, same wall-clock time',
    ({ timeZone, start }) => {
      const plan = planIn(timeZone, start);

      const local = [1, 2, 3, 4].map((week) => localTime(weekSchedule(plan, week).checkinAt, timeZone));

      for (const [previous, next] of local.slice(0, -1).map((z, i) => [z, local[i + 1]!] as const)) {
        expect(previous.toPlainDate().until(next.toPlainDate()).days).toBe(7);
        expect(next.toPlainTime().equals(previous.toPlainTime())).toBe(true);
      }
    },
  );

  it.each(acrossDst)(
    '$timeZone: the check-ins’ UTC offsets follow the zone’s rules ($offsets)',
    ({ timeZone, start, offsets }) => {
      const plan = planIn(timeZone, start);

      const actual = [1, 2, 3, 4].map(
        (week) => localTime(weekSchedule(plan, week).checkinAt, timeZone).offset,
      );

      expect(actual).toEqual(offsets);
    },
  );
});

/** Every check-in weekday with every feedback window and grace period a plan may have. */
const cadences = WEEKDAYS.flatMap((weekday) =>
  [
    [1, 1],
    [1, 2],
    [2, 1],
  ].map(([feedbackWindowDays, graceDays]) => ({ weekday, feedbackWindowDays, graceDays })),
);

describe('weekSchedule: release', () => {
  it('releases week 1 at 09:00 local on the start date', () => {
    const plan = planIn('Europe/Berlin', '2026-12-07');

    const { releaseAt } = weekSchedule(plan, 1);

    expect(wallClock(releaseAt, 'Europe/Berlin')).toBe('2026-12-07T09:00:00');
  });

  it('releases week 2 when week 1’s grace period ends: the gate decides, then the batch goes out', () => {
    // Check-in Thursday 10 December, window closes Friday, one business day of grace: Monday.
    const plan = planIn('Europe/Berlin', '2026-12-07', { weekday: 'thursday', feedbackWindowDays: 1 });

    const { releaseAt } = weekSchedule(plan, 2);

    expect(wallClock(releaseAt, 'Europe/Berlin')).toBe('2026-12-14T15:00:00');
  });

  it('releases week 2 only when week 1’s feedback is due, when that is later than 09:00', () => {
    // A Friday 15:00 check-in: the window closes on Monday, the grace period on Tuesday at 15:00.
    const plan = planIn('Europe/Berlin', '2026-12-07', { weekday: 'friday', feedbackWindowDays: 1 });

    const { releaseAt } = weekSchedule(plan, 2);

    expect(wallClock(releaseAt, 'Europe/Berlin')).toBe('2026-12-15T15:00:00');
  });

  it.each(cadences)(
    'never releases week n+1 before week n’s feedback is due (check-in $weekday, $feedbackWindowDays-day window, $graceDays-day grace)',
    ({ weekday, feedbackWindowDays, graceDays }) => {
      const plan = planIn('Europe/Berlin', '2026-10-14', { weekday, feedbackWindowDays, graceDays });

      const weeks = Array.from({ length: 8 }, (_, i) => weekSchedule(plan, i + 1));

      for (const [previous, next] of weeks.slice(0, -1).map((w, i) => [w, weeks[i + 1]!] as const)) {
        expect(Temporal.Instant.compare(next.releaseAt, previous.feedbackDueAt)).toBeGreaterThanOrEqual(0);
      }
    },
  );

  it.each(cadences)(
    'keeps every check-in after its week’s release, even a delayed one (check-in $weekday, $feedbackWindowDays-day window, $graceDays-day grace)',
    ({ weekday, feedbackWindowDays, graceDays }) => {
      const plan = planIn('Europe/Berlin', '2026-10-14', {
        weekday,
        feedbackWindowDays,
        graceDays,
        time: '08:00',
      });

      const weeks = Array.from({ length: 8 }, (_, i) => weekSchedule(plan, i + 1));

      for (const week of weeks) {
        expect(Temporal.Instant.compare(week.checkinAt, week.releaseAt)).toBeGreaterThan(0);
      }
    },
  );
});

describe('weekSchedule: check-in on the start weekday', () => {
  it('moves a check-in before 09:00 on the start weekday to the next week', () => {
    const plan = planIn('Europe/Berlin', '2026-12-07', { weekday: 'monday', time: '08:30' });

    const { checkinAt } = weekSchedule(plan, 1);

    expect(wallClock(checkinAt, 'Europe/Berlin')).toBe('2026-12-14T08:30:00');
  });

  it('moves a check-in at exactly 09:00 on the start weekday to the next week', () => {
    const plan = planIn('Europe/Berlin', '2026-12-07', { weekday: 'monday', time: '09:00' });

    const { checkinAt } = weekSchedule(plan, 1);

    expect(wallClock(checkinAt, 'Europe/Berlin')).toBe('2026-12-14T09:00:00');
  });

  it('gives the first batch at least two business days before its check-in', () => {
    const onTheDay = planIn('Europe/Berlin', '2026-12-07', { weekday: 'monday', time: '09:30' });
    const dayAfter = planIn('Europe/Berlin', '2026-12-09', { weekday: 'thursday' });

    expect(wallClock(weekSchedule(onTheDay, 1).checkinAt, 'Europe/Berlin')).toBe('2026-12-14T09:30:00');
    expect(wallClock(weekSchedule(dayAfter, 1).checkinAt, 'Europe/Berlin')).toBe('2026-12-17T15:00:00');
  });
});

describe('weekSchedule: feedback window and grace period', () => {
  it('closes the window of a Friday check-in on Monday (the reminder) and the grace period on Tuesday', () => {
    const plan = planIn('Europe/Berlin', '2026-12-07', { weekday: 'friday', feedbackWindowDays: 1 });

    const { checkinAt, remindAt, feedbackDueAt } = weekSchedule(plan, 1);

    expect([checkinAt, remindAt, feedbackDueAt].map((at) => wallClock(at, 'Europe/Berlin'))).toEqual([
      '2026-12-11T15:00:00',
      '2026-12-14T15:00:00',
      '2026-12-15T15:00:00',
    ]);
  });

  it('closes a 2-day window of a Thursday check-in on Monday, and 1 day of grace on Tuesday', () => {
    const plan = planIn('Europe/Berlin', '2026-12-07', { weekday: 'thursday', feedbackWindowDays: 2 });

    const { remindAt, feedbackDueAt } = weekSchedule(plan, 1);

    expect(wallClock(remindAt, 'Europe/Berlin')).toBe('2026-12-14T15:00:00');
    expect(wallClock(feedbackDueAt, 'Europe/Berlin')).toBe('2026-12-15T15:00:00');
  });

  it('gives 2 days of grace after a 1-day window: Thursday check-in, Friday reminder, due Tuesday', () => {
    const plan = planIn('Europe/Berlin', '2026-12-07', { weekday: 'thursday', graceDays: 2 });

    const { remindAt, feedbackDueAt } = weekSchedule(plan, 1);

    expect(wallClock(remindAt, 'Europe/Berlin')).toBe('2026-12-11T15:00:00');
    expect(wallClock(feedbackDueAt, 'Europe/Berlin')).toBe('2026-12-15T15:00:00');
  });

  it('keeps the grace period’s end at the check-in time across a DST change (Berlin, 25 October 2026)', () => {
    // Week 2's check-in is Thursday 22 October in summer time; its grace period ends after the change.
    const plan = planIn('Europe/Berlin', '2026-10-12');

    const { checkinAt, remindAt, feedbackDueAt } = weekSchedule(plan, 2);

    expect([checkinAt, remindAt, feedbackDueAt].map((at) => wallClock(at, 'Europe/Berlin'))).toEqual([
      '2026-10-22T15:00:00',
      '2026-10-23T15:00:00',
      '2026-10-26T15:00:00',
    ]);
    expect([remindAt, feedbackDueAt]).toEqual(['2026-10-23T13:00:00.000Z', '2026-10-26T14:00:00.000Z']);
    expect(weekSchedule(plan, 3).releaseAt).toBe(feedbackDueAt);
  });
});

describe('checkinCalendar', () => {
  it('lists one schedule per week of the plan, numbered from 1', () => {
    const plan = { ...planIn('Europe/Berlin', '2026-12-07'), weeks: 3 };

    const calendar = checkinCalendar(plan);

    expect(calendar.map((w) => w.week)).toEqual([1, 2, 3]);
  });
});

describe('weekSchedule: every start day, check-in day and feedback window', () => {
  const businessDaysBetween = (from: Temporal.PlainDate, to: Temporal.PlainDate) => {
    let days = 0;
    for (let d = from.add({ days: 1 }); Temporal.PlainDate.compare(d, to) <= 0; d = d.add({ days: 1 })) {
      if (d.dayOfWeek <= 5) days++;
    }
    return days;
  };
  const cases = ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11'].flatMap((start) =>
    WEEKDAYS.flatMap((weekday) =>
      [
        [1, 1],
        [1, 2],
        [2, 1],
      ].map(([feedbackWindowDays, graceDays]) => ({ start, weekday, feedbackWindowDays, graceDays })),
    ),
  );

  it.each(cases)(
    'leaves the partner working days before each check-in: $start, $weekday, $feedbackWindowDays + $graceDays',
    (c) => {
      const plan = planIn('America/New_York', c.start, {
        weekday: c.weekday,
        feedbackWindowDays: c.feedbackWindowDays,
        graceDays: c.graceDays,
      });
      const date = (instant: string) =>
        Temporal.Instant.from(instant).toZonedDateTimeISO('America/New_York').toPlainDate();

      for (let week = 1; week <= 6; week++) {
        const { releaseAt, checkinAt, remindAt, feedbackDueAt } = weekSchedule(plan, week);
        expect(businessDaysBetween(date(releaseAt), date(checkinAt))).toBeGreaterThanOrEqual(2);
        expect(Temporal.Instant.compare(checkinAt, remindAt)).toBeLessThan(0);
        expect(Temporal.Instant.compare(remindAt, feedbackDueAt)).toBeLessThan(0);
        if (week > 1) expect(releaseAt).toBe(weekSchedule(plan, week - 1).feedbackDueAt);
      }
    },
  );
});
