import { describe, expect, it } from 'vitest';
import type { OnboardingStatus } from '#core/onboarding';
import {
  type Control,
  canStillResume,
  controlOutcome,
  pausedTooLateRefusal,
  refusal,
  releaseGate,
} from '#core/onboarding-controls';
import { resumeDeadline } from '#core/run-limit';
import { shiftAfterPause, weekSchedule } from '#core/schedule';
import { localTime, planFixture } from './fixtures.ts';

const STATUSES: OnboardingStatus[] = [
  'pending',
  'active',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'aborted',
];

describe('controlOutcome: which status changes pause, resume and cancel make', () => {
  const expected: Record<Control, Record<OnboardingStatus, string>> = {
    pause: {
      pending: 'refuse',
      active: 'change to paused',
      paused: 'same',
      completed: 'refuse',
      failed: 'refuse',
      cancelled: 'refuse',
      aborted: 'refuse',
    },
    resume: {
      pending: 'refuse',
      // Never paused: nothing to repeat (a resumed one answers the same, below).
      active: 'refuse',
      paused: 'change to active',
      completed: 'refuse',
      failed: 'refuse',
      cancelled: 'refuse',
      aborted: 'refuse',
    },
    cancel: {
      pending: 'change to cancelled',
      active: 'change to cancelled',
      paused: 'change to cancelled',
      completed: 'refuse',
      failed: 'refuse',
      cancelled: 'same',
      aborted: 'refuse',
    },
  };
  const cases = (Object.keys(expected) as Control[]).flatMap((control) =>
    STATUSES.map((status) => ({ control, status, outcome: expected[control][status] })),
  );

  it.each(cases)('$control on a $status onboarding: $outcome', ({ control, status, outcome }) => {
    const actual = controlOutcome(control, { status });
    const described =
      actual.kind === 'change' ? `change to ${actual.to}` : actual.kind === 'same' ? 'same' : 'refuse';
    expect(described).toBe(outcome);
  });

  it('answers a resume of an onboarding resumed already the same, as a repeated request', () => {
    expect(controlOutcome('resume', { status: 'active', resumedAt: '2026-12-09T10:00:00.000Z' })).toEqual({
      kind: 'same',
    });
  });

  it('says which onboarding, what status it is in, and what is allowed', () => {
    expect(refusal('b-1', 'pause', 'completed')).toBe(
      'Cannot pause onboarding "b-1": it is completed, and only an active onboarding can be paused',
    );
    expect(refusal('b-1', 'cancel', 'failed')).toBe(
      'Cannot cancel onboarding "b-1": it is failed, and only a pending, active or paused onboarding can be cancelled',
    );
  });
});

describe('releaseGate: the release step after a pause', () => {
  const plan = planFixture();
  // Submitted ten days before its start: months to spare before the execution's year runs out.
  const createdAt = '2026-11-27T10:00:00.000Z';
  // Week 3 is due on Friday 18 December 2026 at 15:00 in Berlin (14:00Z), when week 2's feedback is.
  const due = weekSchedule(plan, 3).releaseAt;
  const at = (iso: string) => new Date(iso);
  const daysAfterDue = (days: number) => new Date(Date.parse(due) + days * 86_400_000).toISOString();

  it('holds the release while paused, and stops it once cancelled', () => {
    expect(releaseGate({ plan, createdAt, status: 'paused' }, 3, at(due))).toEqual({
      release: 'paused',
      resumeBy: resumeDeadline({ plan, createdAt }, 3),
    });
    expect(releaseGate({ plan, createdAt, status: 'cancelled' }, 3, at(due))).toEqual({
      release: 'cancelled',
    });
  });

  it('releases when never paused, or when the pause ended before the release was due', () => {
    expect(releaseGate({ plan, createdAt, status: 'active' }, 3, at(due))).toEqual({ release: 'released' });
    expect(
      releaseGate({ plan, createdAt, status: 'active', resumedAt: daysAfterDue(-2) }, 3, at(due)),
    ).toEqual({
      release: 'released',
    });
  });

  it('moves a release the pause held past its time by whole weeks, to the first slot after the resume', () => {
    const gate = releaseGate(
      { plan, createdAt, status: 'active', resumedAt: daysAfterDue(10) },
      3,
      at(daysAfterDue(10)),
    );

    expect(gate).toEqual({
      release: 'rescheduled',
      pausedWeeks: 2,
      releaseAt: weekSchedule(plan, 3, 2).releaseAt,
    });
    expect(localTime(weekSchedule(plan, 3, 2).releaseAt, 'Europe/Berlin').toString()).toBe(
      '2027-01-04T15:00:00+01:00[Europe/Berlin]',
    );
  });

  it('adds to the weeks earlier pauses moved, and releases once the moved week is due', () => {
    const earlier = { plan, createdAt, status: 'active' as const, pausedWeeks: 1 };
    const movedDue = weekSchedule(plan, 3, 1).releaseAt;
    const resumedAt = new Date(Date.parse(movedDue) + 3_600_000).toISOString();

    expect(releaseGate({ ...earlier, resumedAt }, 3, at(resumedAt))).toMatchObject({
      release: 'rescheduled',
      pausedWeeks: 2,
    });
    expect(releaseGate({ ...earlier, pausedWeeks: 2, resumedAt }, 3, at(resumedAt))).toEqual({
      release: 'released',
    });
  });

  it('refuses a pause exactly from when the release it would hold ends the onboarding instead', () => {
    const resumeBy = resumeDeadline({ plan, createdAt }, 3);
    const justBefore = new Date(Date.parse(resumeBy) - 1);
    const paused = { plan, createdAt, status: 'paused' as const };

    expect([canStillResume(resumeBy, justBefore), releaseGate(paused, 3, justBefore).release]).toEqual([
      true,
      'paused',
    ]);
    expect([canStillResume(resumeBy, at(resumeBy)), releaseGate(paused, 3, at(resumeBy)).release]).toEqual([
      false,
      'paused-too-long',
    ]);
    expect(pausedTooLateRefusal('b-1', resumeBy)).toContain(
      `Cannot pause onboarding "b-1": a pause now would have to be resumed by ${resumeBy}, which has passed already`,
    );
  });

  it('counts from now when the release step looks later than the resume (a lost callback)', () => {
    const gate = releaseGate(
      { plan, createdAt, status: 'active', resumedAt: daysAfterDue(1) },
      3,
      at(daysAfterDue(9)),
    );
    expect(gate).toMatchObject({ release: 'rescheduled', pausedWeeks: 2 });
  });
});

