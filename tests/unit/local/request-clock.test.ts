import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '#adapters/clock';
import { signLinkToken, unverifiedOnboardingId } from '#core/link-token';
import { onboardingOfRequest, requestClock } from '#local/request-clock';

const KEY = 'a-link-signing-key-for-tests-only';
const token = signLinkToken(
  {
    onboardingId: 'bookkeeping-ledgerly',
    week: 2,
    role: 'owner',
    recipient: 'maria@santos-advisory.example',
    purpose: 'rate',
    rating: 4,
    expiresAt: 1_900_000_000,
  },
  KEY,
);
const request = (pathParameters?: Record<string, string>) =>
  ({ pathParameters }) as unknown as APIGatewayProxyEventV2;

describe('unverifiedOnboardingId', () => {
  it('reads the onboarding a link token names', () => {
    expect(unverifiedOnboardingId(token)).toBe('bookkeeping-ledgerly');
  });

  it('reads it without checking the signature: for routing only, never to decide', () => {
    const [payload] = token.split('.');
    expect(unverifiedOnboardingId(`${payload}.forged`)).toBe('bookkeeping-ledgerly');
  });

  it('gives undefined for what is not a token', () => {
    for (const garbage of ['', '.', 'not base64!', 'e30.x', Buffer.from('"o"').toString('base64url')]) {
      expect(unverifiedOnboardingId(garbage)).toBeUndefined();
    }
    expect(unverifiedOnboardingId('x'.repeat(5000))).toBeUndefined();
  });
});

describe('onboardingOfRequest', () => {
  it('is the {id} of an integration route, or the onboarding a link token names', () => {
    expect(onboardingOfRequest(request({ id: 'acme-1' }))).toBe('acme-1');
    expect(onboardingOfRequest(request({ token }))).toBe('bookkeeping-ledgerly');
    expect(onboardingOfRequest(request())).toBeUndefined();
    expect(onboardingOfRequest(request({ token: 'garbage' }))).toBeUndefined();
  });
});

describe('requestClock', () => {
  it("runs a request at the clock of the onboarding's execution, and a start at none", () => {
    const held = new VirtualClock(new Date('2026-12-03T14:00:00Z'));
    const clockOf = requestClock((id) => (id === 'bookkeeping-ledgerly' ? held : undefined));

    expect(clockOf(request({ token }))).toBe(held);
    expect(clockOf(request({ id: 'no-such-execution' }))).toBeUndefined();
    expect(clockOf(request())).toBeUndefined();
  });
});
