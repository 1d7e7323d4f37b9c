import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Plan, PlanInput } from '#core/plan';
import {
  type Batch,
  planBatch,
  stageCap,
  stagePercentages,
  tasksByPriority,
  unreleasedAtBestPace,
} from '#core/ramp';
import { validatePlan } from '#core/validate-plan';
import { NOW, planInputFixture, taskInputFixture } from './fixtures.ts';

/**
 * Properties of the ramp over generated plans: whatever the tasks, priorities, dependencies and
 * curve, a run in which every week goes well keeps the cap, the priority order and the
 * dependencies. Modest run counts keep the file at a few seconds.
 */

const NUM_RUNS = 200;
/** The longest run simulated: far past any plan's 52 weeks. */
const MAX_WEEKS = 200;
const EPSILON = 1e-9;

// Arbitraries ---------------------------------------------------------------------------------

interface PlanShape {
  recurringShare: 'none' | 'some';
}

/** One task as generated: its dependencies point at tasks generated before it, so none can cycle. */
const taskSpec = (shape: PlanShape) =>
  fc.record({
    id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,15}$/),
    priority: fc.integer({ min: 1, max: 5 }),
    effort: fc.integer({ min: 1, max: 60 }).map((halves) => halves / 2),
    // About one task in six is weekly work, as in real plans.
    recurring: shape.recurringShare === 'none' ? fc.constant(false) : fc.nat(5).map((n) => n === 0),
    dependencyPicks: fc.uniqueArray(fc.nat(1000), { maxLength: 4 }),
    /** Where the task lands in the file once the list is shuffled. */
    filePosition: fc.nat(),
  });

type TaskSpec = ReturnType<typeof taskSpec> extends fc.Arbitrary<infer T> ? T : never;

function taskInputs(specs: readonly TaskSpec[]): PlanInput['tasks'] {
  const withDependencies = specs.map((spec, i) => ({
    spec,
    dependsOn: i === 0 ? [] : [...new Set(spec.dependencyPicks.map((pick) => specs[pick % i]!.id))],
  }));
  // Shuffled, so the file order (which breaks priority ties) is not the generation order.
  return withDependencies
    .map((task, i) => ({ ...task, i }))
    .sort((a, b) => a.spec.filePosition - b.spec.filePosition || a.i - b.i)
    .map(({ spec, dependsOn }) =>
      taskInputFixture({
        id: spec.id,
        priority: spec.priority,
        effort: spec.effort,
        recurring: spec.recurring,
        dependsOn,
      }),
    );
}

/** Explicit increasing percentages (one decimal) ending at 100, or a named curve of 1 to 12 stages. */
const curveArb = fc.oneof(
  fc
    .uniqueArray(fc.integer({ min: 1, max: 999 }), { maxLength: 11 })
    .map((tenths) => ({ curve: [...[...tenths].sort((a, b) => a - b).map((t) => t / 10), 100] })),
  fc.record({
    curve: fc.constantFrom('linear' as const, 'geometric' as const, 's-curve' as const),
    stages: fc.integer({ min: 1, max: 12 }),
  }),
);

/** A plan as an owner would write it; `weeks` is the ramp's stages plus 0 to 10 weeks. */
const planInputArb = (shape: PlanShape = { recurringShare: 'some' }): fc.Arbitrary<PlanInput> =>
  fc
    .record({
      tasks: fc.uniqueArray(taskSpec(shape), {
        minLength: 1,
        maxLength: 40,
        size: 'medium',
        selector: (t) => t.id,
      }),
      targetWeeklyVolume: fc.integer({ min: 5, max: 100 }),
      curve: curveArb,
      extraWeeks: fc.integer({ min: 0, max: 10 }),
    })
    .map(({ tasks, targetWeeklyVolume, curve, extraWeeks }) => {
      const stages = 'stages' in curve ? curve.stages : curve.curve.length;
      return planInputFixture({
        ramp: { targetWeeklyVolume, ...curve },
        weeks: stages + extraWeeks,
        tasks: taskInputs(tasks),
      });
    });

/** Plans with and without weekly work: half of them have none, so most runs go to the end. */
const anyPlanInput = fc.oneof(planInputArb(), planInputArb({ recurringShare: 'none' }));

/** The plan after validation; a generated plan that does not validate is skipped. */
function validated(input: PlanInput): Plan {
  const result = validatePlan(input, { now: NOW });
  fc.pre(result.ok);
  return result.plan;
}

// The simulated run ---------------------------------------------------------------------------

interface SimulatedWeek {
  week: number;
  /** The stage the gate set: one step a week, up to the last. */
  stage: number;
  releasedBefore: readonly string[];
  batch: Batch;
}

interface SimulatedRun {
  weeks: SimulatedWeek[];
  /** Every release, in order. */
  released: string[];
  finished: boolean;
}

