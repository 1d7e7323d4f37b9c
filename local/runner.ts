import './node-compat.ts';
import { StateMachine } from 'aws-local-stepfunctions';
import { type Clock, runWithClock, VirtualClock } from '#adapters/clock';
import {
  type Definition,
  localFunctionArn,
  type StateDefinition,
  substitute,
  TASK_TOKEN_ARN,
  TASK_TOKEN_PLACEHOLDER,
  taskStates,
  VIRTUAL_CLOCK_ARN,
  type WorkflowFunction,
  withLocalTaskTokens,
  withVirtualWaits,
} from './definition.ts';
import { type ParkedTask, TaskTokens } from './task-tokens.ts';

export type LambdaHandler = (event: unknown) => Promise<unknown>;
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** One state the execution went through: what AWS shows as the execution's event history. */
export interface StateVisit {
  state: string;
  type: string;
  enteredAt: string;
  input: unknown;
  output?: unknown;
  error?: string;
}

export interface Execution {
  name: string;
  executionArn: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  /** The states visited, in order, including retries and catches. */
  visits: StateVisit[];
  /** How many history events AWS would have recorded (one per state entered/exited, per retry…). */
  eventCount: number;
  clock: Clock;
  done: Promise<void>;
  abort(): void;
}

/** What a local Task state runs: a Lambda handler, the virtual clock (a Wait), or a token wait. */
export type TaskBinding =
  | { kind: 'lambda'; handler: string }
  | { kind: 'clock' }
  /** Invokes the handler with a fresh task token, then waits until the token is answered. */
  | { kind: 'token'; handler: string };

export type { ParkedTask };

/** An execution has entered a Wait state. */
export interface WaitEvent {
  executionName: string;
  stateName: string;
  /** The state's input at the Wait (the workflow's state). */
  state: unknown;
  until: Date;
}

/** AWS's error for a second execution of the same name with another input (or after it ended). */
export class ExecutionAlreadyExists extends Error {
  override name = 'ExecutionAlreadyExists';
}

export class ExecutionDoesNotExist extends Error {
  override name = 'ExecutionDoesNotExist';
}

export const LOCAL_STATE_MACHINE_ARN =
  'arn:aws:states:us-east-1:000000000000:stateMachine:onramp-local-onboarding';

/**
 * The definition made ready to run locally: placeholders filled, Waits turned into virtual-clock
 * Tasks, token Tasks bound to the runner's task tokens, and loaded into the interpreter, once for
 * every execution. The interpreter validates it too, unless the file was validated already (by
 * the emulator process, in parallel with the boot: validation is the slow part); the rewrites
 * themselves are covered by their own tests.
 */
export class PreparedStateMachine {
  readonly machine: StateMachine;
  /** Each Task state and what it runs. */
  readonly tasks: Array<[state: string, binding: TaskBinding]>;
  readonly retriedStates: string[];

  constructor(
    definition: Definition,
    functions: readonly WorkflowFunction[],
    options: { validated?: boolean } = {},
  ) {
    const arns = Object.fromEntries(functions.map((f) => [f.placeholder, localFunctionArn(f.handler)]));
    const local = withLocalTaskTokens(withVirtualWaits(substitute(definition, arns)));
    const byArn = new Map(functions.map((f) => [localFunctionArn(f.handler), f.handler]));
    const handlerOf = (name: string, arn: unknown) => {
      const handler = byArn.get(String(arn));
      if (!handler)
        throw new Error(`State ${name} calls ${String(arn)}, which no function of the manifest is`);
      return handler;
    };
    this.tasks = taskStates(local).map(([name, state]): [string, TaskBinding] => {
      if (state.Resource === VIRTUAL_CLOCK_ARN) return [name, { kind: 'clock' }];
      if (state.Resource === TASK_TOKEN_ARN) {
        return [name, { kind: 'token', handler: handlerOf(name, functionNameOf(state)) }];
      }
      return [name, { kind: 'lambda', handler: handlerOf(name, state.Resource) }];
    });
    this.retriedStates = taskStates(local)
      .filter(([, state]) => Array.isArray(state.Retry))
      .map(([name]) => name);
    this.machine = new StateMachine(local as never, {
      validationOptions: { noValidate: options.validated ?? false },
    });
  }
}