describe('weekSchedule and shiftAfterPause: the schedule moved by whole weeks', () => {
  const plan = planFixture();

  it('moves every date of a week by exactly the paused weeks, at the same local weekday and time', () => {
    for (const week of [1, 2, 5]) {
      const planned = weekSchedule(plan, week);
      const moved = weekSchedule(plan, week, 3);
      for (const key of ['releaseAt', 'checkinAt', 'feedbackDueAt'] as const) {
        const [was, is] = [localTime(planned[key], 'Europe/Berlin'), localTime(moved[key], 'Europe/Berlin')];
        expect(was.toPlainDate().until(is.toPlainDate()).days, `${key} of week ${week}`).toBe(21);
        expect(is.toPlainTime().equals(was.toPlainTime())).toBe(true);
      }
    }
  });

  it('keeps the local time across a DST change (Berlin leaves summer time on 25 October 2026)', () => {
    const autumn = planFixture({ start: '2026-10-12' });
    const planned = localTime(weekSchedule(autumn, 2).checkinAt, 'Europe/Berlin');
    const moved = localTime(weekSchedule(autumn, 2, 1).checkinAt, 'Europe/Berlin');

    expect([planned.toString(), moved.toString()]).toEqual([
      '2026-10-22T15:00:00+02:00[Europe/Berlin]',
      '2026-10-29T15:00:00+01:00[Europe/Berlin]',
    ]);
  });

  it('moves nothing when the pause ended before the release was due', () => {
    const due = weekSchedule(plan, 4).releaseAt;
    expect(shiftAfterPause(plan, 4, 0, due)).toBe(0);
    expect(shiftAfterPause(plan, 4, 1, due)).toBe(1);
  });

  it.each([
    { late: '1 minute', ms: 60_000, weeks: 1 },
    { late: '7 days', ms: 7 * 86_400_000, weeks: 1 },
    { late: '7 days and a minute', ms: 7 * 86_400_000 + 60_000, weeks: 2 },
    { late: '52 weeks', ms: 52 * 7 * 86_400_000, weeks: 52 },
  ])('moves by the fewest whole weeks that are not early: $late late → $weeks', ({ ms, weeks }) => {
    const due = Date.parse(weekSchedule(plan, 4).releaseAt);
    expect(shiftAfterPause(plan, 4, 0, new Date(due + ms).toISOString())).toBe(weeks);
  });

  it('is exact across a DST change, where a week is 169 hours', () => {
    const autumn = planFixture({ start: '2026-10-12' });
    // Week 2 is due on Monday 19 October 15:00 CEST (week 1's grace period ends); a week later is
    // Monday 26 October 15:00 CET.
    const movedDue = weekSchedule(autumn, 2, 1).releaseAt;
    expect(localTime(movedDue, 'Europe/Berlin').toPlainDateTime().toString()).toBe('2026-10-26T15:00:00');
    expect(shiftAfterPause(autumn, 2, 0, movedDue)).toBe(1);
    expect(shiftAfterPause(autumn, 2, 0, new Date(Date.parse(movedDue) + 1).toISOString())).toBe(2);
  });
});
