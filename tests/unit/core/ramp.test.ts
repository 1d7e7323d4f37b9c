import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Plan } from '#core/plan';
import { planBatch, stageCap, stagePercentages, tasksByPriority, unreleasedAtBestPace } from '#core/ramp';
import { readPlanText, validatePlan } from '#core/validate-plan';
import { NOW, planFixture, taskFixture } from './fixtures.ts';

type Ramp = Plan['ramp'];

const ramp = (overrides: Partial<Ramp>): Ramp => ({
  targetWeeklyVolume: 40,
  curve: [10, 25, 50, 75, 100],
  stages: 5,
  ...overrides,
});

/** A plan whose every stage has the same cap, so a test only thinks about the tasks. */
const flatCap = (cap: number, tasks: Plan['tasks']) =>
  planFixture({ ramp: ramp({ targetWeeklyVolume: cap, curve: [100] }), tasks });

const ids = (batch: { tasks: { taskId: string }[] }) => batch.tasks.map((t) => t.taskId);

describe('stagePercentages', () => {
  it('returns an explicit curve as written', () => {
    expect(stagePercentages(ramp({ curve: [10, 20, 35, 50, 75, 100] }))).toEqual([10, 20, 35, 50, 75, 100]);
  });

  it('splits a linear ramp of 5 stages into equal steps', () => {
    expect(stagePercentages(ramp({ curve: 'linear', stages: 5 }))).toEqual([20, 40, 60, 80, 100]);
  });

  it('rounds a linear ramp of 3 stages to one decimal', () => {
    expect(stagePercentages(ramp({ curve: 'linear', stages: 3 }))).toEqual([33.3, 66.7, 100]);
  });

  it('grows a geometric ramp by a constant ratio from 10% to 100% (one decimal)', () => {
    expect(stagePercentages(ramp({ curve: 'geometric', stages: 5 }))).toEqual([10, 17.8, 31.6, 56.2, 100]);
  });

  it('keeps the ratio between stages of a 10-stage geometric ramp constant, to rounding', () => {
    const percentages = stagePercentages(ramp({ curve: 'geometric', stages: 10 }));
    const ratio = 10 ** (1 / 9);

    for (const [i, p] of percentages.slice(1).entries()) {
      expect(Math.abs(p - ratio * percentages[i]!)).toBeLessThanOrEqual(0.2);
    }
  });

  it('keeps every stage of a 12-stage geometric ramp above 0%', () => {
    const percentages = stagePercentages(ramp({ curve: 'geometric', stages: 12 }));

    expect(Math.min(...percentages)).toBeGreaterThan(0);
  });

  it.each([3, 5, 10, 52])('makes an s-curve of %i stages strictly increasing', (stages) => {
    const percentages = stagePercentages(ramp({ curve: 's-curve', stages }));

    expect(percentages.slice(1).every((p, i) => p > percentages[i]!)).toBe(true);
  });

  it.each([3, 5, 10, 52])('ends an s-curve of %i stages at exactly 100%', (stages) => {
    expect(stagePercentages(ramp({ curve: 's-curve', stages })).at(-1)).toBe(100);
  });

  it('starts a 5-stage s-curve small', () => {
    expect(stagePercentages(ramp({ curve: 's-curve', stages: 5 }))[0]).toBeLessThan(10);
  });
});

describe('stageCap', () => {
  it('is the target volume times the stage’s percentage', () => {
    expect(stageCap(ramp({ targetWeeklyVolume: 40 }), 1)).toBe(10);
  });

  it('stays at the full target volume past the last stage', () => {
    expect(stageCap(ramp({ targetWeeklyVolume: 40 }), 9)).toBe(40);
  });
  it('counts items in whole numbers: a cap of 2.8% of 400 tickets is 11 tickets', () => {
    const tickets = ramp({ targetWeeklyVolume: 400, curve: [2.8, 100] });

    expect([stageCap(tickets, 0, 'items'), stageCap(tickets, 0, 'hours')]).toEqual([11, 11.2]);
  });
});

describe('tasksByPriority', () => {
  it('orders by priority, keeping file order among equal priorities', () => {
    const tasks = [
      taskFixture({ id: 'c', priority: 3 }),
      taskFixture({ id: 'a1', priority: 1 }),
      taskFixture({ id: 'b', priority: 2 }),
      taskFixture({ id: 'a2', priority: 1 }),
    ];

    expect(tasksByPriority(tasks).map((t) => t.id)).toEqual(['a1', 'a2', 'b', 'c']);
  });
});

