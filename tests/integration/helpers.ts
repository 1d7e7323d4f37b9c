import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { PlanInput } from '#core/plan';
import type { Execution, WaitEvent } from '#local/runner';
import type { LocalRuntime } from '#local/runtime';

/** An example plan file as an object, ready to be varied by a test. */
export function examplePlan(file = 'examples/bookkeeping.yaml'): PlanInput {
  return parse(readFileSync(file, 'utf8')) as PlanInput;
}

/** Waits for an execution to stop, failing the test past the deadline rather than hanging. */
export async function untilStopped(execution: Execution, deadlineMs = 20_000): Promise<Execution> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${execution.name} still ${execution.status} after ${deadlineMs} ms`)),
      deadlineMs,
    );
  });
  try {
    await Promise.race([execution.done, deadline]);
    return execution;
  } finally {
    clearTimeout(timer);
  }
}

/** A promise and the function that resolves it, for a test to release a waiting step. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Awaits `promise`, failing the test past the deadline rather than hanging. */
export async function withDeadline<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not reached within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` until it holds, failing past the deadline. */
export async function until(condition: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Holds an execution at the start of a week's feedback window, at its virtual check-in time, with
 * nobody answering, until `release()`: the test acts meanwhile, as people do during the week.
 */
export function holdInFeedbackWindow(runtime: LocalRuntime, executionName: string, week = 1) {
  const reached = deferred<WaitEvent>();
  const released = deferred<void>();
  const simulate = runtime.stepFunctions.onWait;
  runtime.stepFunctions.onWait = async (wait) => {
    await simulate?.(wait);
    const { week: n } = wait.state as { week: number };
    if (wait.executionName === executionName && wait.stateName === 'WaitForFeedback' && n === week) {
      reached.resolve(wait);
      await released.promise;
    }
  };
  return {
    reached: () => withDeadline(reached.promise, `${executionName}: week ${week}'s feedback window`),
    release: () => released.resolve(),
  };
}

/**
 * Starts the onboarding of `plan` with nobody answering and holds it at the start of week 1's
 * feedback window: the check-in emails are out, and the week is open until `hold.release()`.
 */
export async function startHeldAtFirstCheckin(runtime: LocalRuntime, plan: PlanInput & { id: string }) {
  const hold = holdInFeedbackWindow(runtime, plan.id);
  await runtime.startOnboarding({ plan });
  const execution = runtime.stepFunctions.get(plan.id);
  await hold.reached();
  const checkins = (await runtime.mailbox.list()).filter(
    (m) => m.subject === `Check-in, week 1: ${plan.title}`,
  );
  return { hold, execution, checkins };
}