/**
 * Every week goes well: week w is at stage min(w − 1, last), nothing is carried over. Runs until
 * every task is released, the run is stuck, or `maxWeeks`.
 */
function runAlwaysAdvancing(plan: Plan, maxWeeks = MAX_WEEKS): SimulatedRun {
  const last = stagePercentages(plan.ramp).length - 1;
  const released: string[] = [];
  const weeks: SimulatedWeek[] = [];
  for (let week = 1; week <= maxWeeks && released.length < plan.tasks.length; week++) {
    const stage = Math.min(week - 1, last);
    const releasedBefore = [...released];
    const batch = planBatch(plan, { stage, releasedBefore });
    weeks.push({ week, stage, releasedBefore, batch });
    released.push(...batch.tasks.map((t) => t.taskId));
    // At the last stage a week that releases nothing repeats itself for ever: the run is stuck.
    if (stage === last && batch.tasks.length === 0) break;
  }
  return { weeks, released, finished: released.length >= plan.tasks.length };
}

const taskById = (plan: Plan) => new Map(plan.tasks.map((t) => [t.id, t]));
const sum = (numbers: readonly number[]) => numbers.reduce((total, n) => total + n, 0);
const fullCap = (plan: Plan) => stageCap(plan.ramp, stagePercentages(plan.ramp).length - 1, plan.effortUnit);

/** Every release as (week, position in the week's batch), so releases can be ordered. */
function releaseOrder(run: SimulatedRun): Map<string, { week: number; position: number }> {
  return new Map(
    run.weeks.flatMap(({ week, batch }) =>
      batch.tasks.map((t, position) => [t.taskId, { week, position }] as const),
    ),
  );
}

const before = (a: { week: number; position: number }, b: { week: number; position: number }) =>
  a.week < b.week || (a.week === b.week && a.position < b.position);

// Properties ----------------------------------------------------------------------------------

