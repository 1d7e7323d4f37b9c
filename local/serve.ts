import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { OpenWindow } from './feedback-windows.ts';
import type { Execution } from './runner.ts';
import type { LocalRuntime } from './runtime.ts';
import { generateLocalSecrets, type LocalSecrets } from './secrets-server.ts';
import { LocalSetupError } from './setup-error.ts';
import { LOCAL_SECRETS_FILE } from './sign-webhook.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE_PLAN = fileURLToPath(new URL('../examples/bookkeeping.yaml', import.meta.url));
const EXAMPLE_PLAN_JSON = fileURLToPath(new URL('../.onramp/example-plan.json', import.meta.url));
export const DEFAULT_PORT = 4000;
/** How long each week's feedback window stays open, in real seconds, unless told otherwise. */
export const DEFAULT_WEEK_SECONDS = 120;

export interface ServeOptions {
  port: number;
  weekSeconds: number;
}

/**
 * `onramp serve`: the local runtime with its HTTP API on a fixed loopback port, until Ctrl-C.
 * Onboardings started through the API run on their own virtual clocks as in `npm start`, except
 * that each week's feedback window is held open in real time (`weekSeconds`), so the people in the
 * plan (you, clicking the links in the emails) have time to answer; nobody is simulated.
 */
export async function serve({ port, weekSeconds }: ServeOptions): Promise<number> {
  const secrets = persistentSecrets(LOCAL_SECRETS_FILE);
  writeExamplePlan();
  const { startLocalRuntime } = await import('./runtime.ts');
  let runtime: LocalRuntime;
  try {
    runtime = await startLocalRuntime({
      secrets,
      httpPort: port,
      feedbackWindow: { seconds: weekSeconds, onOpen: announceWindow },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `Port ${port} is taken (another \`npm run serve\`?). Stop it, or pick another port: npm run serve -- --port ${port + 1}`,
      );
      return 1;
    }
    throw error;
  }
  for (const { error } of await runtime.http.preload()) {
    console.error(`warning: ${(error as Error).message}\n  its routes answer 500 until it loads.`);
  }
  console.log(banner(runtime, weekSeconds));
  let stopping = false;
  runtime.stepFunctions.onEnd = (execution) => {
    if (!stopping) void announceEnd(runtime, execution);
  };

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stopping = true;
  console.log('\nStopping…');
  await runtime.stop();
  return 0;
}

/**
 * The webhook secret and link key, kept in .onramp/secrets.json (git-ignored, readable by this
 * user only) so that signatures and email links made before a restart still verify after it.
 */
export function persistentSecrets(file: string): LocalSecrets {
  const remake = 'delete it, and onramp makes new secrets';
  if (existsSync(file)) {
    let saved: unknown;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      // Never the parser's message: it quotes the file, secrets included.
      const why =
        error instanceof SyntaxError
          ? 'not valid JSON'
          : ((error as NodeJS.ErrnoException).code ?? 'unreadable');
      throw new LocalSetupError(`${file} cannot be read (${why}); ${remake}`);
    }
    const { webhook, link } = (saved ?? {}) as { webhook?: unknown; link?: unknown };
    if (
      typeof webhook === 'string' &&
      WEBHOOK_SECRET.test(webhook) &&
      typeof link === 'string' &&
      link.length >= 16
    )
      return { webhook, link };
    throw new LocalSetupError(
      `${file} must hold {"webhook": "whsec_<base64>", "link": "<at least 16 characters>"}; ${remake}`,
    );
  }
  const secrets = generateLocalSecrets();
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    throw new LocalSetupError(
      `Cannot write ${file} (${(error as NodeJS.ErrnoException).code}): onramp keeps the local secrets there`,
    );
  }
  return secrets;
}

/** A Standard Webhooks secret: `whsec_` and base64 (Secrets Manager's and onramp's are 24 bytes or more). */
const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{16,}={0,2}$/;

/** The bookkeeping example as the JSON body the API takes; without an id, each delivery starts its own onboarding. */
function writeExamplePlan(): void {
  const plan = parse(readFileSync(EXAMPLE_PLAN, 'utf8')) as Record<string, unknown>;
  mkdirSync(dirname(EXAMPLE_PLAN_JSON), { recursive: true });
  writeFileSync(EXAMPLE_PLAN_JSON, `${JSON.stringify(plan, null, 2)}\n`);
}

/** When a run ends, how it left its onboarding (completed, aborted, cancelled…), or why it failed. */
async function announceEnd(runtime: LocalRuntime, execution: Execution): Promise<void> {
  const onboarding = await runtime.store.findOnboarding(execution.name).catch(() => undefined);
  const failed = execution.status === 'FAILED' ? ` (${execution.error ?? 'error'})` : '';
  console.log(
    `${time(new Date())}  ${execution.name}: the run ended ${execution.status}${failed}; the onboarding is ${onboarding?.status ?? 'unknown'}`,
  );
}

function announceWindow({ onboardingId, week, closesAt, owner, grace }: OpenWindow): void {
  if (owner) {
    console.log(
      `${time(new Date())}  ${onboardingId}: the owner is asked to decide (see the email's links); without a decision by ${time(closesAt)} the stage holds`,
    );
    return;
  }
  if (grace) {
    console.log(
      `${time(new Date())}  ${onboardingId}: week ${week}'s silent sides are reminded; answers still count until ${time(closesAt)}`,
    );
    return;
  }
  console.log(
    `${time(new Date())}  ${onboardingId}: week ${week}'s check-ins are out; answers are taken until ${time(closesAt)}`,
  );
}

function time(at: Date): string {
  return at.toTimeString().slice(0, 8);
}

function banner(runtime: LocalRuntime, weekSeconds: number): string {
  const api = runtime.http.endpoint;
  const secretsFile = relative(ROOT, LOCAL_SECRETS_FILE);
  const planFile = relative(ROOT, EXAMPLE_PLAN_JSON);
  return `onramp serve: the local stack, with its HTTP API

  API              ${api}
  Mail             ${runtime.endpoints.ses}/   (every email sent; click the links in them)
  Webhook secret   ${secretsFile} ("webhook"; kept across restarts)
  Feedback window  ${weekSeconds} s of real time per week (--week-seconds), and as long again after the reminder; every other wait is instant

From the project folder, start an onboarding with a signed webhook (the example plan is in ${planFile}):

  curl -i ${api}/onboardings -H 'content-type: application/json' \\
    $(npx onramp sign ${planFile}) --data-binary @${planFile}

or signed with openssl alone:

  body=${planFile}; id=msg_$(openssl rand -hex 12); ts=$(date +%s)
  key=$(node -p "require('./${secretsFile}').webhook.slice(6)" | base64 -d | od -An -tx1 | tr -d ' \\n')
  sig=$({ printf '%s.%s.' "$id" "$ts"; cat "$body"; } | openssl dgst -sha256 -mac HMAC -macopt hexkey:$key -binary | base64)
  curl -i ${api}/onboardings -H 'content-type: application/json' \\
    -H "webhook-id: $id" -H "webhook-timestamp: $ts" -H "webhook-signature: v1,$sig" --data-binary @"$body"

Read its status (a GET signs its request line, GET /onboardings/ONBOARDING_ID):

  url=${api}/onboardings/ONBOARDING_ID; curl -s "$url" $(npx onramp sign "$url")

Ctrl-C stops (the onboardings are in memory and end with it).
`;
}
