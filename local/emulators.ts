import { fork } from 'node:child_process';
import { HEAP_GROWTH_FLAG } from './heap-growth.ts';

const BOOT_TIMEOUT_MS = 30_000;

/** Something listening on a loopback port that can be shut down. */
export interface Emulator {
  endpoint: string;
  close(): Promise<void>;
}

export interface EmulatorStats {
  maxRssKb: number;
  cpuMs: number;
  /** Time spent collecting garbage. */
  gcMs: number;
  /** Requests served by operation: "DynamoDB.Query", "SES POST /v2/email/outbound-emails"… */
  requests: Record<string, number>;
}

export interface EmulatorHost {
  dynamodb: string;
  ses: string;
  /** The emulator process's id. */
  pid: number;
  /**
   * Settles once the state machine definition is validated (after the emulators listen, so the
   * runtime's boot goes on meanwhile); rejects with every problem when it is invalid.
   */
  definitionValidated: Promise<void>;
  /** The emulator process's peak resident memory (KiB), CPU and garbage collection time (ms) and requests by operation so far. */
  stats(): Promise<EmulatorStats>;
  close(): Promise<void>;
}

/**
 * Starts the emulated AWS side in a child process (local/emulator-host.mjs): the handlers, the SDK
 * and the state machine keep this process's core, the emulators get the other one. The child also
 * validates the state machine definition at `definitionPath`, as Step Functions would on creation.
 * Resolves once both emulators listen (the definition's verdict follows in `definitionValidated`);
 * rejects if the child dies first.
 */
export async function startEmulatorHost(definitionPath: string): Promise<EmulatorHost> {
  const child = fork(new URL('./emulator-host.mjs', import.meta.url), [definitionPath], {
    execArgv: [HEAP_GROWTH_FLAG],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  type Ready = { dynamodb: string; ses: string };
  const ready = await new Promise<Ready>((resolve, reject) => {
    // A child that never reports is killed rather than waited on for ever.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The emulator process did not start within ${BOOT_TIMEOUT_MS / 1000} s`));
    }, BOOT_TIMEOUT_MS);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as Ready);
    });
    child.once('exit', (code) =>
      reject(new Error(`The emulator process exited (code ${code}) before listening`)),
    );
    child.once('error', reject);
  });
  child.removeAllListeners('exit');
  child.removeAllListeners('error');
  const definitionValidated = new Promise<void>((resolve, reject) => {
    const onVerdict = (message: unknown) => {
      const verdict = message as { validated?: boolean; definitionErrors?: string };
      if (!verdict.validated) return;
      child.off('message', onVerdict);
      if (verdict.definitionErrors === undefined) return resolve();
      reject(
        new Error(`The state machine definition ${definitionPath} is invalid:\n${verdict.definitionErrors}`),
      );
    };
    child.on('message', onVerdict);
    child.once('exit', () =>
      reject(new Error('The emulator process exited before validating the definition')),
    );
  });
  // Awaited by the runtime before it runs anything; until then a rejection is not unhandled.
  definitionValidated.catch(() => undefined);
  child.on('error', (error) => console.error('local emulator process:', error));
  let stopping = false;
  child.on('exit', (code, signal) => {
    // Ctrl-C, or a SIGTERM to the process group, reaches the child too: its stopping is expected.
    // A SIGKILL is only when this process sends it (a child that would not stop): otherwise the
    // system killed it (out of memory, say), and every onboarding in it is gone.
    const expected = signal === 'SIGINT' || signal === 'SIGTERM' || (signal === 'SIGKILL' && stopping);
    if (code !== 0 && !expected) {
      console.error(
        `The local emulators stopped unexpectedly (code ${code}, signal ${signal}): the onboardings in them are gone; stop and start again`,
      );
    }
  });
  // A child that is gone can be stopped at once; one that does not stop in time is killed, so
  // stopping the runtime never hangs.
  const stop = () =>
    new Promise<void>((resolve) => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null || !child.connected) {
        child.kill();
        return resolve();
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.send('stop');
    });
  return {
    dynamodb: ready.dynamodb,
    ses: ready.ses,
    pid: child.pid!,
    definitionValidated,
    stats: () =>
      new Promise((resolve) => {
        const onMessage = (message: unknown) => {
          const stats = message as Partial<EmulatorStats>;
          if (stats.maxRssKb === undefined || stats.cpuMs === undefined) return;
          child.off('message', onMessage);
          resolve({
            maxRssKb: stats.maxRssKb,
            cpuMs: stats.cpuMs,
            gcMs: stats.gcMs ?? 0,
            requests: stats.requests ?? {},
          });
        };
        child.on('message', onMessage);
        if (child.connected) child.send('stats');
        else resolve({ maxRssKb: 0, cpuMs: 0, gcMs: 0, requests: {} });
      }),
    close: stop,
  };
}