type BoundTask = { kind: 'clock' } | { kind: 'lambda' | 'token'; handler: LambdaHandler };

/**
 * Runs the state machine definition in process with aws-local-stepfunctions: every Lambda Task
 * calls the real handler module, every Wait moves that execution's own virtual clock, so many
 * executions can run at once, each at its own time. A `.waitForTaskToken` Task invokes its
 * handler with a fresh token and waits until the token is answered (`sendTaskSuccess`…, which the
 * local Step Functions API serves); its time stands still meanwhile unless told (`letTimePass`).
 */
export class LocalStepFunctions {
  readonly stateMachineArn = LOCAL_STATE_MACHINE_ARN;
  readonly executions = new Map<string, Execution>();
  private readonly machine: StateMachine;
  private readonly taskHandlers: Array<[string, BoundTask]>;
  private readonly retriedStates: string[];
  /** Waits rewritten into virtual-clock Tasks: shown and counted as the Waits they are on AWS. */
  private readonly clockStates: Set<string>;
  private readonly tokens = new TaskTokens();
  /** Why each stopped execution was stopped, for DescribeExecution. */
  private readonly stopReasons = new Map<string, { error?: string; cause?: string }>();
  /** Called when an execution starts waiting, before its clock moves to the end of the wait. */
  onWait?: (wait: WaitEvent) => Promise<void>;
  /**
   * Called when an execution starts waiting for a task token, once its handler has run: what
   * happens in the world meanwhile (someone answering, time passing) can be simulated here.
   */
  onPark?: (task: ParkedTask) => Promise<void>;
  /** Called once an execution has ended (its status set): `npm run serve` says so. */
  onEnd?: (execution: Execution) => void;

  constructor(prepared: PreparedStateMachine, handlers: Record<string, LambdaHandler>) {
    this.machine = prepared.machine;
    this.retriedStates = prepared.retriedStates;
    this.taskHandlers = prepared.tasks.map(([state, binding]): [string, BoundTask] => {
      if (binding.kind === 'clock') return [state, binding];
      const handler = handlers[binding.handler];
      if (!handler) {
        throw new Error(`State ${state} calls the ${binding.handler} function, which has no local handler`);
      }
      return [state, { kind: binding.kind, handler }];
    });
    this.clockStates = new Set(prepared.tasks.filter(([, b]) => b.kind === 'clock').map(([state]) => state));
  }