describe('planBatch: cap and priority', () => {
  it('stops filling before the batch would go above the cap', () => {
    const plan = flatCap(5, [
      taskFixture({ id: 'a', priority: 1, effort: 3 }),
      taskFixture({ id: 'b', priority: 1, effort: 2 }),
      taskFixture({ id: 'c', priority: 1, effort: 1 }),
    ]);

    const batch = planBatch(plan, { stage: 0, releasedBefore: [] });

    expect({ tasks: ids(batch), volume: batch.volume, cap: batch.cap }).toEqual({
      tasks: ['a', 'b'],
      volume: 5,
      cap: 5,
    });
  });

  it('uses the cap of the given stage', () => {
    const plan = planFixture({ ramp: ramp({ targetWeeklyVolume: 40 }) });

    const batch = planBatch(plan, { stage: 2, releasedBefore: [] });

    expect({ stage: batch.stage, percent: batch.percent, cap: batch.cap }).toEqual({
      stage: 2,
      percent: 50,
      cap: 20,
    });
  });

  it('uses the last stage for a stage past the end of the ramp', () => {
    const plan = planFixture({ ramp: ramp({ targetWeeklyVolume: 40 }) });

    const batch = planBatch(plan, { stage: 8, releasedBefore: [] });

    expect({ stage: batch.stage, percent: batch.percent, cap: batch.cap }).toEqual({
      stage: 4,
      percent: 100,
      cap: 40,
    });
  });

  it('releases priority 1 before priority 2, ties in file order', () => {
    const plan = flatCap(100, [
      taskFixture({ id: 'p3', priority: 3 }),
      taskFixture({ id: 'p1-first', priority: 1 }),
      taskFixture({ id: 'p2', priority: 2 }),
      taskFixture({ id: 'p1-second', priority: 1 }),
    ]);

    expect(ids(planBatch(plan, { stage: 0, releasedBefore: [] }))).toEqual([
      'p1-first',
      'p1-second',
      'p2',
      'p3',
    ]);
  });

  it('fills the cap with the highest priorities when not everything fits', () => {
    const plan = flatCap(6, [
      taskFixture({ id: 'low', priority: 4, effort: 2 }),
      taskFixture({ id: 'high', priority: 1, effort: 2 }),
      taskFixture({ id: 'mid', priority: 2, effort: 4 }),
    ]);

    expect(ids(planBatch(plan, { stage: 0, releasedBefore: [] }))).toEqual(['high', 'mid']);
  });

  it('does not let a smaller lower-priority task jump ahead of a higher-priority one that does not fit', () => {
    const plan = flatCap(10, [
      taskFixture({ id: 'bank-feeds', priority: 1, effort: 4 }),
      taskFixture({ id: 'vat-workpapers', priority: 2, effort: 8 }),
      taskFixture({ id: 'receipts', priority: 3, effort: 2 }),
    ]);

    expect(ids(planBatch(plan, { stage: 0, releasedBefore: [] }))).toEqual(['bank-feeds']);
  });

  it('skips already released tasks', () => {
    const plan = flatCap(10, [
      taskFixture({ id: 'a', priority: 1, effort: 2 }),
      taskFixture({ id: 'b', priority: 2, effort: 2 }),
    ]);

    expect(ids(planBatch(plan, { stage: 0, releasedBefore: ['a'] }))).toEqual(['b']);
  });
});