describe('ramp properties: a run in which every week goes well', () => {
  it('releases no task twice, and only tasks of the plan', () => {
    fc.assert(
      fc.property(anyPlanInput, (input) => {
        const plan = validated(input);

        const run = runAlwaysAdvancing(plan);

        const known = new Set(plan.tasks.map((t) => t.id));
        expect(new Set(run.released).size).toBe(run.released.length);
        expect(run.released.filter((id) => !known.has(id))).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('releases every task exactly once when the plan has no recurring work', () => {
    fc.assert(
      fc.property(planInputArb({ recurringShare: 'none' }), (input) => {
        const plan = validated(input);

        const run = runAlwaysAdvancing(plan);

        expect(run.finished).toBe(true);
        expect([...run.released].sort()).toEqual(plan.tasks.map((t) => t.id).sort());
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('releases every task exactly once whatever the recurring work: a task that can never fit goes out alone', () => {
    fc.assert(
      fc.property(planInputArb(), (input) => {
        const plan = validated(input);

        const run = runAlwaysAdvancing(plan);

        expect(run.finished).toBe(true);
        expect([...run.released].sort()).toEqual(plan.tasks.map((t) => t.id).sort());
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never lets new tasks push a week above its cap, except one task that can never fit, released alone', () => {
    fc.assert(
      fc.property(anyPlanInput, (input) => {
        const plan = validated(input);
        const tasks = taskById(plan);

        const run = runAlwaysAdvancing(plan);

        for (const { releasedBefore, batch } of run.weeks) {
          const continuing = releasedBefore.map((id) => tasks.get(id)!).filter((t) => t.recurring);
          const load = sum(continuing.map((t) => t.effort)) + sum(batch.tasks.map((t) => t.effort));
          const full = fullCap(plan);
          const recurring = sum(continuing.map((t) => t.effort));
          const alone =
            batch.tasks.length === 1 &&
            batch.oversizeTaskId === batch.tasks[0]!.taskId &&
            (batch.tasks[0]!.effort > batch.cap || batch.tasks[0]!.effort > full - recurring + EPSILON);
          if (batch.oversizeTaskId !== undefined) expect(alone).toBe(true);
          // Continuing work alone may stand above the cap (a recurring task that went out as
          // oversize); what is checked is that no new task is added on top of a full week.
          if (batch.tasks.length > 0 && load > batch.cap + EPSILON) expect(alone).toBe(true);
          expect(batch.volume).toBeCloseTo(load, 6);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('moves the stage at most one step a week, and never lowers the cap', () => {
    fc.assert(
      fc.property(anyPlanInput, (input) => {
        const plan = validated(input);

        const run = runAlwaysAdvancing(plan);

        for (const [i, { stage, batch }] of run.weeks.entries()) {
          expect(batch.stage).toBe(stage);
          expect(batch.cap).toBe(stageCap(plan.ramp, stage, plan.effortUnit));
          const previous = run.weeks[i - 1]?.batch;
          if (!previous) continue;
          expect(batch.stage - previous.stage).toBeGreaterThanOrEqual(0);
          expect(batch.stage - previous.stage).toBeLessThanOrEqual(1);
          expect(batch.cap).toBeGreaterThanOrEqual(previous.cap);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('releases in strict priority order: no task goes out ahead of a higher-priority task that was ready at the start of its week', () => {
    fc.assert(
      fc.property(anyPlanInput, (input) => {
        const plan = validated(input);
        const rank = new Map(tasksByPriority(plan.tasks).map((t, i) => [t.id, i]));

        const run = runAlwaysAdvancing(plan);

        // Ready at the start of the week: planBatch scans the priority order once, so a task
        // whose last dependency goes out earlier in the same batch waits for the next week.
        const order = releaseOrder(run);
        for (const { week, releasedBefore, batch } of run.weeks) {
          const earlier = new Set(releasedBefore);
          const readyAtStart = plan.tasks.filter(
            (t) => !earlier.has(t.id) && t.dependsOn.every((dep) => earlier.has(dep)),
          );
          for (const [position, released] of batch.tasks.entries()) {
            const overtaken = readyAtStart
              .filter((t) => rank.get(t.id)! < rank.get(released.taskId)!)
              .filter((t) => {
                const when = order.get(t.id);
                return when === undefined || before({ week, position }, when);
              })
              .map((t) => `${released.taskId} went out ahead of ${t.id} in week ${week}`);
            expect(overtaken).toEqual([]);
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never releases a task before its dependencies (in an earlier week, or earlier in the same batch)', () => {
    fc.assert(
      fc.property(anyPlanInput, (input) => {
        const plan = validated(input);
        const tasks = taskById(plan);

        const run = runAlwaysAdvancing(plan);

        const violations = run.weeks.flatMap(({ releasedBefore, batch }) =>
          batch.tasks.flatMap((released, position) => {
            const available = new Set([
              ...releasedBefore,
              ...batch.tasks.slice(0, position).map((t) => t.taskId),
            ]);
            return tasks
              .get(released.taskId)!
              .dependsOn.filter((dep) => !available.has(dep))
              .map((dep) => `${released.taskId} before ${dep}`);
          }),
        );
        expect(violations).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('ramp properties: a week the gate held (releaseNew: false)', () => {
  it('releases nothing new, and its volume is the continuing recurring work plus the carried work', () => {
    fc.assert(
      fc.property(
        anyPlanInput,
        fc.nat(),
        fc.nat(),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        (input, weekPick, stagePick, carriedPicks) => {
          const plan = validated(input);
          const run = runAlwaysAdvancing(plan);
          // Any point of the run: the tasks released before that week, and any tasks reported
          // unfinished (unreleased and recurring ones included: they must not count as carried).
          const releasedBefore = run.weeks[weekPick % run.weeks.length]!.releasedBefore;
          const carried = plan.tasks.filter((_, i) => carriedPicks[i]).map((t) => t.id);
          const stage = stagePick % stagePercentages(plan.ramp).length;

          const batch = planBatch(plan, { stage, releasedBefore, carried, releaseNew: false });

          const released = new Set(releasedBefore);
          const continuing = plan.tasks.filter((t) => t.recurring && released.has(t.id));
          const carriedTasks = plan.tasks.filter(
            (t) => !t.recurring && released.has(t.id) && carried.includes(t.id),
          );
          expect(batch.tasks).toEqual([]);
          expect(batch.releasesNew).toBe(false);
          expect(batch.oversizeTaskId).toBeUndefined();
          expect(batch.continuingTaskIds).toEqual(continuing.map((t) => t.id));
          expect(batch.carriedTaskIds).toEqual(carriedTasks.map((t) => t.id));
          expect(batch.volume).toBeCloseTo(sum([...continuing, ...carriedTasks].map((t) => t.effort)), 6);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('ramp properties: unreleasedAtBestPace', () => {
  it('is empty exactly when the simulated run finishes within the plan’s weeks', () => {
    fc.assert(
      fc.property(anyPlanInput, (input) => {
        const plan = validated(input);

        const run = runAlwaysAdvancing(plan);

        const finishedInTime = run.finished && run.weeks.length <= plan.weeks;
        expect(unreleasedAtBestPace(plan).length === 0).toBe(finishedInTime);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('lists, in file order, the tasks the simulated run has not released after the plan’s last week', () => {
    fc.assert(
      fc.property(anyPlanInput, (input) => {
        const plan = validated(input);

        const run = runAlwaysAdvancing(plan, plan.weeks);

        const released = new Set(run.released);
        expect(unreleasedAtBestPace(plan)).toEqual(
          plan.tasks.filter((t) => !released.has(t.id)).map((t) => t.id),
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
