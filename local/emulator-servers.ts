import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesServer from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import type { Emulator } from './emulators.ts';

/**
 * The emulators themselves. Only the emulator process (emulator-host.ts) loads this module, so
 * their code and memory stay out of the process that runs the handlers.
 */

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
