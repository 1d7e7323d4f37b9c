import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { standardSecret } from '#core/webhook-signature';

/** Where `onramp serve` keeps the local secrets, so they survive restarts. */
export const LOCAL_SECRETS_FILE = fileURLToPath(new URL('../.onramp/secrets.json', import.meta.url));

/** The three Standard Webhooks headers for `body`, signed with `secret` by the specification's library. */
export function webhookHeaders(
  secret: string,
  body: string | Buffer,
  options: { id?: string; at?: Date } = {},
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(standardSecret(secret)).sign(id, at, body),
  };
}

/**
 * The webhook signing secret in a file: `onramp serve`'s secrets.json (its `webhook` field), or a
 * file holding just the secret (`whsec_…`, or the bare value Secrets Manager generates).
 */
export function readWebhookSecret(file: string): string {
  const text = readFileSync(file, 'utf8').trim();
  if (text.startsWith('{')) {
    const { webhook } = JSON.parse(text) as { webhook?: unknown };
    if (typeof webhook !== 'string' || webhook.length === 0)
      throw new Error(`${file} has no "webhook" secret`);
    return webhook;
  }
  if (text.length === 0) throw new Error(`${file} is empty`);
  return text;
}

/**
 * `onramp sign [--secret-file F] [--id ID] [FILE]`: prints curl's arguments for the three headers
 * that sign FILE's bytes (no FILE: an empty body, as a GET has), for
 * `curl … $(npx onramp sign plan.json) --data-binary @plan.json`.
 * Header values hold no spaces, so the shell's word splitting keeps each argument whole.
 */
export function signCommand(
  values: { 'secret-file'?: string; id?: string },
  file: string | undefined,
  cwd: string,
): number {
  const secretFile = values['secret-file'] ? resolve(cwd, values['secret-file']) : LOCAL_SECRETS_FILE;
  let secret: string;
  let body: Buffer;
  try {
    secret = readWebhookSecret(secretFile);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    console.error(
      missing
        ? `No secret at ${secretFile}: run \`npm run serve\` once (it creates it), or pass --secret-file`
        : `Cannot read the secret: ${(error as Error).message}`,
    );
    return 2;
  }
  try {
    // No file: an empty body, as a GET sends.
    body = file === undefined ? Buffer.alloc(0) : readFileSync(resolve(cwd, file));
  } catch (error) {
    console.error(`Cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  const headers = webhookHeaders(secret, body, values.id ? { id: values.id } : {});
  console.log(
    Object.entries(headers)
      .map(([name, value]) => `-H ${name}:${value}`)
      .join(' '),
  );
  return 0;
}
