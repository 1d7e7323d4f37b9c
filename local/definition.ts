import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The one state machine definition, as deployed, and the functions behind its placeholders. */
export const ASL_PATH = fileURLToPath(new URL('../statemachines/onboarding.asl.json', import.meta.url));
const MANIFEST_PATH = fileURLToPath(new URL('../statemachines/onboarding.functions.json', import.meta.url));

export interface WorkflowFunction {
  placeholder: string;
  handler: string;
  /** What the function needs from its environment and grants (table, outbox, startWorkflow…): the CDK stack reads it. */
  needs: string[];
}

export type StateDefinition = Record<string, unknown> & { Type: string };
export interface Definition {
  StartAt: string;
  States: Record<string, StateDefinition>;
  [key: string]: unknown;
}

export function loadDefinition(): Definition {
  return JSON.parse(readFileSync(ASL_PATH, 'utf8')) as Definition;
}

export function loadFunctions(): WorkflowFunction[] {
  return (JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as { functions: WorkflowFunction[] }).functions;
}

/** The ARN a placeholder stands for locally; the handler name makes it readable in event logs. */
export function localFunctionArn(handler: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:onramp-local-${handler}`;
}

export const VIRTUAL_CLOCK_ARN = localFunctionArn('virtual-clock');

/** Fills every `${Placeholder}` the way CDK's definitionSubstitutions does on deploy. */
export function substitute(definition: Definition, values: Record<string, string>): Definition {
  const text = JSON.stringify(definition).replace(/\$\{(\w+)\}/g, (match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`No local value for ${match} in ${ASL_PATH}`);
    return value;
  });
  return JSON.parse(text) as Definition;
}

/**
 * Rewrites every Wait into a Task bound to the virtual clock, keeping the Wait's own path or value
 * in `Parameters`: the interpreter evaluates `TimestampPath` exactly as AWS would and hands the
 * result to the clock, which jumps the execution's time there. (Overriding a Wait's duration
 * instead would skip evaluating its path, so a wrong path would go unnoticed locally.)
 * The deployed file is never touched; only this in-memory copy is.
 */
export function withVirtualWaits(definition: Definition): Definition {
  const states: Record<string, StateDefinition> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    states[name] = state.Type === 'Wait' ? waitAsClockTask(state) : state;
  }
  return { ...definition, States: states };
}

function waitAsClockTask(wait: StateDefinition): StateDefinition {
  const { Type: _, Seconds, SecondsPath, Timestamp, TimestampPath, ...flow } = wait;
  const duration =
    TimestampPath !== undefined
      ? { 'until.$': TimestampPath }
      : Timestamp !== undefined
        ? { until: Timestamp }
        : SecondsPath !== undefined
          ? { 'seconds.$': SecondsPath }
          : { seconds: Seconds };
  // The waiting state goes along too, for whatever the local runtime simulates during the wait.
  const parameters = { ...duration, 'state.$': '$' };
  return {
    ...flow,
    Type: 'Task',
    Resource: VIRTUAL_CLOCK_ARN,
    Parameters: parameters,
    ResultPath: null,
    // A wait may be held open in real time (`npm run serve` keeps each feedback window open for
    // people to answer): the interpreter's default of 60 real seconds would fail the execution.
    TimeoutSeconds: REAL_TIMEOUT_SECONDS,
  };
}

/** The Resource of a Task that invokes a Lambda function and then waits for its task token. */
export const LAMBDA_WAIT_FOR_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** A rewritten token Task: the local runner parks it under a fresh token of its own. */
export const TASK_TOKEN_ARN = localFunctionArn('task-token');

/** Where `$$.Task.Token` was in a rewritten Task's Parameters: the runner puts the fresh token there. */
export const TASK_TOKEN_PLACEHOLDER = '<local task token>';

/**
 * The interpreter times every Task on the real clock (60 s when the state gives no timeout): a
 * token Task's limits are kept on the execution's virtual clock instead, so its real timer is set
 * as far off as a Node timer goes (about 24 days).
 */
export const REAL_TIMEOUT_SECONDS = Math.floor(2 ** 31 / 1000) - 1;

/**
 * Rewrites every `lambda:invoke.waitForTaskToken` Task, which the interpreter cannot run (it has
 * no task tokens), into a Task bound to the local runner's task tokens. Its Parameters keep what
 * the deployed state evaluates (`invoke`: FunctionName and Payload, evaluated as AWS would) with
 * the placeholder where `$$.Task.Token` was, and its limits (`timeoutSeconds`, `heartbeatSeconds`,
 * or their paths) for the runner to keep in virtual time. Retry, Catch, ResultPath and the rest
 * stay as they are. The deployed file is never touched.
 */
export function withLocalTaskTokens(definition: Definition): Definition {
  const states: Record<string, StateDefinition> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    states[name] =
      state.Type === 'Task' && state.Resource === LAMBDA_WAIT_FOR_TOKEN ? tokenTask(name, state) : state;
  }
  return { ...definition, States: states };
}

function tokenTask(name: string, task: StateDefinition): StateDefinition {
  const {
    Resource: _,
    Parameters,
    TimeoutSeconds,
    TimeoutSecondsPath,
    HeartbeatSeconds,
    HeartbeatSecondsPath,
    ...flow
  } = task;
  const invoke = withTokenPlaceholder(Parameters);
  if (!JSON.stringify(invoke).includes(JSON.stringify(TASK_TOKEN_PLACEHOLDER))) {
    throw new Error(`State ${name} waits for a task token but passes none ($$.Task.Token) to anyone`);
  }
  const limit = (key: string, value: unknown, path: unknown) =>
    value !== undefined ? { [key]: value } : path !== undefined ? { [`${key}.$`]: path } : {};
  return {
    ...flow,
    Resource: TASK_TOKEN_ARN,
    Parameters: {
      invoke,
      ...limit('timeoutSeconds', TimeoutSeconds, TimeoutSecondsPath),
      ...limit('heartbeatSeconds', HeartbeatSeconds, HeartbeatSecondsPath),
    },
    TimeoutSeconds: REAL_TIMEOUT_SECONDS,
  };
}

function withTokenPlaceholder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withTokenPlaceholder);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key.endsWith('.$') && inner === '$$.Task.Token'
        ? [key.slice(0, -2), TASK_TOKEN_PLACEHOLDER]
        : [key, withTokenPlaceholder(inner)],
    ),
  );
}

/** The names of the states a Task handler must be registered for. */
export function taskStates(definition: Definition): Array<[string, StateDefinition]> {
  return Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
}
