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
  purpose: 'checkin' as const,
  role: 'partner' as const,
};
const decision = {
  onboardingId: claims.onboardingId,
  week: 3,
  purpose: 'decision' as const,
  role: 'owner' as const,
};
const ref = onboardingRef(claims.onboardingId, KEY);
const tokenOf = (address: string) => replyTokenOf(address, INBOUND)!;

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
      claims: { ref, week: 3, purpose: 'checkin', role: 'partner' },
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

  it('made before decisions could be answered by reply still verify as the same check-in', () => {
    // Addresses of check-ins already sent, made by the code before the purpose bit existed.
    const sentBefore = {
      partner: 'plans+a2uc3cf6yizl5aadqrxhrqzjowquxurf@onramp.example',
      owner: 'plans+a2uc3cf6yizl4aadeojshnkgphddmfe5@onramp.example',
    };

    expect(verifyReplyToken(tokenOf(sentBefore.partner), KEY)).toEqual({
      ok: true,
      claims: { ref, week: 3, purpose: 'checkin', role: 'partner' },
    });
    expect(verifyReplyToken(tokenOf(sentBefore.owner), KEY)).toEqual({
      ok: true,
      claims: { ref, week: 3, purpose: 'checkin', role: 'owner' },
    });
    expect(replyAddress(INBOUND, { ...claims, role: 'owner' }, KEY)).toBe(sentBefore.owner);
  });

  it('cannot name a week the purpose bit would take', () => {
    expect(() => replyAddress(INBOUND, { ...claims, week: 0x4000 }, KEY)).toThrow(/week 16384/);
    expect(replyAddress(INBOUND, { ...claims, week: 0x3fff }, KEY)).toMatch(/^plans\+[a-z2-7]{32}@/);
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

describe('reply addresses of the owner’s question (decisions)', () => {
  it('verify back to the onboarding, the week asked about and the purpose, within the same length', () => {
    const address = replyAddress(INBOUND, decision, KEY);

    expect(address).toMatch(/^plans\+[a-z2-7]{32}@onramp\.example$/);
    expect(verifyReplyToken(tokenOf(address), KEY)).toEqual({
      ok: true,
      claims: { ref, week: 3, purpose: 'decision', role: 'owner' },
    });
  });

  it('verify for the due diligence’s question, week 0', () => {
    const address = replyAddress(INBOUND, { ...decision, week: 0 }, KEY);

    expect(verifyReplyToken(tokenOf(address), KEY)).toMatchObject({
      ok: true,
      claims: { week: 0, purpose: 'decision' },
    });
  });

  it('differ from the owner’s check-in address of the same week: neither is taken for the other', () => {
    const checkin = replyAddress(INBOUND, { ...claims, role: 'owner' }, KEY);
    const asked = replyAddress(INBOUND, decision, KEY);

    expect(asked).not.toBe(checkin);
    expect(verifyReplyToken(tokenOf(checkin), KEY)).toMatchObject({
      ok: true,
      claims: { purpose: 'checkin' },
    });
    expect(verifyReplyToken(tokenOf(asked), KEY)).toMatchObject({
      ok: true,
      claims: { purpose: 'decision' },
    });
  });

  it('refuse a check-in address altered into a decision address, and the other way round', () => {
    // The purpose is one bit of the signed head: flip it and keep the signature.
    const flip = (address: string) => {
      const bytes = fromBase32(tokenOf(address));
      bytes[8]! ^= 0x40;
      return toBase32(bytes);
    };
    const checkin = replyAddress(INBOUND, { ...claims, role: 'owner' }, KEY);
    const asked = replyAddress(INBOUND, decision, KEY);

    expect(verifyReplyToken(flip(checkin), KEY)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyReplyToken(flip(asked), KEY)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuse one signed with another key', () => {
    const token = tokenOf(replyAddress(INBOUND, decision, KEY));

    expect(verifyReplyToken(token, 'another key')).toEqual({ ok: false, reason: 'forged' });
  });
});

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** The token's 20 bytes, to alter one bit as an attacker would. */
function fromBase32(text: string): number[] {
  let bits = '';
  for (const char of text) bits += ALPHABET.indexOf(char).toString(2).padStart(5, '0');
  return Array.from({ length: bits.length / 8 }, (_, i) => Number.parseInt(bits.slice(i * 8, i * 8 + 8), 2));
}

function toBase32(bytes: number[]): string {
  const bits = bytes.map((b) => b.toString(2).padStart(8, '0')).join('');
  return Array.from(
    { length: bits.length / 5 },
    (_, i) => ALPHABET[Number.parseInt(bits.slice(i * 5, i * 5 + 5), 2)],
  ).join('');
}
