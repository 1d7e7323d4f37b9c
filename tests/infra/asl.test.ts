import { readFileSync } from 'node:fs';
import validateAsl from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { aslFile } from '#infra/constructs/workflow';
import { fromRoot } from '#infra/paths';

type Retrier = {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxAttempts?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
};
type Catcher = { ErrorEquals: string[]; ResultPath?: string | null; Next: string };
type State = {
  Type: string;
  Resource?: string;
  Next?: string;
  TimeoutSecondsPath?: string;
  Retry?: Retrier[];
  Catch?: Catcher[];
};

const definition = JSON.parse(readFileSync(fromRoot(aslFile), 'utf8')) as { States: Record<string, State> };
const states = definition.States;
const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task');
/** The step every other Task's unexpected error goes to: it marks the onboarding failed and tells people. */
const markFailed = 'MarkFailed';
const isFail = (name: string | undefined) => name !== undefined && states[name]?.Type === 'Fail';

/**
 * Errors that pass if tried again a little later: Lambda throttling and service faults, and the
 * handlers' own TransientError (a throttled or failing AWS call, functions/adapters/aws-errors.ts).
 */
const transientErrors = [
  'TransientError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
];
/** The one retry of transient errors every Task shares: long enough to outlast a throttling burst. */
const transientRetry = {
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 8,
  MaxDelaySeconds: 300,
  JitterStrategy: 'FULL',
};
/** The longest a retrier waits in all, before jitter shortens each wait. */
const longestWait = ({ IntervalSeconds = 1, BackoffRate = 2, MaxAttempts = 3, MaxDelaySeconds }: Retrier) =>
  Array.from({ length: MaxAttempts }, (_, attempt) =>
    Math.min(IntervalSeconds * BackoffRate ** attempt, MaxDelaySeconds ?? Number.POSITIVE_INFINITY),
  ).reduce((sum, wait) => sum + wait, 0);

it('the onboarding ASL is a valid state machine definition', () => {
  const result = validateAsl(definition);
  expect(result.errorsText()).toBe('');
  expect(result.isValid).toBe(true);
});

describe('error handling of every Task', () => {
  it('has Tasks to check', () => {
    expect(tasks.length).toBeGreaterThan(0);
    expect(states[markFailed]?.Type).toBe('Task');
  });

  it.each(tasks)('%s retries with exponential backoff and full jitter, every retrier', (_, task) => {
    expect(task.Retry?.length).toBeGreaterThan(0);
    for (const retrier of task.Retry ?? []) {
      expect(retrier.BackoffRate, retrier.ErrorEquals.join()).toBeGreaterThan(1);
      expect(retrier.JitterStrategy, retrier.ErrorEquals.join()).toBe('FULL');
    }
  });

  it.each(tasks)(
    '%s retries the transient errors with the shared shape, for minutes, not seconds',
    (_, task) => {
      const retriers = (task.Retry ?? []).filter((r) =>
        r.ErrorEquals.some((e) => transientErrors.includes(e)),
      );
      expect(retriers).toHaveLength(1);
      const [retrier] = retriers as [Retrier];
      expect(retrier.ErrorEquals).toEqual(expect.arrayContaining(transientErrors));
      const { ErrorEquals: _errors, ...shape } = retrier;
      expect(shape).toEqual(transientRetry);
      // A short Lambda throttling burst must not fail an onboarding that runs for weeks.
      expect(longestWait(retrier)).toBeGreaterThanOrEqual(300);
    },
  );

  it.each(tasks.filter(([name]) => name !== markFailed))(
    '%s sends any other error to MarkFailed, keeping it in $.error',
    (_, task) => {
      const catchers = task.Catch ?? [];
      expect(catchers.at(-1)).toEqual({
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.error',
        Next: markFailed,
      });
      // Designed otherwise: a wait for a task token ends by timing out (TimeoutSecondsPath), which
      // goes on, not to MarkFailed, and so is caught first and never retried.
      for (const catcher of catchers.slice(0, -1)) {
        expect(catcher.ErrorEquals).toEqual(['States.Timeout']);
        expect(task.TimeoutSecondsPath).toBeDefined();
        expect(catcher.Next).not.toBe(markFailed);
        expect((task.Retry ?? []).flatMap((r) => r.ErrorEquals)).not.toContain('States.Timeout');
      }
    },
  );

  it('MarkFailed ends in a Fail state, and so does its own failure, which nothing retries into a loop', () => {
    const task = states[markFailed]!;
    expect(isFail(task.Next), `Next: ${task.Next}`).toBe(true);
    expect(task.Catch).toHaveLength(1);
    const [catcher] = task.Catch as [Catcher];
    expect(catcher.ErrorEquals).toEqual(['States.ALL']);
    expect(isFail(catcher.Next), `Catch Next: ${catcher.Next}`).toBe(true);
    // The step's original error stays in $.error for the Fail state to report.
    expect(catcher.ResultPath).not.toBe('$.error');
    expect(catcher.ResultPath).not.toBeNull();
  });
});
