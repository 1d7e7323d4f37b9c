import { fork } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesServer from 'aws-ses-v2-local';
import dynalite from 'dynalite';

/** An emulator listening on a loopback port it picked. */
export interface Emulator {
  endpoint: string;
  close(): Promise<void>;
}

/** DynamoDB (dynalite), in memory, on 127.0.0.1. */
export async function startDynamoDb(): Promise<Emulator> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return emulator(server);
}

/** SES (aws-ses-v2-local) on 127.0.0.1; its page at `/` shows the mail, `/store` lists it as JSON. */
export async function startSes(): Promise<Emulator> {
  // The package is CommonJS with a default export; depending on the loader it arrives wrapped once more.
  const start = ((sesServer as unknown as { default?: typeof sesServer }).default ??
    sesServer) as typeof sesServer;
  return emulator(await start({ host: '127.0.0.1', port: 0 }));
}

function emulator(server: Server): Emulator {
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

export interface EmulatorHost {
  dynamodb: string;
  ses: string;
  close(): Promise<void>;
}

/**
 * Starts both emulators in a child process (local/emulator-host.ts): the handlers, the SDK and the
 * state machine keep this process's core, the emulators get the other one. Resolves once both
 * listen; rejects if the child dies first.
 */
export async function startEmulatorHost(): Promise<EmulatorHost> {
  const child = fork(new URL('./emulator-host.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const endpoints = await new Promise<{ dynamodb: string; ses: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { dynamodb: string; ses: string }));
    child.once('exit', (code) =>
      reject(new Error(`The emulator process exited (code ${code}) before listening`)),
    );
    child.once('error', reject);
  });
  child.removeAllListeners('exit');
  return {
    ...endpoints,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}
