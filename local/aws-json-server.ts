import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Emulator } from './emulators.ts';

/** An operation of an AWS JSON-protocol service: the request body in, the response body out. */
export type JsonOperation = (body: Record<string, unknown>) => unknown;

/**
 * Serves operations of an AWS service that speaks the JSON protocol (`X-Amz-Target:
 * <prefix>.<Operation>`, errors as `{__type, message}`) on a loopback port, so the real SDK client
 * reaches them through its endpoint variable. An error's `name` becomes the error type the SDK
 * raises (ResourceNotFoundException, ExecutionDoesNotExist…).
 */
export async function serveJsonProtocol(
  targetPrefix: string,
  /** The protocol version the service speaks: Step Functions 1.0, Secrets Manager 1.1. */
  version: '1.0' | '1.1',
  operations: Record<string, JsonOperation>,
): Promise<Emulator> {
  const server = createServer((req, res) => {
    void handle(req, res, targetPrefix, version, operations);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
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
  targetPrefix: string,
  version: string,
  operations: Record<string, JsonOperation>,
): Promise<void> {
  const operation = String(req.headers['x-amz-target'] ?? '').replace(`${targetPrefix}.`, '');
  const send = (status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': `application/x-amz-json-${version}`,
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  };
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const run = operations[operation];
    if (!run) {
      const type = 'UnknownOperationException';
      return send(400, { __type: type, message: `${operation} is not emulated` }, type);
    }
    send(200, await run(body));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'InternalFailure';
    const message = error instanceof Error ? error.message : String(error);
    send(400, { __type: name, message }, name);
  }
}
