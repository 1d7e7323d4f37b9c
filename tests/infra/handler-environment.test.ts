import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFunctionManifest } from '#infra/constructs/workflow';
import { readEdgeManifest } from '#infra/edge-manifest';
import { repoRoot } from '#infra/paths';
import { type Need, variableOfNeed } from './needs.ts';

const execFileAsync = promisify(execFile);
const manifest = readFunctionManifest().functions;
/** Every function the stack deploys, from both manifests: the workflow's steps and the edge's. */
const functions = [...manifest, ...readEdgeManifest().functions];

/** Dummy values of the variables the stack sets; loading a handler reads them but calls nothing. */
const dummyValues: Record<string, string> = {
  TABLE_NAME: 't',
  SENDER_EMAIL: 'onramp@example.com',
  OPERATOR_EMAIL: 'ops@example.com',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:Onramp-onboarding',
  WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf',
  LINK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:link-AbCdEf',
  PUBLIC_BASE_URL: 'https://abc123.execute-api.us-east-1.amazonaws.com',
  RAW_MAIL_BUCKET: 'raw-mail',
  INBOUND_ALLOWED_SENDERS: 'owner@example.com,@partner.example',
  INBOUND_ADDRESS: 'plans@example.com',
};

/** What any Lambda has (region, credentials), plus what the stack gives a function with these needs. */
function environmentFor(needs: Need[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
  };
  for (const name of ['PATH', 'HOME'] as const) if (process.env[name]) env[name] = process.env[name];
  for (const need of needs) env[variableOfNeed[need]] = dummyValues[variableOfNeed[need]];
  return env;
}

type LoadResult = { exitCode: number | string; stderr: string };

/** Imports a handler module in a fresh node process, as a cold start does, with only `env`. */
async function load(handler: string, env: NodeJS.ProcessEnv): Promise<LoadResult> {
  const script = `await import('./functions/handlers/${handler}.ts')`;
  try {
    await execFileAsync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: repoRoot,
      env,
      // Generous: on a loaded machine a cold tsx import of a handler takes tens of seconds.
      timeout: 120_000,
    });
    return { exitCode: 0, stderr: '' };
  } catch (error) {
    const { code, signal, stderr } = error as { code?: number; signal?: string; stderr?: string };
    return { exitCode: code ?? signal ?? 'unknown', stderr: stderr ?? String(error) };
  }
}

/** Runs `tasks` at most `limit` at a time, and gives their results in their order. */
async function inPool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/**
 * How many handler processes load at once: each is a node process compiling TypeScript with tsx,
 * and all of them at once (one per function) starve a small machine until they time out.
 */
const concurrentLoads = 2;

// Every module-level read of the environment runs at import: a handler that reads a variable its
// manifest entry does not need (so the stack does not set it) fails here, not on its first
// invocation in AWS. One process per handler, a few at a time.
const results = new Map<string, LoadResult>();
const missingSender = 'wrap-up without SENDER_EMAIL';

beforeAll(async () => {
  const wrapUp = manifest.find((f) => f.handler === 'wrap-up');
  const loads: [string, () => Promise<LoadResult>][] = functions.map(({ handler, needs }) => [
    handler,
    () => load(handler, environmentFor(needs)),
  ]);
  if (wrapUp) {
    // Without the need that sets SENDER_EMAIL (wrap-up sends through the outbox).
    const withoutSender = wrapUp.needs.filter((need) => variableOfNeed[need] !== 'SENDER_EMAIL');
    loads.push([missingSender, () => load('wrap-up', environmentFor(withoutSender))]);
  }
  const settled = await inPool(
    loads.map(([, run]) => run),
    concurrentLoads,
  );
  for (const [index, [key]] of loads.entries()) results.set(key, settled[index]!);
  // Every load at its two-minute limit, two at a time, still fits.
}, 1_800_000);

describe('each handler loads with exactly the environment the stack gives it', () => {
  it.each(functions.map((f) => [f.handler, f.needs.join(', ')]))('%s (needs: %s)', (handler) => {
    const { exitCode, stderr } = results.get(handler)!;
    expect(exitCode, stderr).toBe(0);
  });

  it('fails to load a handler missing a variable it needs, naming the variable', () => {
    const result = results.get(missingSender);
    expect(result, 'wrap-up is no longer in the manifest').toBeDefined();
    expect(result!.exitCode).not.toBe(0);
    expect(result!.stderr).toContain('SENDER_EMAIL');
  });
});
