import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Definition,
  LAMBDA_WAIT_FOR_TOKEN,
  loadDefinition,
  loadFunctions,
  REAL_TIMEOUT_SECONDS,
  TASK_TOKEN_ARN,
  TASK_TOKEN_PLACEHOLDER,
  withLocalTaskTokens,
} from '#local/definition';
import { type Execution, type LambdaHandler, LocalStepFunctions, PreparedStateMachine } from '#local/runner';
import { type StepFunctionsApi, startStepFunctionsApi } from '#local/sfn-server';

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: ASL placeholders, filled by substitute()
const parkState = (overrides: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: LAMBDA_WAIT_FOR_TOKEN,
  Parameters: {
    FunctionName: '${ParkFunctionArn}',
    Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' },
  },
  TimeoutSeconds: 3600,
  ResultPath: '$.answer',
  Catch: [
    { ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'After' },
    { ErrorEquals: ['Refused'], ResultPath: '$.refused', Next: 'After' },
  ],
  Next: 'After',
  ...overrides,
});
const tiny = (park = parkState()): Definition => ({
  StartAt: 'Park',
  States: {
    Park: park as Definition['States'][string],
    After: { Type: 'Task', Resource: '${AfterFunctionArn}', End: true },
  },
});
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: ASL placeholders
const functions = [
  { placeholder: 'ParkFunctionArn', handler: 'park', needs: [] },
  { placeholder: 'AfterFunctionArn', handler: 'after', needs: [] },
];

/** A runner whose Park handler records the tokens it gets; After records what it got, and when. */
function runnerWith(park: LambdaHandler = async () => ({})) {
  const seen: { tokens: string[]; after: Array<{ input: unknown; at: string }> } = { tokens: [], after: [] };
  const prepared = new PreparedStateMachine(tiny(), functions);
  const runner = new LocalStepFunctions(prepared, {
    park: async (event) => {
      seen.tokens.push((event as { taskToken: string }).taskToken);
      return park(event);
    },
    after: async (input) => {
      const { clock } = await import('#adapters/clock');
      seen.after.push({ input, at: clock.now().toISOString() });
      return {};
    },
  });
  return { runner, seen };
}

/** Polls until the execution waits for a token, failing past the deadline rather than hanging. */
async function untilParked(runner: LocalStepFunctions, name: string, deadlineMs = 5_000) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const [parked] = runner.parked(name);
    if (parked) return parked;
    const execution = runner.get(name);
    if (execution.status !== 'RUNNING')
      throw new Error(`${name} ended ${execution.status} instead of waiting`);
    if (Date.now() > deadline) throw new Error(`${name} never waited for its token`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const START = new Date('2027-01-04T09:00:00Z');
const start = (runner: LocalStepFunctions, name: string): Execution =>
  runner.start(name, JSON.stringify({ id: name }), START);

describe('the local rewrite of .waitForTaskToken Tasks', () => {
  it('binds the Task to the local task tokens, with the token placeholder where $$.Task.Token was', () => {
    const rewritten = withLocalTaskTokens(tiny()).States.Park;

    expect(rewritten).toEqual({
      Type: 'Task',
      Resource: TASK_TOKEN_ARN,
      Parameters: {
        invoke: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder
          FunctionName: '${ParkFunctionArn}',
          Payload: { 'id.$': '$.id', taskToken: TASK_TOKEN_PLACEHOLDER },
        },
        timeoutSeconds: 3600,
      },
      TimeoutSeconds: REAL_TIMEOUT_SECONDS,
      ResultPath: '$.answer',
      Catch: parkState().Catch,
      Next: 'After',
    });
  });

  it('keeps a path-given timeout and heartbeat as paths, for the interpreter to evaluate', () => {
    const park = parkState({
      TimeoutSeconds: undefined,
      TimeoutSecondsPath: '$.limit',
      HeartbeatSeconds: 60,
    });
    expect(withLocalTaskTokens(tiny(park)).States.Park?.Parameters).toMatchObject({
      'timeoutSeconds.$': '$.limit',
      heartbeatSeconds: 60,
    });
  });

  it('refuses a token Task that passes its token to nobody', () => {
    const park = parkState({ Parameters: { FunctionName: 'f', Payload: { 'id.$': '$.id' } } });
    expect(() => withLocalTaskTokens(tiny(park))).toThrow(/Park waits for a task token but passes none/);
  });

  it('rewrites the workflow’s pause wait and leaves the deployed definition untouched', () => {
    const before = JSON.stringify(loadDefinition());
    const rewritten = withLocalTaskTokens(loadDefinition());

    expect(rewritten.States.WaitForResume).toMatchObject({
      Resource: TASK_TOKEN_ARN,
      // A week, or until resumeBy if sooner: the deployed state's TimeoutSecondsPath, kept as a path.
      Parameters: {
        invoke: { Payload: { taskToken: TASK_TOKEN_PLACEHOLDER } },
        'timeoutSeconds.$': '$.resumeCheckSeconds',
      },
    });
    expect(JSON.stringify(loadDefinition())).toBe(before);
  });

  it('makes of the whole workflow a definition the interpreter accepts, the pause wait calling its handler', () => {
    const prepared = new PreparedStateMachine(loadDefinition(), loadFunctions());

    expect(prepared.tasks).toContainEqual(['WaitForResume', { kind: 'token', handler: 'park-while-paused' }]);
  });
});

