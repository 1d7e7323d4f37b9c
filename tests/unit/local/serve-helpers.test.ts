import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RealTimeFeedbackWindows } from '#local/feedback-windows';
import type { WaitEvent } from '#local/runner';
import { persistentSecrets } from '#local/serve';
import { readPayload, readWebhookSecret, signCommand, webhookHeaders } from '#local/sign-webhook';

const folder = () => mkdtempSync(join(tmpdir(), 'onramp-serve-'));

describe('the secrets `onramp serve` keeps', () => {
  it('are made on first use, readable by this user only, and the same after a restart', () => {
    const file = join(folder(), '.onramp', 'secrets.json');

    const first = persistentSecrets(file);
    const again = persistentSecrets(file);

    expect(first.webhook).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(first.link.length).toBeGreaterThan(20);
    expect(again).toEqual(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a file without both secrets, saying how to start over', () => {
    const file = join(folder(), 'secrets.json');
    writeFileSync(file, '{"webhook":"whsec_abc"}');

    expect(() => persistentSecrets(file)).toThrow(/delete it, and onramp makes new secrets/);
  });

  it.each([
    ['cut short', '{"webhook": "whsec_s8shIlDzSECRETPART'],
    ['empty', ''],
    ['null', 'null'],
    ['with values no key could come from', '{"webhook":"x","link":"y"}'],
  ])('refuses a file %s in one line that quotes none of it', (_, content) => {
    const file = join(folder(), 'secrets.json');
    writeFileSync(file, content);

    expect(() => persistentSecrets(file)).toThrow(
      expect.objectContaining({ name: 'LocalSetupError', message: expect.stringContaining('delete it') }),
    );
    expect(() => persistentSecrets(file)).not.toThrow(/SECRETPART/);
  });

  it('says so in one line when the secrets cannot be read or written', () => {
    const dir = folder();
    mkdirSync(join(dir, 'secrets.json'));

    expect(() => persistentSecrets(join(dir, 'secrets.json'))).toThrow(/cannot be read \(EISDIR\)/);
    writeFileSync(join(dir, 'a-file'), '');
    expect(() => persistentSecrets(join(dir, 'a-file', 'secrets.json'))).toThrow(
      /^Cannot write .* \(E[A-Z]+\): onramp keeps the local secrets there$/,
    );
  });
});

describe('signing a body for curl', () => {
  it('makes the three Standard Webhooks headers the library verifies', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"title":"Bookkeeping"}\n';

    const headers = webhookHeaders(secret, body, { id: 'msg_1' });

    expect(headers['webhook-id']).toBe('msg_1');
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
  });

  it('signs with a bare secret as Secrets Manager generates it, as the API reads it', () => {
    const bare = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

    const headers = webhookHeaders(bare, '');

    expect(() => new Webhook(`whsec_${bare}`).verify('', headers)).not.toThrow();
  });

  it.each([
    ['http://127.0.0.1:4000/onboardings/acme-1', 'GET /onboardings/acme-1'],
    ['http://127.0.0.1:4000/onboardings?status=active&limit=10', 'GET /onboardings?status=active&limit=10'],
    ['http://127.0.0.1:4000/onboardings?', 'GET /onboardings'],
    ['http://127.0.0.1:4000', 'GET /'],
    ['/onboardings/acme-1#top', 'GET /onboardings/acme-1'],
    // As curl and fetch send them: dot segments resolved, spaces and quotes percent-encoded.
    ['http://127.0.0.1:4000/onboardings/x/../acme-1', 'GET /onboardings/acme-1'],
    ["http://127.0.0.1:4000/onboardings?status=act ive&x='", 'GET /onboardings?status=act%20ive&x=%27'],
  ])('signs a GET of %s as its request line, as the API checks it', (url, payload) => {
    expect(readPayload(url)).toBe(payload);
  });

  it('`onramp sign` refuses an id the shell would split, and a secret no key could come from, without printing it', () => {
    const dir = folder();
    writeFileSync(join(dir, 'good.txt'), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    writeFileSync(join(dir, 'bad.txt'), 'not-a-secret');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const url = 'http://127.0.0.1:4000/onboardings/acme-1';
      expect(signCommand({ 'secret-file': join(dir, 'good.txt'), id: 'a b' }, url, dir)).toBe(2);
      expect(signCommand({ 'secret-file': join(dir, 'bad.txt') }, url, dir)).toBe(2);
      expect(log).not.toHaveBeenCalled();
      expect(error.mock.calls.map(([message]) => String(message))).toEqual([
        expect.stringMatching(/^--id takes a webhook-id of printable characters without spaces/),
        expect.stringMatching(
          /holds no webhook secret: whsec_ followed by base64 \(its value is not shown\)$/,
        ),
      ]);
      expect(JSON.stringify(error.mock.calls)).not.toContain('not-a-secret');
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });

  it('`onramp sign URL` prints headers signing that GET; without FILE or URL it says what to sign', () => {
    const dir = folder();
    const secretFile = join(dir, 'secret.txt');
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    writeFileSync(secretFile, secret);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const url = 'http://127.0.0.1:4000/onboardings/acme-1';
      expect(signCommand({ 'secret-file': secretFile }, url, dir)).toBe(0);
      const printed = String(log.mock.calls[0]![0]);
      const headers = Object.fromEntries(
        printed.split(' -H ').map((part) => part.replace(/^-H /, '').split(/:(.*)/s).slice(0, 2)),
      );
      expect(() =>
        new Webhook(secret).verify('GET /onboardings/acme-1', headers, { jsonParse: false }),
      ).not.toThrow();

      expect(signCommand({ 'secret-file': secretFile }, undefined, dir)).toBe(2);
      expect(String(error.mock.calls[0]![0])).toMatch(/the URL of a GET/);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });

  it('reads the secret from serve’s secrets.json or from a file holding only the secret', () => {
    const dir = folder();
    writeFileSync(join(dir, 'secrets.json'), '{"webhook":"whsec_abc","link":"x"}');
    writeFileSync(join(dir, 'secret.txt'), 'whsec_def\n');

    expect(readWebhookSecret(join(dir, 'secrets.json'))).toBe('whsec_abc');
    expect(readWebhookSecret(join(dir, 'secret.txt'))).toBe('whsec_def');
  });
});

describe('feedback windows held open in real time', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const wait = (stateName: string): WaitEvent => ({
    executionName: 'acme-1',
    stateName,
    state: { onboardingId: 'acme-1', week: 2 },
    until: new Date('2030-01-10T12:00:00Z'),
  });

  it('holds the feedback Wait for the set seconds, and announces when it closes', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T10:00:00Z') });
    const opened: unknown[] = [];
    const windows = new RealTimeFeedbackWindows(60, (w) => opened.push(w));
    let closed = false;

    const held = windows.onWait(wait('WaitForFeedback')).then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await held;

    expect(closed).toBe(true);
    expect(opened).toEqual([{ onboardingId: 'acme-1', week: 2, closesAt: new Date('2030-01-01T10:01:00Z') }]);
  });

  it('lets every other Wait pass at once', async () => {
    const windows = new RealTimeFeedbackWindows(60);

    await expect(windows.onWait(wait('WaitForCheckin'))).resolves.toBeUndefined();
  });

  it('closes every open window when the runtime stops', async () => {
    const windows = new RealTimeFeedbackWindows(3600);
    const held = windows.onWait(wait('WaitForFeedback'));

    windows.close();

    await expect(held).resolves.toBeUndefined();
  });
});
