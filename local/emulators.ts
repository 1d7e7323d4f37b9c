import { fork } from 'node:child_process';

/** Something listening on a loopback port that can be shut down. */
export interface Emulator {
  endpoint: string;
  close(): Promise<void>;
}

export interface EmulatorHost {
  dynamodb: string;
  ses: string;
  /** The emulator process's peak resident memory so far, in KiB. */
  maxRssKb(): Promise<number>;
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
    maxRssKb: () =>
      new Promise<number>((resolve) => {
        child.once('message', (message) => resolve((message as { maxRssKb: number }).maxRssKb));
        child.send('stats');
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}
