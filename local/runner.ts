import './node-compat.ts';
import { StateMachine } from 'aws-local-stepfunctions';
import { type Clock, runWithClock, VirtualClock } from '#adapters/clock';
import {
  type Definition,
  localFunctionArn,
  substitute,
  taskStates,
  VIRTUAL_CLOCK_ARN,
  type WorkflowFunction,
  withVirtualWaits,
} from './definition.ts';

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
 * Tasks, and loaded into the interpreter, once for every execution. The interpreter validates it
 * too, unless the file was validated already (by the emulator process, in parallel with the boot:
 * validation is the slow part); the rewrite itself is covered by its own tests.
 */
export class PreparedStateMachine {
  readonly machine: StateMachine;
  /** Each Task state and the handler it calls, or the virtual clock for a rewritten Wait. */
  readonly tasks: Array<[state: string, handler: string | 'clock']>;
  readonly retriedStates: string[];

  constructor(
    definition: Definition,
    functions: readonly WorkflowFunction[],
    options: { validated?: boolean } = {},
  ) {
    const arns = Object.fromEntries(functions.map((f) => [f.placeholder, localFunctionArn(f.handler)]));
    const local = withVirtualWaits(substitute(definition, arns));
    const byArn = new Map(functions.map((f) => [localFunctionArn(f.handler), f.handler]));
    this.tasks = taskStates(local).map(([name, state]) => {
      if (state.Resource === VIRTUAL_CLOCK_ARN) return [name, 'clock'];
      const handler = byArn.get(String(state.Resource));
      if (!handler)
        throw new Error(
          `State ${name} calls ${String(state.Resource)}, which no function of the manifest is`,
        );
      return [name, handler];
    });
    this.retriedStates = taskStates(local)
      .filter(([, state]) => Array.isArray(state.Retry))
      .map(([name]) => name);
    this.machine = new StateMachine(local as never, {
      validationOptions: { noValidate: options.validated ?? false },
    });
  }
}

/**
 * Runs the state machine definition in process with aws-local-stepfunctions: every Lambda Task
 * calls the real handler module, every Wait moves that execution's own virtual clock, so many
 * executions can run at once, each at its own time.
 */
export class LocalStepFunctions {
  readonly stateMachineArn = LOCAL_STATE_MACHINE_ARN;
  readonly executions = new Map<string, Execution>();
  private readonly machine: StateMachine;
  private readonly taskHandlers: Array<[string, LambdaHandler | 'clock']>;
  private readonly retriedStates: string[];
  /** Waits rewritten into virtual-clock Tasks: shown and counted as the Waits they are on AWS. */
  private readonly clockStates: Set<string>;
  /** Called when an execution starts waiting, before its clock moves to the end of the wait. */
  onWait?: (wait: WaitEvent) => Promise<void>;

  constructor(prepared: PreparedStateMachine, handlers: Record<string, LambdaHandler>) {
    this.machine = prepared.machine;
    this.retriedStates = prepared.retriedStates;
    this.taskHandlers = prepared.tasks.map(([state, name]) => {
      if (name === 'clock') return [state, 'clock'];
      const handler = handlers[name];
      if (!handler) throw new Error(`State ${state} calls the ${name} function, which has no local handler`);
      return [state, handler];
    });
    this.clockStates = new Set(prepared.tasks.filter(([, h]) => h === 'clock').map(([state]) => state));
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
      abort: run.abort,
    };
    const history = this.record(execution, run.eventLogs);
    execution.done = Promise.allSettled([run.result, history]).then(([result]) => {
      execution.stopDate = clock.now();
      if (result.status === 'fulfilled') {
        execution.status = 'SUCCEEDED';
        execution.output = result.value;
      } else {
        const failed = execution.visits.findLast((v) => v.error !== undefined);
        execution.status = (result.reason as Error)?.name === 'ExecutionAbortedError' ? 'ABORTED' : 'FAILED';
        execution.error = failed?.error ?? (result.reason as Error)?.name;
        execution.cause = (result.reason as Error)?.message;
      }
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

  private bind(
    handler: LambdaHandler | 'clock',
    clock: Clock,
    executionName: string,
    stateName: string,
  ): (input: unknown) => Promise<never> {
    if (handler === 'clock') {
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
        (clock as VirtualClock).advanceTo(target);
        return {} as never;
      };
    }
    return (input) => runWithClock(clock, () => handler(input)) as Promise<never>;
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
