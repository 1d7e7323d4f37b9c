import { Temporal } from 'temporal-polyfill';
import type { WeekRecord } from '#core/onboarding';
import type { Plan, PlanInput, Task } from '#core/plan';
import { planBatch } from '#core/ramp';
import { weekSchedule } from '#core/schedule';

/** A Wednesday morning in Berlin; every validation test decides "the past" against it. */
export const NOW = '2026-10-07T10:00:00Z';

/** The owner in Berlin and the partner in Manila of every fixture plan. */
const PEOPLE = {
  owner: { name: 'Maria Santos', email: 'maria@santos-advisory.example', timeZone: 'Europe/Berlin' },
  partner: {
    name: 'Ledgerly Outsourcing',
    emails: ['team@ledgerly.example', 'lead@ledgerly.example'],
    timeZone: 'Asia/Manila',
  },
};

type TaskInput = PlanInput['tasks'][number];

/** A task as an owner writes it; only what the test cares about needs overriding. */
export function taskInputFixture(overrides: Partial<TaskInput> & { id: string }): TaskInput {
  return {
    title: `Task ${overrides.id}`,
    deliverable: `The ${overrides.id} deliverable`,
    acceptanceCriteria: ['Reviewed by the owner'],
    priority: 3,
    effort: 2,
    ...overrides,
  };
}

/**
 * A small, valid plan as written in a plan file (no defaults applied): an accounting practice in
 * Berlin hands four bookkeeping tasks to a partner in Manila.
 */
export function planInputFixture(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    title: 'Bookkeeping handover to Ledgerly',
    ...PEOPLE,
    ramp: { targetWeeklyVolume: 40 },
    tasks: [
      taskInputFixture({ id: 'bank-feeds', priority: 1, effort: 3, recurring: true }),
      taskInputFixture({ id: 'receipts', priority: 1, effort: 1 }),
      taskInputFixture({ id: 'supplier-invoices', priority: 2, effort: 4, dependsOn: ['bank-feeds'] }),
      taskInputFixture({ id: 'payment-runs', priority: 2, effort: 3, dependsOn: ['supplier-invoices'] }),
    ],
    ...overrides,
  };
}

/** A task after validation (every default applied). */
export function taskFixture(overrides: Partial<Task> & { id: string }): Task {
  return { dependsOn: [], recurring: false, ...taskInputFixture(overrides) } as Task;
}

/**
 * A validated plan (defaults applied, start and weeks resolved) for the modules downstream of
 * validation. Starts on Monday 7 December 2026, in winter time in Berlin.
 */
export function planFixture(overrides: Partial<Plan> = {}): Plan {
  return {
    id: 'bookkeeping-handover-to-ledgerly-2026-12-07',
    title: 'Bookkeeping handover to Ledgerly',
    ...PEOPLE,
    references: [],
    effortUnit: 'hours',
    start: '2026-12-07',
    weeks: 7,
    ramp: { targetWeeklyVolume: 40, curve: [10, 25, 50, 75, 100], stages: 5 },
    checkIn: { weekday: 'thursday', time: '15:00', feedbackWindowDays: 1, graceDays: 1 },
    gate: {
      advanceAt: 4,
      stepBackBelow: 3,
      partnerAtLeast: 3,
      onTimeAtLeast: 0.8,
      maxExtraWeeks: 4,
      silenceLimitDays: 14,
    },
    tasks: [
      taskFixture({
        id: 'bank-feeds',
        title: 'Reconcile bank feeds',
        priority: 1,
        effort: 3,
        recurring: true,
      }),
      taskFixture({ id: 'receipts', title: 'File expense receipts', priority: 1, effort: 1 }),
      taskFixture({
        id: 'supplier-invoices',
        title: 'Enter supplier invoices',
        priority: 2,
        effort: 4,
        dependsOn: ['bank-feeds'],
      }),
      taskFixture({
        id: 'payment-runs',
        title: 'Prepare the weekly payment run',
        priority: 2,
        effort: 3,
        dependsOn: ['supplier-invoices'],
      }),
    ],
    ...overrides,
  };
}

/** What the workflow records for a week: the batch planned at `stage` and the week's schedule. */
export function weekRecordFixture(
  plan: Plan,
  week: number,
  stage: number,
  releasedBefore: readonly string[] = [],
): WeekRecord {
  const schedule = weekSchedule(plan, week);
  return {
    ...planBatch(plan, { stage: stage, releasedBefore: releasedBefore }),
    week,
    releasedAt: schedule.releaseAt,
    checkinAt: schedule.checkinAt,
    remindAt: schedule.remindAt,
    feedbackDueAt: schedule.feedbackDueAt,
  };
}

/** An instant as a wall clock in `timeZone` reads it. */
export function localTime(instant: string, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.from(instant).toZonedDateTimeISO(timeZone);
}
