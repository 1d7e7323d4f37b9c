// @ts-check
/**
 * The emulated AWS side, in its own process so its work runs on another core than the handlers
 * and the state machine: DynamoDB (dynalite) and SES (aws-ses-v2-local) listen here on loopback,
 * and the state machine definition is validated here, as Step Functions validates a definition
 * when it is created. Started by local/emulators.ts with an IPC channel: it reports its endpoints
 * and the definition's problems once ready, and exits when told to or when its parent goes.
 *
 * Plain JavaScript, unlike the rest of the project: this process starts on the boot's critical
 * path, and loading the TypeScript loader here would add a quarter of a second to every boot.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

// Validating takes as long as starting both emulators (asl-validator compiles its JSON schemas on
// every call), so it runs on a thread of its own, started first, while the emulators start here.
const definitionPath = process.argv[2];
const validation = definitionPath
  ? new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./validate-definition.mjs', import.meta.url), {
        workerData: { definitionPath },
      });
      worker.once('message', resolve);
      worker.once('error', reject);
    })
  : Promise.resolve({ isValid: true });
const [{ default: sesServer }, { default: dynalite }] = await Promise.all([
  import('aws-ses-v2-local'),
  import('dynalite'),
]);

/** @typedef {import('node:http').Server} Server */

/** DynamoDB, in memory, on 127.0.0.1. @returns {Promise<Server>} */
async function startDynamoDb() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  return server;
}

/** SES on 127.0.0.1; its page at `/` shows the mail, `/store` lists it as JSON. @returns {Promise<Server>} */
function startSes() {
  // The package is CommonJS with a default export; depending on the loader it arrives wrapped once more.
  const start =
    /** @type {{ default?: typeof sesServer }} */ (/** @type {unknown} */ (sesServer)).default ?? sesServer;
  return start({ host: '127.0.0.1', port: 0 });
}

/** @param {Server} server */
const endpointOf = (server) =>
  `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;

const servers = await Promise.all([startDynamoDb(), startSes()]);

/**
 * Requests served, by operation ("DynamoDB.Query", "SES POST /v2/email/outbound-emails"…): what an
 * onboarding costs in AWS calls, which the benchmark reports.
 * @type {Record<string, number>}
 */
const requests = {};
/** Time spent collecting garbage (ms): what the heap's bounded growth (local/heap-growth.ts) costs. */
let gcMs = 0;
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
const count = (/** @type {string} */ operation) => {
  requests[operation] = (requests[operation] ?? 0) + 1;
};
servers[0].on('request', (/** @type {import('node:http').IncomingMessage} */ request) =>
  count(`DynamoDB.${String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown'}`),
);
servers[1].on('request', (/** @type {import('node:http').IncomingMessage} */ request) =>
  count(`SES ${request.method} ${request.url?.split('?')[0]}`),
);

const stop = async () => {
  await Promise.allSettled(
    servers.map(
      (server) =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve(undefined));
        }),
    ),
  );
  process.exit(0);
};
process.on('message', (message) => {
  if (message === 'stop') void stop();
  if (message === 'stats') {
    const usage = process.resourceUsage();
    process.send?.({
      maxRssKb: usage.maxRSS,
      cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
      gcMs,
      requests: { ...requests },
    });
  }
});
process.on('disconnect', () => void stop());
// Ctrl-C (or a SIGTERM to the process group) reaches this process too; the runtime stops it once
// its own requests have drained ('stop', or the IPC channel closing if the runtime is gone), so
// the requests still under way are answered instead of failing on a closed emulator.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
// The endpoints first, so the runtime can create the table and load the handlers while the
// definition is still being validated; then the verdict.
process.send?.({ dynamodb: endpointOf(servers[0]), ses: endpointOf(servers[1]) });
const verdict = /** @type {{ isValid: boolean, errors?: string }} */ (await validation);
// The runtime may have gone meanwhile (stopped during boot): then there is nobody to tell.
if (process.connected)
  process.send?.({ validated: true, ...(verdict.isValid ? {} : { definitionErrors: verdict.errors }) });
