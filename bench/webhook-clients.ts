/**
 * The clients of the webhook benchmark (bench/webhook.ts), in a worker thread of their own so that
 * making and signing requests does not run on the event loop that serves them: on AWS the callers
 * are other machines. The benchmark sends one load at a time ({@link LoadOrder}) and gets its
 * figures back.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parse } from 'yaml';
import { readPayload, webhookHeaders } from '#local/sign-webhook';

export interface ClientsSetup {
  endpoint: string;
  secret: string;
  clients: number;
}

/**
 * `total` requests to one path from the concurrent clients. Without a rate, each client sends its
 * next request as soon as the last is answered (a closed loop, as `autocannon -c 50`): the
 * server's capacity. With `perSecond`, the clients together send at that rate (as
 * `autocannon -c 50 -R rate`): the latency a given load gets.
 */
export interface LoadOrder {
  path: 'status' | 'start';
  total: number;
  perSecond?: number;
}

export interface LoadFigures {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  perSecond: number;
}

type Sample = { ms: number; status: number };

const setup = workerData as ClientsSetup;
const plan = parse(readFileSync('examples/bookkeeping.yaml', 'utf8')) as Record<string, unknown>;
const started: string[] = [];
let starts = 0;

/** A signed start of a distinct onboarding: no id in the plan, so its webhook-id names it. */
function start(): Promise<Response> {
  const body = JSON.stringify({ ...plan, title: `Bookkeeping handover ${++starts}` });
  return fetch(`${setup.endpoint}/onboardings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...webhookHeaders(setup.secret, body) },
    body,
  });
}

/** A signed status call for one of the onboardings started so far: a read signs its request line. */
function status(i: number): Promise<Response> {
  const url = `${setup.endpoint}/onboardings/${started[i % started.length]}`;
  return fetch(url, { headers: webhookHeaders(setup.secret, readPayload(url)) });
}

async function load({ path, total, perSecond }: LoadOrder): Promise<LoadFigures> {
  if (path === 'status' && started.length === 0)
    throw new Error('Start onboardings before reading their status');
  const samples: Sample[] = [];
  let next = 0;
  const began = performance.now();
  // With a rate, request i is due at i / rate; a client whose request is not due yet waits.
  const due = (i: number) => (perSecond ? began + (i * 1000) / perSecond : 0);
  await Promise.all(
    Array.from({ length: setup.clients }, async () => {
      while (next < total) {
        const i = next++;
        const wait = due(i) - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const sent = performance.now();
        const response = await (path === 'start' ? start() : status(i));
        const body = await response.text();
        samples.push({ ms: performance.now() - sent, status: response.status });
        if (response.status === 202)
          started.push((JSON.parse(body) as { onboardingId: string }).onboardingId);
      }
    }),
  );
  return figures(samples, performance.now() - began, path === 'start' ? 202 : 200);
}

function figures(samples: Sample[], wallMs: number, expected: number): LoadFigures {
  const unexpected = samples.filter((s) => s.status !== expected);
  if (unexpected.length > 0) {
    const statuses = [...new Set(unexpected.map((s) => s.status))].join(', ');
    throw new Error(
      `${unexpected.length} of ${samples.length} requests answered ${statuses}, not ${expected}`,
    );
  }
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    requests: samples.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted.at(-1)!),
    perSecond: Math.round((samples.length / wallMs) * 1000),
  };
}

parentPort!.on('message', (order: LoadOrder) => {
  load(order).then(
    (result) => parentPort!.postMessage({ result }),
    (error: unknown) => parentPort!.postMessage({ error: (error as Error).message }),
  );
});
