import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { signedPayload, standardSecret } from '#core/webhook-signature';

/** Where `onramp serve` keeps the local secrets, so they survive restarts. */
export const LOCAL_SECRETS_FILE = fileURLToPath(new URL('../.onramp/secrets.json', import.meta.url));

/**
 * The three Standard Webhooks headers for `payload`, signed with `secret` by the specification's
 * library: a request's body, or for a GET its request line ({@link readPayload}).
 */
export function webhookHeaders(
  secret: string,
  payload: string | Buffer,
  options: { id?: string; at?: Date } = {},
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(standardSecret(secret)).sign(id, at, payload),
  };
}

/**
 * What a GET of `url` signs: its request line, `GET <path>` and `?<query>` when it has one, as
 * the request will carry them. The API checks the characters it receives, so the URL is read the
 * way curl and fetch send it (WHATWG URL: dot segments resolved, spaces and quotes
 * percent-encoded), not as typed. `url` is a full URL (`http://127.0.0.1:4000/onboardings?status=active`)
 * or a path (`/onboardings/ID`).
 */
export function readPayload(url: string): string {
  const { pathname, search } = new URL(url, 'http://localhost');
  // A bare `?` is sent as it is, though `search` drops it: the API sees an empty query then too.
  const rawQueryString = search.slice(1);
  return signedPayload({ method: 'GET', rawPath: pathname, rawQueryString, body: '' });
}

/**
 * The webhook signing secret in a file: `onramp serve`'s secrets.json (its `webhook` field), or a
 * file holding just the secret (`whsec_…`, or the bare value Secrets Manager generates).
 */
export function readWebhookSecret(file: string): string {
  const text = readFileSync(file, 'utf8').trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not the parser's message: it quotes the file, secrets included.
      throw new Error(`${file} is not valid JSON`);
    }
    const { webhook } = (parsed ?? {}) as { webhook?: unknown };
    if (typeof webhook !== 'string' || webhook.length === 0)
      throw new Error(`${file} has no "webhook" secret`);
    return webhook;
  }
  if (text.length === 0) throw new Error(`${file} is empty`);
  return text;
}

/** A webhook secret the Standard Webhooks library can key with: `whsec_` (or nothing) and base64. */
const SECRET_FORMAT = /^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/;

/** A URL to sign a GET of, rather than a file whose bytes a POST sends. */
const URL_ARGUMENT = /^https?:\/\//i;

/**
 * `onramp sign [--secret-file F] [--id ID] FILE|URL`: prints curl's arguments for the three
 * headers that sign FILE's bytes, for `curl … $(npx onramp sign plan.json) --data-binary @plan.json`,
 * or a GET of URL (its request line: a read has no body to sign), for
 * `curl "$url" $(npx onramp sign "$url")`.
 * Header values hold no spaces, so the shell's word splitting keeps each argument whole.
 */
export function signCommand(
  values: { 'secret-file'?: string; id?: string },
  target: string | undefined,
  cwd: string,
): number {
  if (target === undefined) {
    console.error(
      'Sign what? A FILE for the body of a POST (`npx onramp sign plan.json`), or the URL of a GET ' +
        '(`npx onramp sign http://127.0.0.1:4000/onboardings/ID`): a read signs its path and query',
    );
    return 2;
  }
  const secretFile = values['secret-file'] ? resolve(cwd, values['secret-file']) : LOCAL_SECRETS_FILE;
  let secret: string;
  let payload: string | Buffer;
  if (values.id !== undefined && !/^[\x21-\x7e]+$/.test(values.id)) {
    console.error('--id takes a webhook-id of printable characters without spaces, e.g. msg_2f9a…');
    return 2;
  }
  try {
    secret = readWebhookSecret(secretFile);
    if (!SECRET_FORMAT.test(secret)) {
      console.error(
        `${secretFile} holds no webhook secret: whsec_ followed by base64 (its value is not shown)`,
      );
      return 2;
    }
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
    payload = URL_ARGUMENT.test(target) ? readPayload(target) : readFileSync(resolve(cwd, target));
  } catch (error) {
    console.error(`Cannot read ${target}: ${(error as Error).message}`);
    return 2;
  }
  const headers = webhookHeaders(secret, payload, values.id ? { id: values.id } : {});
  console.log(
    Object.entries(headers)
      .map(([name, value]) => `-H ${name}:${value}`)
      .join(' '),
  );
  return 0;
}
