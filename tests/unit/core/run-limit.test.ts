import { describe, expect, it } from 'vitest';
import {
  heldWeek,
  pausedTooLongRefusal,
  RESUME_CHECK_MAX_SECONDS,
  RESUME_CHECK_MIN_SECONDS,
  releaseGate,
  resumeCheckSeconds,
} from '#core/onboarding-controls';
import {
  EXECUTION_LIFETIME_DAYS,
  fitsRunLimit,
  latestEnd,
  MAX_RUN_DAYS,
  RUN_MARGIN_DAYS,
  resumeDeadline,
  runDeadline,
} from '#core/run-limit';
import { weekSchedule } from '#core/schedule';
import { planFixture } from './fixtures.ts';

/**
 * The line an onboarding's whole run must end by: a year (an execution's limit on AWS) after it
 * was submitted, less a week's margin. Pauses move the schedule by whole weeks; once a resume
 * could no longer end the run by the line, the onboarding ends instead.
 */

const DAY = 86_400_000;
const plan = planFixture(); // 7 weeks and up to 4 extra: week 11 is the last possible.
const shifted = (instant: string, days: number) => new Date(Date.parse(instant) + days * DAY).toISOString();
/** The submission time whose line falls `days` after `line` (before it, when negative). */
const createdAtFor = (line: string, days = 0) => shifted(line, days - MAX_RUN_DAYS);

describe('the line', () => {
  it('is a year after the submission, less a week', () => {
    expect([EXECUTION_LIFETIME_DAYS, RUN_MARGIN_DAYS, MAX_RUN_DAYS]).toEqual([365, 7, 358]);
    expect(runDeadline('2026-11-27T10:00:00.000Z')).toBe('2027-11-20T10:00:00.000Z');
  });

  it('counts the run to the last gate of the last possible week, every extra week included', () => {
    expect(latestEnd(plan)).toBe(weekSchedule(plan, 11).feedbackDueAt);
    expect(latestEnd(plan, 3)).toBe(weekSchedule(plan, 11, 3).feedbackDueAt);
    expect(latestEnd(planFixture({ weeks: 50 }))).toBe(weekSchedule(plan, 52).feedbackDueAt);
  });
});

describe('fitsRunLimit: whether a run, moved by pauses, ends by the line', () => {
  const end = latestEnd(plan, 2);

  it('fits when it ends exactly at the line', () => {
    expect(runDeadline(createdAtFor(end))).toBe(end);
    expect(fitsRunLimit(plan, createdAtFor(end), 2)).toBe(true);
  });

  it('fits when it ends a day before the line', () => {
    expect(fitsRunLimit(plan, createdAtFor(end, 1), 2)).toBe(true);
  });

  it('does not fit when it ends a day, or a millisecond, after the line', () => {
    expect(fitsRunLimit(plan, createdAtFor(end, -1), 2)).toBe(false);
    expect(fitsRunLimit(plan, new Date(Date.parse(createdAtFor(end)) - 1).toISOString(), 2)).toBe(false);
  });
});

describe('resumeDeadline: until when a pause holding a release can be resumed', () => {
  const release = (shift: number) => weekSchedule(plan, 3, shift).releaseAt;

  it('is the release slot of the most weeks the run can still move, when that ends exactly at the line', () => {
    expect(resumeDeadline({ plan, createdAt: createdAtFor(latestEnd(plan, 2)) }, 3)).toBe(release(2));
  });

  it('is a week earlier when the run so moved would end a day after the line', () => {
    expect(resumeDeadline({ plan, createdAt: createdAtFor(latestEnd(plan, 2), -1) }, 3)).toBe(release(1));
  });

  it('is the same slot while the next one would still pass the line (a day after is not a week)', () => {
    expect(resumeDeadline({ plan, createdAt: createdAtFor(latestEnd(plan, 2), 1) }, 3)).toBe(release(2));
  });

  it('counts the weeks earlier pauses moved the run', () => {
    const createdAt = createdAtFor(latestEnd(plan, 2));
    expect(resumeDeadline({ plan, createdAt, pausedWeeks: 1 }, 3)).toBe(release(2));
    expect(resumeDeadline({ plan, createdAt, pausedWeeks: 2 }, 3)).toBe(release(2));
  });

  it('is the week’s own release time when the run has no week to spare', () => {
    expect(resumeDeadline({ plan, createdAt: createdAtFor(latestEnd(plan, 0), -1) }, 3)).toBe(release(0));
  });

  it('stays exact across a DST change (Berlin leaves summer time on 25 October 2026)', () => {
    const autumn = planFixture({ start: '2026-09-28' });
    const createdAt = createdAtFor(latestEnd(autumn, 3));
    expect(resumeDeadline({ plan: autumn, createdAt }, 2)).toBe(weekSchedule(autumn, 2, 3).releaseAt);
  });
});