describe('planBatch: dependencies', () => {
  it('releases a dependency before the higher-priority task waiting on it, in the same batch', () => {
    const plan = flatCap(100, [
      taskFixture({ id: 'payment-runs', priority: 1, dependsOn: ['supplier-invoices'] }),
      taskFixture({ id: 'supplier-invoices', priority: 2 }),
      taskFixture({ id: 'receipts', priority: 3 }),
    ]);

    const batch = planBatch(plan, { stage: 0, releasedBefore: [] });

    expect(ids(batch)).toEqual(['supplier-invoices', 'payment-runs', 'receipts']);
  });

  it('holds back a task whose dependency does not fit this week', () => {
    const plan = flatCap(3, [
      taskFixture({ id: 'payment-runs', priority: 1, effort: 1, dependsOn: ['supplier-invoices'] }),
      taskFixture({ id: 'receipts', priority: 2, effort: 2 }),
      taskFixture({ id: 'supplier-invoices', priority: 3, effort: 2 }),
    ]);

    const batch = planBatch(plan, { stage: 0, releasedBefore: [] });

    expect(ids(batch)).toEqual(['receipts']);
  });

  it('releases alone a task that can never fit beside the recurring work, rather than stall', () => {
    const plan = flatCap(40, [
      taskFixture({ id: 'bank-feeds', priority: 1, effort: 4, recurring: true }),
      taskFixture({ id: 'audit-prep', priority: 2, effort: 38 }),
      taskFixture({ id: 'receipts', priority: 3, effort: 1 }),
    ]);

    const batch = planBatch(plan, { stage: 0, releasedBefore: ['bank-feeds'] });

    expect(ids(batch)).toEqual(['audit-prep']);
    expect(batch).toMatchObject({ oversizeTaskId: 'audit-prep', volume: 42 });
  });

  it('waits for carried work to finish before releasing a task that cannot fit beside it', () => {
    const plan = flatCap(40, [
      taskFixture({ id: 'bank-feeds', priority: 1, effort: 4, recurring: true }),
      taskFixture({ id: 'vat', priority: 1, effort: 10 }),
      taskFixture({ id: 'audit-prep', priority: 2, effort: 38 }),
    ]);

    const batch = planBatch(plan, { stage: 0, releasedBefore: ['bank-feeds', 'vat'], carried: ['vat'] });

    expect(ids(batch)).toEqual([]);
    expect(batch.oversizeTaskId).toBeUndefined();
  });

  it('releases a task in the same batch as a dependency placed earlier in that batch', () => {
    const plan = flatCap(100, [
      taskFixture({ id: 'supplier-invoices', priority: 1 }),
      taskFixture({ id: 'payment-runs', priority: 2, dependsOn: ['supplier-invoices'] }),
    ]);

    expect(ids(planBatch(plan, { stage: 0, releasedBefore: [] }))).toEqual([
      'supplier-invoices',
      'payment-runs',
    ]);
  });

  it('releases a task whose dependency was released in an earlier week', () => {
    const plan = flatCap(100, [
      taskFixture({ id: 'supplier-invoices', priority: 1 }),
      taskFixture({ id: 'payment-runs', priority: 1, dependsOn: ['supplier-invoices'] }),
    ]);

    expect(ids(planBatch(plan, { stage: 0, releasedBefore: ['supplier-invoices'] }))).toEqual([
      'payment-runs',
    ]);
  });

  it('does not let a task waiting for its dependency hold back lower-priority work', () => {
    const plan = flatCap(10, [
      taskFixture({ id: 'blocked', priority: 1, effort: 2, dependsOn: ['later'] }),
      taskFixture({ id: 'ready', priority: 2, effort: 2 }),
      taskFixture({ id: 'later', priority: 5, effort: 20 }),
    ]);

    expect(ids(planBatch(plan, { stage: 0, releasedBefore: [] }))).toEqual(['ready']);
  });
});

describe('planBatch: a task larger than the whole cap', () => {
  it('releases it alone and names it as oversize', () => {
    const plan = flatCap(4, [
      taskFixture({ id: 'audit-prep', priority: 1, effort: 16 }),
      taskFixture({ id: 'receipts', priority: 2, effort: 1 }),
    ]);

    const batch = planBatch(plan, { stage: 0, releasedBefore: [] });

    expect({ tasks: ids(batch), oversizeTaskId: batch.oversizeTaskId, volume: batch.volume }).toEqual({
      tasks: ['audit-prep'],
      oversizeTaskId: 'audit-prep',
      volume: 16,
    });
  });

  it('beside recurring work, waits for a stage it fits: a step back never hands out more than the stage above', () => {
    const plan = planFixture({
      ramp: ramp({}),
      tasks: [
        taskFixture({ id: 'bank-feeds', priority: 1, effort: 8, recurring: true }),
        taskFixture({ id: 'vat', priority: 2, effort: 5 }),
      ],
    });
    const at = (stage: number) => planBatch(plan, { stage, releasedBefore: ['bank-feeds'] });

    // Caps 4, 10 and 20 hours: the 5-hour task fits beside the 8 recurring hours only at 20.
    expect([0, 1, 2].map((stage) => [ids(at(stage)), at(stage).volume])).toEqual([
      [[], 8],
      [[], 8],
      [['vat'], 13],
    ]);
    expect(at(0).oversizeTaskId).toBeUndefined();
  });

  it('waits for a week of its own when other tasks are already in the batch', () => {
    const plan = flatCap(4, [
      taskFixture({ id: 'receipts', priority: 1, effort: 1 }),
      taskFixture({ id: 'audit-prep', priority: 2, effort: 16 }),
    ]);

    const batch = planBatch(plan, { stage: 0, releasedBefore: [] });

    expect({ tasks: ids(batch), oversize: 'oversizeTaskId' in batch }).toEqual({
      tasks: ['receipts'],
      oversize: false,
    });
  });
});

