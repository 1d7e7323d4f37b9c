import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signedPayload, standardSecret, verifyWebhookSignature } from '#core/webhook-signature';

// The Standard Webhooks specification's own test vector.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const headersOf = (id: string, timestamp: number, signature: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});

describe('verifyWebhookSignature', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(VECTOR.timestamp * 1000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts the specification test vector and returns the webhook id', () => {
    const headers = headersOf(VECTOR.id, VECTOR.timestamp, VECTOR.signature);
    expect(verifyWebhookSignature(VECTOR.secret, { headers, payload: VECTOR.body })).toEqual({
      ok: true,
      webhookId: VECTOR.id,
    });
  });

  it('accepts one good signature among several (secret rotation sends both)', () => {
    const headers = headersOf(VECTOR.id, VECTOR.timestamp, `v1,Zm9yZ2Vk ${VECTOR.signature}`);
    expect(verifyWebhookSignature(VECTOR.secret, { headers, payload: VECTOR.body }).ok).toBe(true);
  });

  it('accepts a secret without the whsec_ prefix, as Secrets Manager generates it', () => {
    const headers = headersOf(VECTOR.id, VECTOR.timestamp, VECTOR.signature);
    const bare = VECTOR.secret.replace(/^whsec_/, '');
    expect(standardSecret(bare)).toBe(VECTOR.secret);
    expect(verifyWebhookSignature(bare, { headers, payload: VECTOR.body }).ok).toBe(true);
  });

  it.each([
    ['a changed body', { body: '{"test": 2432232315}' }],
    ['a changed id', { id: 'msg_other' }],
    ['a changed timestamp', { timestamp: VECTOR.timestamp + 1 }],
    ['another signature scheme', { signature: VECTOR.signature.replace('v1,', 'v2,') }],
    ['a forged signature', { signature: 'v1,Zm9yZ2VkIHNpZ25hdHVyZSBvZiB0aGUgcmlnaHQgbGVuZ3Q=' }],
  ])('refuses %s', (_, change) => {
    const { id, timestamp, signature, body } = { ...VECTOR, ...change };
    expect(
      verifyWebhookSignature(VECTOR.secret, { headers: headersOf(id, timestamp, signature), payload: body }),
    ).toEqual({
      ok: false,
      reason: 'webhook-signature does not match the request',
    });
  });

  it('refuses a request signed with another secret', () => {
    const other = new Webhook(`whsec_${Buffer.from('another secret of 24 bytes').toString('base64')}`);
    const signature = other.sign(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body);
    const headers = headersOf(VECTOR.id, VECTOR.timestamp, signature);
    expect(verifyWebhookSignature(VECTOR.secret, { headers, payload: VECTOR.body }).ok).toBe(false);
  });

  it.each([
    [-301, 'webhook-timestamp is more than 5 minutes in the past'],
    [301, 'webhook-timestamp is more than 5 minutes in the future'],
  ])('refuses a correctly signed request %i s away from now', (offset, reason) => {
    const when = new Date((VECTOR.timestamp + offset) * 1000);
    const signature = new Webhook(VECTOR.secret).sign(VECTOR.id, when, VECTOR.body);
    const headers = headersOf(VECTOR.id, VECTOR.timestamp + offset, signature);
    expect(verifyWebhookSignature(VECTOR.secret, { headers, payload: VECTOR.body })).toEqual({
      ok: false,
      reason,
    });
  });

  it('accepts a request 299 s old', () => {
    const when = new Date((VECTOR.timestamp - 299) * 1000);
    const signature = new Webhook(VECTOR.secret).sign(VECTOR.id, when, VECTOR.body);
    const headers = headersOf(VECTOR.id, VECTOR.timestamp - 299, signature);
    expect(verifyWebhookSignature(VECTOR.secret, { headers, payload: VECTOR.body }).ok).toBe(true);
  });

  it('names every missing header', () => {
    expect(
      verifyWebhookSignature(VECTOR.secret, { headers: { 'webhook-id': VECTOR.id }, payload: '' }),
    ).toEqual({
      ok: false,
      reason: 'missing header webhook-timestamp, webhook-signature',
    });
  });

  it.each([
    ['not a number', 'yesterday'],
    ['a number followed by letters', `${VECTOR.timestamp}abc`],
    ['a number with leading zeros', `000${VECTOR.timestamp}`],
    ['a number with a sign', `+${VECTOR.timestamp}`],
    ['a decimal', `${VECTOR.timestamp}.0`],
  ])('refuses a timestamp that is %s, though the signature over it matches', (_, timestamp) => {
    // Signed over the timestamp as sent: only its form is wrong.
    const signature = new Webhook(VECTOR.secret).sign(
      VECTOR.id,
      new Date(VECTOR.timestamp * 1000),
      VECTOR.body,
    );
    const headers = { ...headersOf(VECTOR.id, VECTOR.timestamp, signature), 'webhook-timestamp': timestamp };
    expect(verifyWebhookSignature(VECTOR.secret, { headers, payload: VECTOR.body })).toEqual({
      ok: false,
      reason: 'webhook-timestamp must be a Unix time in seconds: digits only, without leading zeros',
    });
  });

  it.each([
    ['the header sent twice', `${VECTOR.timestamp},${VECTOR.timestamp}`],
    ['a list', `${VECTOR.timestamp},1`],
  ])('refuses %s, joined with a comma', (_, timestamp) => {
    const headers = {
      ...headersOf(VECTOR.id, VECTOR.timestamp, VECTOR.signature),
      'webhook-timestamp': timestamp,
    };
    expect(verifyWebhookSignature(VECTOR.secret, { headers, payload: VECTOR.body })).toEqual({
      ok: false,
      reason: 'webhook-timestamp must be one Unix time in seconds, not a list (is the header sent twice?)',
    });
  });

  it('refuses a timestamp in milliseconds, saying so', () => {
    const headers = {
      ...headersOf(VECTOR.id, VECTOR.timestamp, VECTOR.signature),
      'webhook-timestamp': `${VECTOR.timestamp}000`,
    };
    expect(verifyWebhookSignature(VECTOR.secret, { headers, payload: VECTOR.body })).toEqual({
      ok: false,
      reason: 'webhook-timestamp must be in seconds since the epoch, not milliseconds',
    });
  });
});

describe('signedPayload: what a request signs', () => {
  it('is the body of a request that changes something', () => {
    expect(
      signedPayload({ method: 'POST', rawPath: '/onboardings', rawQueryString: '', body: '{"a":1}' }),
    ).toBe('{"a":1}');
  });

  it('is the request line of a read, which has no body: its path as sent', () => {
    expect(
      signedPayload({ method: 'GET', rawPath: '/onboardings/acme-1', rawQueryString: '', body: '' }),
    ).toBe('GET /onboardings/acme-1');
  });

  it('is the request line of a read with its query, as sent (not decoded or reordered)', () => {
    expect(
      signedPayload({
        method: 'GET',
        rawPath: '/onboardings',
        rawQueryString: 'status=active&limit=10&cursor=a%2Bb',
        body: 'ignored',
      }),
    ).toBe('GET /onboardings?status=active&limit=10&cursor=a%2Bb');
  });
});
