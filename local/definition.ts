import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The one state machine definition, as deployed, and the functions behind its placeholders. */
export const ASL_PATH = fileURLToPath(new URL('../statemachines/onboarding.asl.json', import.meta.url));
const MANIFEST_PATH = fileURLToPath(new URL('../statemachines/onboarding.functions.json', import.meta.url));

export interface WorkflowFunction {
  placeholder: string;
  handler: string;
  needs: Array<'table' | 'mail' | 'operator'>;
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
  return { ...flow, Type: 'Task', Resource: VIRTUAL_CLOCK_ARN, Parameters: parameters, ResultPath: null };
}

/** The names of the states a Task handler must be registered for. */
export function taskStates(definition: Definition): Array<[string, StateDefinition]> {
  return Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
}
