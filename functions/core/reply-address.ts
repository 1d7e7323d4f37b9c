import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signed Reply-To of an email that can be answered by replying: `<local>+<token>@<domain>` of
 * the inbound address, so that a reply says who answers what without anything in the message
 * itself being trusted. Two purposes, never taken one for the other:
 * - `checkin`: a side's answer to one week's check-in (or its reminder), one address per
 *   onboarding, week and side;
 * - `decision`: the owner's decision on the question the workflow waits on (the weekly gate's
 *   escalation about a week, or the due diligence's before the kickoff, week 0).
 *
 * The token is 20 bytes in 32 characters of lower-case base32 (RFC 4648 alphabet, no padding):
 * - 8 bytes: the onboarding's reference, HMAC(key, onboarding id) cut short. An onboarding id may
 *   be 200 characters and a local part only 64, so the id itself cannot travel; the table keeps
 *   which onboarding a reference stands for (written when the first such email is sent).
 * - 2 bytes: the side (top bit: partner), the purpose (next bit: decision) and the week (14 bits).
 *   The purpose bit was the week's top bit before decisions could be answered by reply; no week
 *   ever reached it (plans run at most a year), so every check-in address already sent reads as
 *   the same check-in, and the token keeps its length.
 * - 10 bytes: an 80-bit HMAC-SHA256 over the first ten, checked in constant time before anything
 *   is looked up, so a made-up or altered address costs no read.
 * Base32 because mail systems may change the case of a local part; lower case because that is
 * what most of them change it to. Signed with the link key, under its own prefix: an address
 * signature can never pass as a link's, nor the other way round.
 */

export type ReplyRole = 'owner' | 'partner';

/** What a reply to the address answers: a side's check-in, or the owner's question (decision). */
export type ReplyPurpose = 'checkin' | 'decision';

/** Who answers what: any side's check-in; only the owner decides. */
export type ReplySubject = { purpose: 'checkin'; role: ReplyRole } | { purpose: 'decision'; role: 'owner' };

export type ReplyAddressClaims = {
  /** The onboarding's reference: `onboardingRef(onboardingId, key)`. */
  ref: string;
  /** The check-in's week, or the week the question is about (0: before the kickoff). */
  week: number;
} & ReplySubject;

export type ReplyAddressCheck =
  | { ok: true; claims: ReplyAddressClaims }
  /** `malformed`: not a token at all; `forged`: a token whose signature does not hold. */
  | { ok: false; reason: 'malformed' | 'forged' };

const REF_PREFIX = 'onramp-reply-ref-v1.';
const MAC_PREFIX = 'onramp-reply-v1.';
const REF_BYTES = 8;
const MAC_BYTES = 10;
const TOKEN_BYTES = REF_BYTES + 2 + MAC_BYTES;
/** 160 bits are exactly 32 base32 characters: no padding, no spare bits to spell twice. */
export const REPLY_TOKEN_LENGTH = (TOKEN_BYTES * 8) / 5;
const PARTNER_BIT = 0x8000;
const DECISION_BIT = 0x4000;
const MAX_WEEK = 0x3fff;
/** RFC 5321's limit on a local part. */
const MAX_LOCAL_PART = 64;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** The reference the table files an onboarding's reply addresses under (16 hex characters). */
export function onboardingRef(onboardingId: string, key: string): string {
  return hmac(key, `${REF_PREFIX}${onboardingId}`).subarray(0, REF_BYTES).toString('hex');
}

/**
 * What is wrong with `inboundAddress` as the base of reply addresses, or undefined: its local part
 * must leave room for `+` and the token within 64 characters, and have no `+` of its own.
 */
export function replyAddressProblem(inboundAddress: string): string | undefined {
  const at = inboundAddress.lastIndexOf('@');
  const local = inboundAddress.slice(0, at);
  if (at <= 0) return `"${inboundAddress}" is not an email address`;
  if (local.includes('+')) return `its local part "${local}" must not contain "+": reply addresses add one`;
  const room = MAX_LOCAL_PART - 1 - REPLY_TOKEN_LENGTH;
  if (local.length > room) {
    return `its local part "${local}" is ${local.length} characters; reply addresses need it at most ${room}, to stay within 64`;
  }
  return undefined;
}