describe('a local execution waiting for its task token', () => {
  it('hands the handler a fresh token and goes on with the output sent back with it', async () => {
    const { runner, seen } = runnerWith();
    const execution = start(runner, 'answered');
    const parked = await untilParked(runner, 'answered');

    runner.sendTaskSuccess(parked.token, JSON.stringify({ decision: 'continue' }));
    await execution.done;

    expect(execution.status).toBe('SUCCEEDED');
    expect(seen.tokens).toEqual([parked.token]);
    expect(parked).toMatchObject({ executionName: 'answered', stateName: 'Park', parkedAt: START });
    expect(seen.after).toEqual([
      { input: { id: 'answered', answer: { decision: 'continue' } }, at: START.toISOString() },
    ]);
    expect(execution.visits.map((v) => `${v.state}:${v.type}`)).toEqual(['Park:Task', 'After:Task']);
  });

  it('issues a different token to every execution', async () => {
    const { runner, seen } = runnerWith();
    const executions = ['one', 'two'].map((name) => start(runner, name));
    const parked = await Promise.all(['one', 'two'].map((name) => untilParked(runner, name)));
    for (const p of parked) runner.sendTaskSuccess(p.token, '{}');
    await Promise.all(executions.map((e) => e.done));

    expect(new Set(seen.tokens).size).toBe(2);
  });

  it('goes on at once when the handler itself answers its token', async () => {
    const { runner, seen } = runnerWith(async (event) => {
      runner.sendTaskSuccess((event as { taskToken: string }).taskToken, '{"already":true}');
      return {};
    });
    const execution = start(runner, 'self-answered');
    await execution.done;

    expect(execution.status).toBe('SUCCEEDED');
    expect(seen.after[0]?.input).toEqual({ id: 'self-answered', answer: { already: true } });
    expect(runner.parked()).toEqual([]);
  });

  it('fails the Task with the error sent back, which Catch matches by name', async () => {
    const { runner, seen } = runnerWith();
    const execution = start(runner, 'refused');
    const parked = await untilParked(runner, 'refused');

    runner.sendTaskFailure(parked.token, 'Refused', 'the owner said no');
    await execution.done;

    expect(seen.after[0]?.input).toEqual({
      id: 'refused',
      refused: { Error: 'Refused', Cause: 'the owner said no' },
    });
  });

  it('fails the Task with the handler’s own error when the invocation fails', async () => {
    const { runner, seen } = runnerWith(async () => {
      throw Object.assign(new Error('no'), { name: 'Refused' });
    });
    const execution = start(runner, 'invocation-failed');
    await execution.done;

    expect(seen.after[0]?.input).toMatchObject({ refused: { Error: 'Refused' } });
    expect(runner.parked()).toEqual([]);
  });

  it('answers a token as AWS does once it is closed, never issued, or not a token', async () => {
    const { runner } = runnerWith();
    const execution = start(runner, 'closed');
    const parked = await untilParked(runner, 'closed');
    runner.sendTaskSuccess(parked.token, '{}');
    await execution.done;

    expect(() => runner.sendTaskSuccess(parked.token, '{}')).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }),
    );
    expect(() => runner.sendTaskHeartbeat('local-task-token:never-issued')).toThrow(
      expect.objectContaining({ name: 'TaskDoesNotExist' }),
    );
    expect(() => runner.sendTaskFailure('garbage')).toThrow(
      expect.objectContaining({ name: 'InvalidToken' }),
    );
  });

  it('times out in the execution’s own time, and the clock stops at the timeout', async () => {
    const { runner, seen } = runnerWith();
    const execution = start(runner, 'timed-out');
    const parked = await untilParked(runner, 'timed-out');
    expect(parked.timeoutAt).toEqual(new Date(START.getTime() + 3600_000));

    expect(runner.letTimePass('timed-out', new Date(START.getTime() + 1800_000))).toBe('waiting');
    expect(runner.parked('timed-out')).toHaveLength(1);
    expect(runner.letTimePass('timed-out', new Date(START.getTime() + 86_400_000))).toBe('timed-out');
    await execution.done;

    expect(seen.after).toEqual([
      {
        input: { id: 'timed-out', timedOut: expect.objectContaining({ Error: 'States.Timeout' }) },
        at: '2027-01-04T10:00:00.000Z',
      },
    ]);
  });

  it('ends ABORTED when stopped while waiting, with the stop’s error and cause; its token is closed', async () => {
    const { runner, seen } = runnerWith();
    const execution = start(runner, 'stopped');
    const parked = await untilParked(runner, 'stopped');

    runner.stop('stopped', { error: 'OnboardingCancelled', cause: 'cancelled' });
    await execution.done;

    expect(execution).toMatchObject({ status: 'ABORTED', error: 'OnboardingCancelled', cause: 'cancelled' });
    expect(seen.after).toEqual([]);
    expect(runner.parked()).toEqual([]);
    expect(() => runner.sendTaskSuccess(parked.token, '{}')).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }),
    );
  });

  it('hands each waiting execution to onPark, at the execution’s time', async () => {
    const { runner } = runnerWith();
    const { clock } = await import('#adapters/clock');
    const seenAt: string[] = [];
    runner.onPark = async (task) => {
      seenAt.push(clock.now().toISOString());
      runner.sendTaskSuccess(task.token, '{"simulated":true}');
    };
    const execution = start(runner, 'simulated');
    await execution.done;

    expect(execution.status).toBe('SUCCEEDED');
    expect(seenAt).toEqual([START.toISOString()]);
  });
});

