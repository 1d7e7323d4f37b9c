import type { Plan, Task } from './plan.ts';

/**
 * The ramp: how much work the partner gets each week. A stage's cap is the plan's target weekly
 * volume times the curve's percentage at that stage; the batch is filled highest priority first,
 * never before a task's dependencies, never above the cap.
 */

type RampSpec = Plan['ramp'];

/** The percentage of the target volume at each stage, ending at 100. */
export function stagePercentages(ramp: RampSpec): number[] {
  if (Array.isArray(ramp.curve)) return ramp.curve;
  const n = ramp.stages;
  const stages = Array.from({ length: n }, (_, i) => i + 1);
  switch (ramp.curve) {
    case 'linear':
      return stages.map((k) => round1((100 * k) / n));
    case 'geometric':
      // A constant ratio from 10% to 100%: 10, 17.8, 31.6, 56.2, 100 for five stages. (Halving back
      // from 100% would round the early stages of a long ramp down to 0%.)
      return stages.map((k) => (n === 1 ? 100 : round1(10 * 10 ** ((k - 1) / (n - 1)))));
    case 's-curve': {
      // A logistic curve rescaled so the first stage is small and the last is exactly 100%.
      const logistic = (x: number) => 1 / (1 + Math.exp(-10 * (x - 0.5)));
      const low = logistic(0);
      return stages.map((k) => round1((100 * (logistic(k / n) - low)) / (logistic(1) - low)));
    }
  }
}

/** A stage's cap in the plan's unit: hours to one decimal, items (tickets, invoices) whole. */
export function stageCap(ramp: RampSpec, stage: number, unit: Plan['effortUnit'] = 'hours'): number {
  const percentages = stagePercentages(ramp);
  const percent = percentages[Math.min(stage, percentages.length - 1)] ?? 100;
  const cap = (ramp.targetWeeklyVolume * percent) / 100;
  return unit === 'items' ? Math.floor(cap + 1e-9) : round1(cap);
}

export interface ReleasedTask {
  taskId: string;
  title: string;
  effort: number;
  priority: number;
  recurring: boolean;
}

export interface Batch {
  stage: number;
  percent: number;
  cap: number;
  /** Tasks released this week for the first time, in priority order. */
  tasks: ReleasedTask[];
  /** Recurring tasks released in earlier weeks, which continue this week and count against the cap. */
  continuingTaskIds: string[];
  recurringVolume: number;
  /** Tasks released earlier but not finished, carried into this week; they count against the cap. */
  carriedTaskIds: string[];
  carriedVolume: number;
  /** Everything the partner is asked to do this week: new, carried and continuing recurring work. */
  volume: number;
  /**
   * Set when the next task is larger than this stage's cap, or can never fit beside the weekly
   * recurring work even at full volume, and is therefore released alone.
   */
  oversizeTaskId?: string;
  /** False when the gate held the stage: nothing new is released this week. */
  releasesNew: boolean;
}

/** What the scheduler needs to know about the weeks before this one. */
export interface BatchInput {
  /** The stage the gate set for this week (0 is the first). */
  stage: number;
  /** Every task released in earlier weeks, in release order. */
  releasedBefore: readonly string[];
  /** Earlier tasks reported unfinished, carried into this week. */
  carried?: readonly string[];
  /** False after a hold: the week carries on with what was released, and adds nothing new. */
  releaseNew?: boolean;
}

/** Tasks in the order work is released: priority 1 first, then as listed in the plan. */
export function tasksByPriority(tasks: readonly Task[]): Task[] {
  return tasks
    .map((task, index) => ({ task, index }))
    .sort((a, b) => a.task.priority - b.task.priority || a.index - b.index)
    .map(({ task }) => task);
}

/**
 * This week's batch. Continuing recurring work and carried unfinished work are counted first; new
 * tasks then fill what is left of the cap in strict priority order: when the next eligible task
 * does not fit, nothing of lower priority jumps ahead of it; it waits for next week. A task larger
 * than the whole cap is released alone, in a week with nothing else in it. A task is eligible once its dependencies are released
 * (earlier, or earlier in this batch).
 */