/** The reply address for one side's check-in of one week, or for the owner's question about a week. */
export function replyAddress(
  inboundAddress: string,
  claims: { onboardingId: string; week: number } & ReplySubject,
  key: string,
): string {
  const problem = replyAddressProblem(inboundAddress);
  if (problem) throw new Error(`The inbound address cannot carry reply addresses: ${problem}`);
  if (!Number.isInteger(claims.week) || claims.week < 0 || claims.week > MAX_WEEK) {
    throw new Error(`A reply address cannot name week ${claims.week}`);
  }
  const head = Buffer.alloc(REF_BYTES + 2);
  Buffer.from(onboardingRef(claims.onboardingId, key), 'hex').copy(head);
  head.writeUInt16BE(
    claims.week |
      (claims.role === 'partner' ? PARTNER_BIT : 0) |
      (claims.purpose === 'decision' ? DECISION_BIT : 0),
    REF_BYTES,
  );
  const token = toBase32(Buffer.concat([head, mac(head, key)]));
  const at = inboundAddress.lastIndexOf('@');
  return `${inboundAddress.slice(0, at)}+${token}${inboundAddress.slice(at).toLowerCase()}`;
}

/**
 * The token of `address` when it is a reply address of `inboundAddress` (its local part, a `+`
 * and a label, at its domain; compared case-insensitively), else undefined: then the message is
 * not a reply, and goes where mail to the inbound address goes.
 */
export function replyTokenOf(address: string, inboundAddress: string): string | undefined {
  const at = inboundAddress.lastIndexOf('@');
  const local = inboundAddress.slice(0, at).toLowerCase();
  const domain = inboundAddress.slice(at).toLowerCase();
  const candidate = address.trim().toLowerCase();
  const prefix = `${local}+`;
  if (!candidate.startsWith(prefix) || !candidate.endsWith(domain)) return undefined;
  const token = candidate.slice(prefix.length, candidate.length - domain.length);
  return token.length > 0 && !token.includes('@') ? token : undefined;
}

/**
 * Checks a token from a reply address: its shape, then its signature, in constant time. The
 * purpose is signed with the rest: a check-in's address cannot be altered into a decision's.
 */
export function verifyReplyToken(token: string, key: string): ReplyAddressCheck {
  const bytes = fromBase32(token.toLowerCase());
  if (!bytes || bytes.length !== TOKEN_BYTES) return { ok: false, reason: 'malformed' };
  const head = bytes.subarray(0, REF_BYTES + 2);
  if (!timingSafeEqual(bytes.subarray(REF_BYTES + 2), mac(head, key))) return { ok: false, reason: 'forged' };
  const bits = head.readUInt16BE(REF_BYTES);
  const ref = head.subarray(0, REF_BYTES).toString('hex');
  const week = bits & MAX_WEEK;
  const partner = (bits & PARTNER_BIT) !== 0;
  if (bits & DECISION_BIT) {
    // Never made: only the owner decides.
    if (partner) return { ok: false, reason: 'malformed' };
    return { ok: true, claims: { ref, week, purpose: 'decision', role: 'owner' } };
  }
  return { ok: true, claims: { ref, week, purpose: 'checkin', role: partner ? 'partner' : 'owner' } };
}

function hmac(key: string, data: string | Buffer): Buffer {
  if (key.length === 0) throw new Error('The link signing key is empty');
  return createHmac('sha256', key).update(data).digest();
}

function mac(head: Buffer, key: string): Buffer {
  return hmac(key, Buffer.concat([Buffer.from(MAC_PREFIX, 'utf8'), head])).subarray(0, MAC_BYTES);
}

function toBase32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes lower-case base32 of whole bytes; undefined for any other character or a ragged length. */
function fromBase32(text: string): Buffer | undefined {
  if (text.length !== REPLY_TOKEN_LENGTH) return undefined;
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
      value &= (1 << bits) - 1;
    }
  }
  return Buffer.from(out);
}
