import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Emulator } from './emulators.ts';
import type { Execution, LocalStepFunctions } from './runner.ts';

/**
 * The Step Functions API on a loopback port, over the local runner, so code that starts or reads
 * executions uses the real SFN client locally too (AWS_ENDPOINT_URL_SFN). It speaks the service's
 * JSON protocol (`X-Amz-Target: AWSStepFunctions.<Operation>`) for the operations onramp uses.
 */
export interface StepFunctionsApi extends Emulator {
  /** Serves requests from this runner; until then every request gets a 503. */
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
  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
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
      const execution = attached().get(String(body.executionArn));
      execution.abort();
      return { stopDate: now().getTime() / 1000 };
    },
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res, operations);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    attach: (r) => {
      runner = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  operations: Record<string, (body: Record<string, unknown>) => unknown>,
): Promise<void> {
  const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
  const send = (status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  };
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const run = operations[operation];
    if (!run)
      return send(
        400,
        { __type: 'UnknownOperationException', message: `${operation} is not emulated` },
        'UnknownOperationException',
      );
    send(200, run(body));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'InternalFailure';
    const message = error instanceof Error ? error.message : String(error);
    send(400, { __type: name, message }, name);
  }
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