describe('releaseGate at the line', () => {
  // The run may move two weeks: week 3's release can be held until its slot two weeks on.
  const createdAt = createdAtFor(latestEnd(plan, 2));
  const resumeBy = weekSchedule(plan, 3, 2).releaseAt;
  const paused = { plan, createdAt, status: 'paused' as const };
  const at = (iso: string) => new Date(iso);

  it('holds the release while paused, until a day before resumeBy and after', () => {
    expect(releaseGate(paused, 3, at(weekSchedule(plan, 3).releaseAt))).toEqual({
      release: 'paused',
      resumeBy,
    });
    expect(releaseGate(paused, 3, at(shifted(resumeBy, -1)))).toEqual({ release: 'paused', resumeBy });
  });

  it('ends the onboarding when the pause has lasted until resumeBy, or longer', () => {
    expect(releaseGate(paused, 3, at(resumeBy))).toEqual({ release: 'paused-too-long', resumeBy });
    expect(releaseGate(paused, 3, at(shifted(resumeBy, 1)))).toEqual({
      release: 'paused-too-long',
      resumeBy,
    });
  });

  it('moves the week to the last slot that fits for a resume a day before resumeBy', () => {
    const resumedAt = shifted(resumeBy, -1);
    expect(releaseGate({ ...paused, status: 'active', resumedAt }, 3, at(resumedAt))).toEqual({
      release: 'rescheduled',
      pausedWeeks: 2,
      releaseAt: resumeBy,
    });
  });

  it('keeps the slot a resume made in time was promised, though noticed after resumeBy (a lost callback)', () => {
    const resumedAt = shifted(resumeBy, -1);
    const gate = releaseGate({ ...paused, status: 'active', resumedAt }, 3, at(shifted(resumeBy, 0.5)));
    expect(gate).toEqual({ release: 'rescheduled', pausedWeeks: 2, releaseAt: resumeBy });
  });

  it('ends the onboarding for a resume a day after resumeBy that got through', () => {
    const resumedAt = shifted(resumeBy, 1);
    expect(releaseGate({ ...paused, status: 'active', resumedAt }, 3, at(resumedAt))).toEqual({
      release: 'paused-too-long',
      resumeBy,
    });
  });

  it('releases as planned a run that never paused, whatever the line', () => {
    const overlong = { plan, createdAt: createdAtFor(latestEnd(plan, 0), -30), status: 'active' as const };
    expect(releaseGate(overlong, 3, at(weekSchedule(plan, 3).releaseAt))).toEqual({ release: 'released' });
  });
});

describe('resumeCheckSeconds: how long the paused workflow waits before it looks again', () => {
  const resumeBy = '2027-03-01T08:00:00.000Z';

  it('waits a week while resumeBy is further off', () => {
    expect(resumeCheckSeconds(resumeBy, new Date(Date.parse(resumeBy) - 30 * DAY))).toBe(
      RESUME_CHECK_MAX_SECONDS,
    );
    expect(RESUME_CHECK_MAX_SECONDS).toBe(7 * 24 * 3600);
  });

  it('wakes exactly at resumeBy when it is less than a week off', () => {
    expect(resumeCheckSeconds(resumeBy, new Date(Date.parse(resumeBy) - DAY))).toBe(24 * 3600);
  });

  it('waits at least a minute, so the function keeping the token has time to', () => {
    expect(resumeCheckSeconds(resumeBy, new Date(Date.parse(resumeBy) - 1000))).toBe(
      RESUME_CHECK_MIN_SECONDS,
    );
  });
});

describe('a resume refused for a pause that lasted too long', () => {
  it('names the onboarding, the moment that passed, and the limit', () => {
    expect(pausedTooLongRefusal('b-1', '2027-03-01T08:00:00.000Z')).toBe(
      'Cannot resume onboarding "b-1": it stayed paused past 2027-03-01T08:00:00.000Z, the last moment a resume ' +
        'could still end its run (with every extra week its plan allows) within the 365 days a workflow execution ' +
        'can last, less a 7-day margin; so it is cancelled, and its owner and partner are told by email. ' +
        'Start a new onboarding for the work that is left.',
    );
  });

  it('is about the release after the latest one: the one a pause holds', () => {
    expect(heldWeek([])).toBe(1);
    expect(heldWeek([{ week: 1 }, { week: 2 }])).toBe(3);
  });
});