  /**
   * Starts an execution named `name`, as StartExecution does: the same name with the same input
   * while running returns the running one; otherwise a taken name is ExecutionAlreadyExists.
   */
  start(name: string, input: string, startDate = new Date()): Execution {
    const existing = this.executions.get(name);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new ExecutionAlreadyExists(`Execution already exists: '${existing.executionArn}'`);
    }
    const clock = new VirtualClock(startDate);
    this.stopReasons.delete(name);
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const overrides = {
      taskResourceLocalHandlers: Object.fromEntries(
        this.taskHandlers.map(([state, handler]) => [state, this.bind(handler, clock, name, state)]),
      ),
      // Retries wait in virtual time too: no real pause between attempts.
      retryIntervalOverrides: Object.fromEntries(this.retriedStates.map((state) => [state, 0])),
    };
    const run = this.machine.run(JSON.parse(input), {
      overrides,
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: JSON.parse(input),
          StartTime: startDate.toISOString(),
        },
        StateMachine: { Id: this.stateMachineArn, Name: 'onramp-local-onboarding' },
      } as never,
    });
    const execution: Execution = {
      name,
      executionArn,
      input,
      status: 'RUNNING',
      startDate,
      visits: [],
      eventCount: 2,
      clock,
      done: Promise.resolve(),
      abort: () => {
        run.abort();
        // The interpreter stops at once; a Task waiting for its token ends with it.
        this.tokens.closeExecution(name);
      },
    };
    const history = this.record(execution, run.eventLogs);
    execution.done = Promise.allSettled([run.result, history]).then(([result]) => {
      execution.stopDate = clock.now();
      this.tokens.closeExecution(name);
      if (result.status === 'fulfilled') {
        execution.status = 'SUCCEEDED';
        execution.output = result.value;
      } else if ((result.reason as Error)?.name === 'ExecutionAbortedError') {
        // As AWS describes a stopped execution: the error and cause given to StopExecution, if any.
        execution.status = 'ABORTED';
        const reason = this.stopReasons.get(name);
        if (reason?.error !== undefined) execution.error = reason.error;
        if (reason?.cause !== undefined) execution.cause = reason.cause;
      } else {
        const failed = execution.visits.findLast((v) => v.error !== undefined);
        execution.status = 'FAILED';
        execution.error = failed?.error ?? (result.reason as Error)?.name;
        execution.cause = (result.reason as Error)?.message;
      }
      this.onEnd?.(execution);
    });
    this.executions.set(name, execution);
    return execution;
  }

  get(executionArnOrName: string): Execution {
    const name = executionArnOrName.split(':').at(-1) ?? executionArnOrName;
    const execution = this.executions.get(name);
    if (!execution) throw new ExecutionDoesNotExist(`Execution does not exist: '${executionArnOrName}'`);
    return execution;
  }

  /**
   * StopExecution: a running execution ends ABORTED, also while it waits for a task token (whose
   * token then answers TaskTimedOut); a stopped or finished one stays as it ended.
   */
  stop(executionArnOrName: string, reason: { error?: string; cause?: string } = {}): Execution {
    const execution = this.get(executionArnOrName);
    if (execution.status === 'RUNNING') {
      this.stopReasons.set(execution.name, reason);
      execution.abort();
    }
    return execution;
  }

  /** SendTaskSuccess: the waiting Task succeeds with `output` (a JSON text) as its result. */
  sendTaskSuccess(taskToken: string, output: string): void {
    let result: unknown;
    try {
      result = JSON.parse(output);
    } catch {
      throw Object.assign(new Error('Invalid output: not JSON'), { name: 'InvalidOutput' });
    }
    this.tokens.succeed(taskToken, result);
  }

  /** SendTaskFailure: the waiting Task fails with `error` (Retry and Catch match it) and `cause`. */
  sendTaskFailure(taskToken: string, error = '', cause = ''): void {
    this.tokens.fail(taskToken, Object.assign(new Error(cause), { name: error }));
  }

  /** SendTaskHeartbeat: the Task's HeartbeatSeconds count again from the execution's now. */
  sendTaskHeartbeat(taskToken: string): void {
    this.tokens.heartbeat(taskToken);
  }

  /** The Tasks waiting for their token now, of one execution or of all. */
  parked(executionName?: string): ParkedTask[] {
    return this.tokens.parked(executionName);
  }

  /**
   * Lets time pass, up to `until`, for an execution waiting for a task token (nothing else moves
   * its clock while it waits). If the Task's TimeoutSeconds or HeartbeatSeconds runs out first,
   * the clock stops there and the Task fails with States.Timeout or States.HeartbeatTimeout.
   */
  letTimePass(executionName: string, until: Date): 'timed-out' | 'waiting' {
    return this.tokens.advance(executionName, until);
  }

  private bind(
    task: BoundTask,
    clock: VirtualClock,
    executionName: string,
    stateName: string,
  ): (input: unknown) => Promise<never> {
    if (task.kind === 'token') return this.bindTokenTask(task.handler, clock, executionName, stateName);
    if (task.kind === 'clock') {
      return async (input) => {
        const { until, seconds, state } = input as { until?: string; seconds?: number; state: unknown };
        const target =
          until !== undefined ? new Date(until) : new Date(clock.now().getTime() + (seconds ?? 0) * 1000);
        if (Number.isNaN(target.getTime())) {
          throw Object.assign(new Error(`Wait got an invalid timestamp: ${JSON.stringify(until)}`), {
            name: 'States.Runtime',
          });
        }
        // What happens in the world while the workflow waits (people answering) happens now, at the
        // start of the wait, in the execution's time.
        // A mistake in the simulation is reported, not turned into a failure of the workflow:
        // on AWS nothing that happens during a Wait can fail the Wait.
        if (this.onWait) {
          await runWithClock(clock, () =>
            this.onWait!({ executionName, stateName, state, until: target }),
          ).catch((error: unknown) =>
            console.error(`local simulation, ${executionName} at ${stateName}:`, error),
          );
        }
        clock.advanceTo(target);
        return {} as never;
      };
    }
    const { handler } = task;
    return (input) => runWithClock(clock, () => handler(input)) as Promise<never>;
  }

  /**
   * A `lambda:invoke.waitForTaskToken` Task: a fresh token goes where the definition had
   * `$$.Task.Token`, the Task is parked under it first (the handler may answer it at once), then
   * the handler runs with the Payload. A failing handler fails the Task with its error, as a
   * failed invocation does on AWS; otherwise the Task's result is the output sent with the token.
   */
  private bindTokenTask(
    handler: LambdaHandler,
    clock: VirtualClock,
    executionName: string,
    stateName: string,
  ): (input: unknown) => Promise<never> {
    return async (input) => {
      const { invoke, timeoutSeconds, heartbeatSeconds } = input as {
        invoke: { Payload?: unknown };
        timeoutSeconds?: number;
        heartbeatSeconds?: number;
      };
      const { token, result } = this.tokens.issue({
        executionName,
        stateName,
        clock,
        ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
        ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}),
      });
      try {
        await runWithClock(clock, () => handler(withToken(invoke.Payload, token)));
        this.tokens.markWaiting(token);
      } catch (error) {
        if (this.tokens.isOpen(token)) {
          this.tokens.fail(token, error instanceof Error ? error : new Error(String(error)));
        }
      }
      if (this.onPark && this.tokens.isOpen(token)) {
        const [parked] = this.tokens.parked(executionName).filter((t) => t.token === token);
        // As with onWait: a mistake in the simulation is reported, not a failure of the workflow.
        await runWithClock(clock, () => this.onPark!(parked!)).catch((error: unknown) =>
          console.error(`local simulation, ${executionName} at ${stateName}:`, error),
        );
      }
      return result as Promise<never>;
    };
  }

  private async record(execution: Execution, events: AsyncGenerator<unknown>): Promise<void> {
    for await (const event of events as AsyncGenerator<{
      type: string;
      state?: { name: string; type: string; input: unknown; output?: unknown };
      Error?: string;
    }>) {
      execution.eventCount += event.type === 'StateEntered' || event.type === 'StateExited' ? 1 : 0;
      if (!event.state) continue;
      const at = execution.clock.now().toISOString();
      if (event.type === 'StateEntered') {
        const isWait = this.clockStates.has(event.state.name);
        const type = isWait ? 'Wait' : event.state.type;
        execution.visits.push({ state: event.state.name, type, enteredAt: at, input: event.state.input });
        // A Lambda Task also records Scheduled, Started and Succeeded events on AWS.
        if (type === 'Task') execution.eventCount += 3;
      } else {
        const visit = execution.visits.findLast((v) => v.state === event.state?.name);
        if (!visit) continue;
        if (event.type === 'StateExited') visit.output = event.state.output;
        if (event.type === 'StateFailed' || event.type === 'StateCaught' || event.type === 'StateRetried') {
          visit.error = event.Error ?? visit.error;
        }
      }
    }
  }
}

/** The function a rewritten token Task invokes (a literal FunctionName: the ASL names its Lambda). */
function functionNameOf(state: StateDefinition): unknown {
  return (state.Parameters as { invoke?: { FunctionName?: unknown } } | undefined)?.invoke?.FunctionName;
}

/** The Payload with the fresh token where the definition had `$$.Task.Token`. */
function withToken(payload: unknown, token: string): unknown {
  if (payload === TASK_TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(payload)) return payload.map((item) => withToken(item, token));
  if (payload === null || typeof payload !== 'object') return payload;
  return Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, withToken(value, token)]));
}