describe('the task token operations of the local Step Functions API', () => {
  let api: StepFunctionsApi;
  let sfn: SFNClient;
  beforeAll(async () => {
    api = await startStepFunctionsApi();
    sfn = new SFNClient({
      endpoint: api.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    sfn?.destroy();
    await api?.close();
  });

  it('answers SendTaskSuccess, SendTaskHeartbeat and StopExecution through the SDK', async () => {
    const { runner, seen } = runnerWith();
    api.attach(runner);
    const answered = start(runner, 'sdk-answered');
    const parked = await untilParked(runner, 'sdk-answered');

    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: parked.token }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: parked.token, output: '{"via":"sdk"}' }));
    await answered.done;

    const stopped = start(runner, 'sdk-stopped');
    await untilParked(runner, 'sdk-stopped');
    await sfn.send(
      new StopExecutionCommand({ executionArn: stopped.executionArn, error: 'OnboardingCancelled' }),
    );
    await stopped.done;

    expect(seen.after[0]?.input).toEqual({ id: 'sdk-answered', answer: { via: 'sdk' } });
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'OnboardingCancelled' });
  });

  it('gives AWS’s errors, as the SDK’s exception classes, for closed and unknown tokens', async () => {
    const { runner } = runnerWith();
    api.attach(runner);
    const execution = start(runner, 'sdk-closed');
    const parked = await untilParked(runner, 'sdk-closed');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: parked.token, output: '{}' }));
    await execution.done;

    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: parked.token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(
      sfn.send(new SendTaskFailureCommand({ taskToken: 'local-task-token:never-issued' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
  });
});
