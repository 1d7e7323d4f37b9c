import { type JsonOperation, serveJsonProtocol } from './aws-json-server.ts';
import type { Emulator } from './emulators.ts';
import type { Execution, LocalStepFunctions } from './runner.ts';

/**
 * The Step Functions API on a loopback port, over the local runner, so code that starts or reads
 * executions uses the real SFN client locally too (AWS_ENDPOINT_URL_SFN). It speaks the service's
 * JSON protocol (`X-Amz-Target: AWSStepFunctions.<Operation>`) for the operations onramp uses.
 */
export interface StepFunctionsApi extends Emulator {
  /** Serves requests from this runner; until then every request is refused (ServiceUnavailable). */
  attach(runner: LocalStepFunctions): void;
}

/**
 * Listens before the runner exists: the handlers must see this endpoint in their environment
 * when they load, and the runner is built from the loaded handlers.
 */
export async function startStepFunctionsApi(now: () => Date = () => new Date()): Promise<StepFunctionsApi> {
  let runner: LocalStepFunctions | undefined;
  const attached = () => {
    if (!runner)
      throw Object.assign(new Error('The local runner is not ready'), { name: 'ServiceUnavailable' });
    return runner;
  };
  const operations: Record<string, JsonOperation> = {
    StartExecution: (body) => {
      const name = String(body.name ?? crypto.randomUUID());
      const runner = attached();
      if (body.stateMachineArn !== runner.stateMachineArn) {
        throw Object.assign(new Error(`State machine does not exist: '${String(body.stateMachineArn)}'`), {
          name: 'StateMachineDoesNotExist',
        });
      }
      const execution = runner.start(name, String(body.input ?? '{}'), now());
      return { executionArn: execution.executionArn, startDate: execution.startDate.getTime() / 1000 };
    },
    DescribeExecution: (body) => describe(attached().get(String(body.executionArn))),
    StopExecution: (body) => {
      const execution = attached().stop(String(body.executionArn), {
        ...(body.error !== undefined ? { error: String(body.error) } : {}),
        ...(body.cause !== undefined ? { cause: String(body.cause) } : {}),
      });
      return { stopDate: (execution.stopDate ?? now()).getTime() / 1000 };
    },
    // The callbacks of `.waitForTaskToken` Tasks; an unknown, malformed or closed token gets
    // AWS's error (TaskDoesNotExist, InvalidToken, TaskTimedOut), named in `__type`.
    SendTaskSuccess: (body) => {
      attached().sendTaskSuccess(String(body.taskToken), String(body.output));
      return {};
    },
    SendTaskFailure: (body) => {
      attached().sendTaskFailure(
        String(body.taskToken),
        body.error === undefined ? undefined : String(body.error),
        body.cause === undefined ? undefined : String(body.cause),
      );
      return {};
    },
    SendTaskHeartbeat: (body) => {
      attached().sendTaskHeartbeat(String(body.taskToken));
      return {};
    },
  };

  const server = await serveJsonProtocol('AWSStepFunctions', '1.0', operations);
  return {
    ...server,
    attach: (r) => {
      runner = r;
    },
  };
}

function describe(execution: Execution) {
  return {
    executionArn: execution.executionArn,
    name: execution.name,
    status: execution.status,
    input: execution.input,
    startDate: execution.startDate.getTime() / 1000,
    ...(execution.stopDate ? { stopDate: execution.stopDate.getTime() / 1000 } : {}),
    ...(execution.output !== undefined ? { output: JSON.stringify(execution.output) } : {}),
    ...(execution.error ? { error: execution.error, cause: execution.cause } : {}),
  };
}
