/**
 * Webhook benchmark: latency of the HTTP API on the local runtime under 50 concurrent clients on
 * loopback, every request signed per Standard Webhooks: (a) `GET /onboardings/{id}` status calls,
 * (b) `POST /onboardings` starts of distinct onboardings. Each path is loaded twice: flat out (each
 * client sends again as soon as it is answered: the capacity, and the latency at saturation) and
 * at a set rate (the latency a moderate load gets). Prints a table and one JSON line
 * (`BENCH {...}`). Target (2-core machine): p99 ≤ 50 ms.
 *
 * The clients run in a worker thread (bench/webhook-clients.ts). Each start runs its workflow in
 * this process (on AWS, in other Lambdas): its first week, up to the check-in, competes with the
 * requests for the CPU; there it waits, as a real onboarding waits for its week to pass.
 *
 *   npm run bench
 */
import { Worker } from 'node:worker_threads';
import type { Execution } from '#local/runner';
import { startLocalRuntime } from '#local/runtime';
import type { ClientsSetup, LoadFigures, LoadOrder } from './webhook-clients.ts';

const CLIENTS = 50;
const TARGET_P99_MS = 50;

/** Waits until every execution has reached its first feedback window (or ended); the time it took. */
async function untilWorkflowsWait(executions: Map<string, Execution>, deadlineMs = 120_000): Promise<number> {
  const all = [...executions.values()];
  const began = performance.now();
  const pending = () =>
    all.filter((e) => e.status === 'RUNNING' && !e.visits.some((v) => v.state === 'WaitForFeedback'));
  while (pending().length > 0) {
    if (performance.now() - began > deadlineMs)
      throw new Error(`${pending().length} workflows had not reached their check-in after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const failed = all.filter((e) => e.status === 'FAILED');
  if (failed.length > 0) throw new Error(`${failed.length} workflows failed, e.g. ${failed[0]!.error}`);
  return Math.round(performance.now() - began);
}

/** The clients, in a worker thread: `send` hands them one load and resolves with its figures. */
function startClients(setup: ClientsSetup): { send(order: LoadOrder): Promise<LoadFigures>; stop(): void } {
  // A worker does not inherit tsx's loader: it registers it (as bin/onramp.js does), then loads the clients.
  const tsx = import.meta.resolve('tsx/esm/api');
  const clients = new URL('./webhook-clients.ts', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(clients)}); })`,
    { eval: true, workerData: setup },
  );
  return {
    send: (order) =>
      new Promise((resolve, reject) => {
        worker.once('message', (answer: { result?: LoadFigures; error?: string }) =>
          answer.result ? resolve(answer.result) : reject(new Error(answer.error)),
        );
        worker.once('error', reject);
        worker.postMessage(order);
      }),
    stop: () => void worker.terminate(),
  };
}

// Weeks are held at their check-in (an hour of real time, longer than the run): every started
// onboarding stays active, as on AWS, instead of racing through its weeks in virtual time.
const runtime = await startLocalRuntime({ feedbackWindow: { seconds: 3600 } });
const clients = startClients({
  endpoint: runtime.http.endpoint,
  secret: runtime.secrets.webhook,
  clients: CLIENTS,
});
try {
  const { executions } = runtime.stepFunctions;
  // Warm-up: handler modules loaded, SDK clients and connections open, the JIT warm; and the
  // onboardings whose status is read.
  await clients.send({ path: 'start', total: 50 });
  await untilWorkflowsWait(executions);
  await clients.send({ path: 'status', total: 200 });

  const rows: Array<[string, LoadFigures]> = [];
  rows.push(['GET /onboardings/{id}  flat out', await clients.send({ path: 'status', total: 2000 })]);
  rows.push([
    'GET /onboardings/{id}  100/s',
    await clients.send({ path: 'status', total: 1000, perSecond: 100 }),
  ]);
  rows.push(['POST /onboardings      flat out', await clients.send({ path: 'start', total: 300 })]);
  // The workflows the starts began run in this process: they finish their first week before the next load.
  const caughtUpMs = await untilWorkflowsWait(executions);
  rows.push([
    'POST /onboardings      10/s',
    await clients.send({ path: 'start', total: 100, perSecond: 10 }),
  ]);
  await untilWorkflowsWait(executions);

  const [statusFlat, statusPaced, startFlat, startPaced] = rows.map(([, f]) => f) as [
    LoadFigures,
    LoadFigures,
    LoadFigures,
    LoadFigures,
  ];
  const result = {
    clients: CLIENTS,
    statusP50Ms: statusFlat.p50Ms,
    statusP99Ms: statusFlat.p99Ms,
    statusMaxMs: statusFlat.maxMs,
    statusPerSecond: statusFlat.perSecond,
    statusAt100P50Ms: statusPaced.p50Ms,
    statusAt100P99Ms: statusPaced.p99Ms,
    startP50Ms: startFlat.p50Ms,
    startP99Ms: startFlat.p99Ms,
    startMaxMs: startFlat.maxMs,
    startPerSecond: startFlat.perSecond,
    startAt10P50Ms: startPaced.p50Ms,
    startAt10P99Ms: startPaced.p99Ms,
    workflowsCaughtUpMs: caughtUpMs,
    node: process.version,
  };
  const cells = (values: Array<string | number>) =>
    values.map((v, i) => (i === 0 ? String(v).padEnd(32) : String(v).padStart(8))).join(' ');
  console.log(`onramp webhook benchmark: ${CLIENTS} concurrent clients on loopback, every request signed`);
  console.log(
    `${cells(['path, load', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'req/s'])}   p99 ≤ ${TARGET_P99_MS} ms`,
  );
  for (const [label, f] of rows) {
    const verdict = f.p99Ms <= TARGET_P99_MS ? 'ok' : 'MISSED';
    console.log(`${cells([label, f.requests, f.p50Ms, f.p99Ms, f.maxMs, f.perSecond])}   ${verdict}`);
  }
  console.log(
    `The ${startFlat.requests} flat-out starts' workflows reached week 1's check-in ${caughtUpMs} ms after the last start; ${process.version}`,
  );
  console.log(`BENCH ${JSON.stringify(result)}`);
} finally {
  clients.stop();
  await runtime.stop();
}
