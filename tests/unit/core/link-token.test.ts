import { describe, expect, it } from 'vitest';
import { epochSeconds, type LinkClaims, linkUrl, signLinkToken, verifyLinkToken } from '#core/link-token';

const KEY = 'k3y-for-tests-only-0123456789abcdef';
const NOW = new Date('2026-12-10T14:00:00Z');
const claims: LinkClaims = {
  onboardingId: 'bookkeeping-handover',
  week: 3,
  role: 'partner',
  recipient: 'team@ledgerly.example',
  purpose: 'feedback',
  expiresAt: epochSeconds('2026-12-11T14:00:00.000Z'),
};
const feedbackOnly = { purposes: ['feedback'] as const, now: NOW };

/** The token with its payload (the claims) replaced, keeping the signature of the original. */
function withPayload(token: string, wire: Record<string, unknown>): string {
  return `${Buffer.from(JSON.stringify(wire)).toString('base64url')}.${token.split('.')[1]}`;
}

function wireOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
}

describe('a link token', () => {
  it('verifies to the claims it was signed with', () => {
    const token = signLinkToken(claims, KEY);

    expect(verifyLinkToken(token, KEY, feedbackOnly)).toEqual({ ok: true, claims });
  });

  it('is URL-safe and short enough for any mail client', () => {
    const token = signLinkToken(claims, KEY);

    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThan(200);
  });

  it('is refused as forged when a claim of its payload is changed: another onboarding, week or side', () => {
    const token = signLinkToken(claims, KEY);
    const wire = wireOf(token);

    for (const change of [
      { o: 'another-onboarding' },
      { w: 2 },
      { r: 'owner' },
      { x: claims.expiresAt + 86_400 },
    ]) {
      expect(verifyLinkToken(withPayload(token, { ...wire, ...change }), KEY, feedbackOnly)).toEqual({
        ok: false,
        reason: 'forged',
      });
    }
  });

  it('is refused as forged when its signature is changed', () => {
    const token = signLinkToken(claims, KEY);
    const [payload, sig] = token.split('.') as [string, string];
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;

    expect(verifyLinkToken(`${payload}.${flipped}`, KEY, feedbackOnly)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('is refused as forged when signed with another key', () => {
    const token = signLinkToken(claims, 'another-key');

    expect(verifyLinkToken(token, KEY, feedbackOnly)).toEqual({ ok: false, reason: 'forged' });
  });

  it('is refused as forged when its signature is the bare HMAC of the payload, without the version', async () => {
    const { createHmac } = await import('node:crypto');
    const payload = signLinkToken(claims, KEY).split('.')[0]!;
    const bare = createHmac('sha256', KEY).update(payload).digest('base64url');

    expect(verifyLinkToken(`${payload}.${bare}`, KEY, feedbackOnly)).toEqual({ ok: false, reason: 'forged' });
  });

  it('is refused as expired from its expiry on, saying which link it was', () => {
    const token = signLinkToken(claims, KEY);

    expect(
      verifyLinkToken(token, KEY, { ...feedbackOnly, now: new Date(claims.expiresAt * 1000 - 1) }).ok,
    ).toBe(true);
    expect(verifyLinkToken(token, KEY, { ...feedbackOnly, now: new Date(claims.expiresAt * 1000) })).toEqual({
      ok: false,
      reason: 'expired',
      claims,
    });
  });

  it('is refused as the wrong purpose where its purpose is not served', () => {
    // A genuine one-click rating link, where only feedback links are served.
    const token = signLinkToken({ ...claims, purpose: 'rate', rating: 4 }, KEY);

    expect(verifyLinkToken(token, KEY, feedbackOnly)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it.each([
    ['empty', ''],
    ['no signature', 'eyJvIjoieCJ9'],
    ['three parts', 'a.b.c'],
    ['not base64url', 'eyJv+IjoieCJ9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a short signature', 'eyJvIjoieCJ9.AAAA'],
    ['a padded signature', `eyJvIjoieCJ9.${'A'.repeat(42)}=`],
    ['far too long', `${'A'.repeat(2000)}.${'A'.repeat(43)}`],
  ])('is refused as malformed: %s', (_, token) => {
    expect(verifyLinkToken(token, KEY, feedbackOnly)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('is refused as malformed when a genuine signature covers a payload that is not claims', async () => {
    const { createHmac } = await import('node:crypto');
    const payload = Buffer.from('{"hello":"world"}').toString('base64url');
    const sig = createHmac('sha256', KEY).update(`onramp-link-v1.${payload}`).digest('base64url');

    expect(verifyLinkToken(`${payload}.${sig}`, KEY, feedbackOnly)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('takes only the canonical spelling of a signature', () => {
    const token = signLinkToken(claims, KEY);
    const [payload, sig] = token.split('.') as [string, string];
    // The last of 43 characters carries 4 bits of the signature and 2 unused ones.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const twin = `${sig.slice(0, -1)}${alphabet[last ^ 1]}`;

    expect(Buffer.from(twin, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(verifyLinkToken(`${payload}.${twin}`, KEY, feedbackOnly)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('cannot be signed with claims that would not verify', () => {
    expect(() => signLinkToken({ ...claims, week: 1.5 }, KEY)).toThrow(/cannot be signed/);
    expect(() => signLinkToken(claims, '')).toThrow(/key is empty/);
  });
});

describe('a one-click rating link (purpose rate)', () => {
  const rate: LinkClaims = { ...claims, purpose: 'rate', rating: 4 };
  const rateOnly = { purposes: ['rate'] as const, now: NOW };

  it('verifies to its claims, rating included', () => {
    expect(verifyLinkToken(signLinkToken(rate, KEY), KEY, rateOnly)).toEqual({ ok: true, claims: rate });
  });

  it('is refused as forged when its rating is changed', () => {
    const token = signLinkToken(rate, KEY);

    expect(verifyLinkToken(withPayload(token, { ...wireOf(token), s: 5 }), KEY, rateOnly)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('cannot be signed without a rating from 1 to 5, and no other purpose carries one', () => {
    expect(() => signLinkToken({ ...claims, purpose: 'rate' }, KEY)).toThrow(/cannot be signed/);
    expect(() => signLinkToken({ ...rate, rating: 6 }, KEY)).toThrow(/cannot be signed/);
    expect(() => signLinkToken({ ...rate, rating: 2.5 }, KEY)).toThrow(/cannot be signed/);
    expect(() => signLinkToken({ ...claims, rating: 3 }, KEY)).toThrow(/cannot be signed/);
  });

  it('is refused as malformed when a genuine signature covers a rate payload without a rating', async () => {
    const { createHmac } = await import('node:crypto');
    const { s: _, ...wire } = wireOf(signLinkToken(rate, KEY));
    const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
    const sig = createHmac('sha256', KEY).update(`onramp-link-v1.${payload}`).digest('base64url');

    expect(verifyLinkToken(`${payload}.${sig}`, KEY, rateOnly)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('linkUrl', () => {
  it('puts the token under /links of the public URL, with or without a trailing slash', () => {
    expect(linkUrl('https://api.example/', 'abc.def')).toBe('https://api.example/links/abc.def');
    expect(linkUrl('http://127.0.0.1:4000', 'abc.def')).toBe('http://127.0.0.1:4000/links/abc.def');
  });
});