describe('planBatch: recurring work', () => {
  const tasks = [
    taskFixture({ id: 'bank-feeds', priority: 1, effort: 3, recurring: true }),
    taskFixture({ id: 'supplier-invoices', priority: 1, effort: 4 }),
    taskFixture({ id: 'sales-invoices', priority: 2, effort: 5 }),
    taskFixture({ id: 'payroll-inputs', priority: 3, effort: 2 }),
  ];

  it('lists recurring tasks released earlier as continuing, with their volume', () => {
    const batch = planBatch(flatCap(10, tasks), {
      stage: 0,
      releasedBefore: ['bank-feeds', 'supplier-invoices'],
    });

    expect({ continuing: batch.continuingTaskIds, recurringVolume: batch.recurringVolume }).toEqual({
      continuing: ['bank-feeds'],
      recurringVolume: 3,
    });
  });

  it('counts continuing recurring work against the cap', () => {
    // 10 hours: 3 continue from bank feeds, so 5 of sales invoices and 2 of payroll fit.
    const batch = planBatch(flatCap(10, tasks), {
      stage: 0,
      releasedBefore: ['bank-feeds', 'supplier-invoices'],
    });

    expect({ tasks: ids(batch), volume: batch.volume }).toEqual({
      tasks: ['sales-invoices', 'payroll-inputs'],
      volume: 10,
    });
  });

  it('does not count one-off tasks released earlier against the cap', () => {
    // 8 hours: were supplier invoices (4) counted, bank feeds (3) would leave no room for sales invoices (5).
    const batch = planBatch(flatCap(8, tasks), { stage: 0, releasedBefore: ['supplier-invoices'] });

    expect({ tasks: ids(batch), recurringVolume: batch.recurringVolume }).toEqual({
      tasks: ['bank-feeds', 'sales-invoices'],
      recurringVolume: 0,
    });
  });
});

describe('planBatch over a whole plan (examples/bookkeeping.yaml, every week going well)', () => {
  const source = readFileSync(new URL('../../../examples/bookkeeping.yaml', import.meta.url), 'utf8');
  const read = readPlanText(source);
  const result = validatePlan(read.ok ? read.value : undefined, { now: NOW });
  if (!result.ok) throw new Error('examples/bookkeeping.yaml no longer validates');
  const plan = result.plan;
  const last = stagePercentages(plan.ramp).length - 1;
  const weeks = (() => {
    const released: string[] = [];
    return Array.from({ length: plan.weeks }, (_, i) => {
      const batch = planBatch(plan, { stage: Math.min(i, last), releasedBefore: released });
      const before = [...released];
      released.push(...ids(batch));
      return { batch, before };
    });
  })();

  it('never goes above a week’s cap unless the week releases an oversize task', () => {
    const over = weeks.filter(({ batch }) => batch.volume > batch.cap && !batch.oversizeTaskId);

    expect(over).toEqual([]);
  });

  it('never releases a task before its dependencies', () => {
    const violations = weeks.flatMap(({ batch, before }) =>
      batch.tasks.flatMap((released, position) => {
        const task = plan.tasks.find((t) => t.id === released.taskId)!;
        const available = new Set([...before, ...ids(batch).slice(0, position)]);
        return task.dependsOn.filter((dep) => !available.has(dep)).map((dep) => `${task.id} before ${dep}`);
      }),
    );

    expect(violations).toEqual([]);
  });

  it('releases every task exactly once', () => {
    const released = weeks.flatMap(({ batch }) => ids(batch));

    expect([...released].sort()).toEqual(plan.tasks.map((t) => t.id).sort());
  });
});

describe('unreleasedAtBestPace', () => {
  it('is empty when every task fits in the plan’s weeks', () => {
    const plan = flatCap(10, [taskFixture({ id: 'a', effort: 6 }), taskFixture({ id: 'b', effort: 6 })]);

    expect(unreleasedAtBestPace({ ...plan, weeks: 2 })).toEqual([]);
  });

  it('lists the tasks still unreleased after the last week, in file order', () => {
    const plan = flatCap(10, [
      taskFixture({ id: 'a', priority: 1, effort: 6 }),
      taskFixture({ id: 'c', priority: 3, effort: 6 }),
      taskFixture({ id: 'b', priority: 2, effort: 6 }),
    ]);

    expect(unreleasedAtBestPace({ ...plan, weeks: 1 })).toEqual(['c', 'b']);
  });

  it('advances one stage a week, so a slow start leaves work unreleased', () => {
    // Caps 2, 4: four 2-hour tasks need three weeks, not two.
    const plan = planFixture({
      ramp: ramp({ targetWeeklyVolume: 4, curve: [50, 100] }),
      tasks: ['a', 'b', 'c', 'd'].map((id) => taskFixture({ id, priority: 1, effort: 2 })),
    });

    expect(unreleasedAtBestPace({ ...plan, weeks: 2 })).toEqual(['d']);
  });
});
