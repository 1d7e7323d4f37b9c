import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { PlanInput } from '#core/plan';
import type { Execution } from '#local/runner';

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
