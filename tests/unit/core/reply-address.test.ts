import { describe, expect, it } from 'vitest';
import {
  onboardingRef,
  replyAddress,
  replyAddressProblem,
  replyTokenOf,
  verifyReplyToken,
} from '#core/reply-address';

const KEY = 'link-key-for-tests';
const INBOUND = 'plans@onramp.example';
const claims = {
  onboardingId: 'bookkeeping-handover-to-ledgerly-1a2b3c4d',
  week: 3,
  role: 'partner' as const,
};

describe('reply addresses', () => {
  it('are plus-addresses of the inbound address, within the 64-character local part', () => {
    const address = replyAddress(INBOUND, claims, KEY);

    expect(address).toMatch(/^plans\+[a-z2-7]{32}@onramp\.example$/);
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
  });

  it('verify back to the onboarding’s reference, the week and the side, in any letter case', () => {
    const token = replyTokenOf(replyAddress(INBOUND, claims, KEY).toUpperCase(), INBOUND)!;

    expect(verifyReplyToken(token, KEY)).toEqual({
      ok: true,
      claims: { ref: onboardingRef(claims.onboardingId, KEY), week: 3, role: 'partner' },
    });
  });

  it('differ by side and week, and are the same every time for the same ones', () => {
    const a = replyAddress(INBOUND, claims, KEY);

    expect(replyAddress(INBOUND, claims, KEY)).toBe(a);
    expect(replyAddress(INBOUND, { ...claims, role: 'owner' }, KEY)).not.toBe(a);
    expect(replyAddress(INBOUND, { ...claims, week: 4 }, KEY)).not.toBe(a);
  });

  it('refuse a token signed with another key, altered, or not a token at all', () => {
    const token = replyTokenOf(replyAddress(INBOUND, claims, KEY), INBOUND)!;
    const altered = `${token.slice(0, 17)}${token[17] === 'a' ? 'b' : 'a'}${token.slice(18)}`;

    expect(verifyReplyToken(token, 'another key')).toEqual({ ok: false, reason: 'forged' });
    expect(verifyReplyToken(altered, KEY)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyReplyToken('a'.repeat(32), KEY)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyReplyToken('short', KEY)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyReplyToken(`${token.slice(0, 31)}1`, KEY)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('are told from the inbound address itself and from other addresses', () => {
    expect(replyTokenOf('plans@onramp.example', INBOUND)).toBeUndefined();
    expect(replyTokenOf('plans+abc@other.example', INBOUND)).toBeUndefined();
    expect(replyTokenOf('sales+abc@onramp.example', INBOUND)).toBeUndefined();
    expect(replyTokenOf('Plans+ABC@Onramp.Example', INBOUND)).toBe('abc');
  });

  it('need an inbound local part short enough, and without a plus of its own', () => {
    expect(replyAddressProblem('plans@onramp.example')).toBeUndefined();
    expect(replyAddressProblem(`${'p'.repeat(32)}@onramp.example`)).toMatch(/at most 31/);
    expect(replyAddressProblem('plans+x@onramp.example')).toMatch(/must not contain "\+"/);
    expect(() => replyAddress(`${'p'.repeat(40)}@onramp.example`, claims, KEY)).toThrow(/at most 31/);
  });
});