export function planBatch(
  plan: Pick<Plan, 'tasks' | 'ramp'> & Partial<Pick<Plan, 'effortUnit'>>,
  input: BatchInput,
): Batch {
  const percentages = stagePercentages(plan.ramp);
  const stageIndex = Math.min(Math.max(input.stage, 0), percentages.length - 1);
  const cap = stageCap(plan.ramp, stageIndex, plan.effortUnit);
  const released = new Set(input.releasedBefore);
  const continuing = plan.tasks.filter((t) => t.recurring && released.has(t.id));
  const carriedIds = new Set(input.carried ?? []);
  const carried = plan.tasks.filter((t) => !t.recurring && released.has(t.id) && carriedIds.has(t.id));
  const recurringVolume = sumEffort(continuing);
  const carriedVolume = sumEffort(carried);
  const releaseNew = input.releaseNew ?? true;

  // A task that will never fit beside the weekly work, even at full volume, goes out alone once
  // nothing carried is left to finish; so does one larger than this stage's whole cap, but only in
  // a week with nothing else in it: beside recurring work it waits for a stage it fits, or a step
  // back would hand out more than the stage above (a 5 h task on top of 8 h of recurring work at a
  // 4 h cap, where a 10 h cap holds it back).
  const fullCap = stageCap(plan.ramp, percentages.length - 1, plan.effortUnit);
  const startsEmpty = recurringVolume + carriedVolume === 0;
  const neverFits = (task: Task) =>
    (startsEmpty && task.effort > cap) || task.effort > fullCap - recurringVolume + 1e-9;

  const batch: Task[] = [];
  const inBatch = new Set<string>();
  const byPriority = releaseNew ? tasksByPriority(plan.tasks) : [];
  let load = recurringVolume + carriedVolume;
  let oversizeTaskId: string | undefined;
  while (oversizeTaskId === undefined) {
    // The highest-priority task that is ready, looked for afresh after each addition: adding a
    // task can make a higher-priority one ready (its dependency is now in the batch).
    const next = byPriority.find(
      (task) =>
        !released.has(task.id) &&
        !inBatch.has(task.id) &&
        task.dependsOn.every((dep) => released.has(dep) || inBatch.has(dep)),
    );
    if (!next) break;
    if (load + next.effort <= cap + 1e-9) {
      batch.push(next);
      inBatch.add(next.id);
      load += next.effort;
      continue;
    }
    if (batch.length === 0 && carried.length === 0 && neverFits(next)) {
      batch.push(next);
      inBatch.add(next.id);
      load += next.effort;
      oversizeTaskId = next.id;
    }
    break;
  }

  return {
    stage: stageIndex,
    percent: percentages[stageIndex] ?? 100,
    cap,
    tasks: batch.map((t) => ({
      taskId: t.id,
      title: t.title,
      effort: t.effort,
      priority: t.priority,
      recurring: t.recurring,
    })),
    continuingTaskIds: continuing.map((t) => t.id),
    recurringVolume,
    carriedTaskIds: carried.map((t) => t.id),
    carriedVolume,
    volume: round1(load),
    ...(oversizeTaskId ? { oversizeTaskId } : {}),
    releasesNew: releaseNew,
  };
}

/**
 * Releases every week of the plan as if each week's feedback were good (the stage advances
 * weekly), and returns the ids still unreleased after the plan's last week.
 */
export function unreleasedAtBestPace(plan: Pick<Plan, 'tasks' | 'ramp' | 'weeks' | 'effortUnit'>): string[] {
  const released: string[] = [];
  const lastStage = stagePercentages(plan.ramp).length - 1;
  for (let week = 1; week <= plan.weeks && released.length < plan.tasks.length; week++) {
    const batch = planBatch(plan, { stage: Math.min(week - 1, lastStage), releasedBefore: released });
    released.push(...batch.tasks.map((t) => t.taskId));
  }
  const done = new Set(released);
  return plan.tasks.filter((t) => !done.has(t.id)).map((t) => t.id);
}

function sumEffort(tasks: readonly Task[]): number {
  return round1(tasks.reduce((sum, t) => sum + t.effort, 0));
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
