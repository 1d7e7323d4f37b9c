import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signed Reply-To of a check-in email: `<local>+<token>@<domain>` of the inbound address, one
 * per onboarding, week and side, so that a reply says whose answer to which week it is without
 * anything in the message itself being trusted.
 *
 * The token is 20 bytes in 32 characters of lower-case base32 (RFC 4648 alphabet, no padding):
 * - 8 bytes: the onboarding's reference, HMAC(key, onboarding id) cut short. An onboarding id may
 *   be 200 characters and a local part only 64, so the id itself cannot travel; the table keeps
 *   which onboarding a reference stands for (written when the check-in is sent).
 * - 2 bytes: the week (15 bits) and the side (top bit: partner).
 * - 10 bytes: an 80-bit HMAC-SHA256 over the first ten, checked in constant time before anything
 *   is looked up, so a made-up or altered address costs no read.
 * Base32 because mail systems may change the case of a local part; lower case because that is
 * what most of them change it to. Signed with the link key, under its own prefix: an address
 * signature can never pass as a link's, nor the other way round.
 */

export type ReplyRole = 'owner' | 'partner';

export interface ReplyAddressClaims {
  /** The onboarding's reference: `onboardingRef(onboardingId, key)`. */
  ref: string;
  week: number;
  role: ReplyRole;
}

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
const MAX_WEEK = 0x7fff;
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

/** The reply address for one side's check-in of one week. */
export function replyAddress(
  inboundAddress: string,
  claims: { onboardingId: string; week: number; role: ReplyRole },
  key: string,
): string {
  const problem = replyAddressProblem(inboundAddress);
  if (problem) throw new Error(`The inbound address cannot carry reply addresses: ${problem}`);
  if (!Number.isInteger(claims.week) || claims.week < 0 || claims.week > MAX_WEEK) {
    throw new Error(`A reply address cannot name week ${claims.week}`);
  }
  const head = Buffer.alloc(REF_BYTES + 2);
  Buffer.from(onboardingRef(claims.onboardingId, key), 'hex').copy(head);
  head.writeUInt16BE(claims.week | (claims.role === 'partner' ? 0x8000 : 0), REF_BYTES);
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

/** Checks a token from a reply address: its shape, then its signature, in constant time. */
export function verifyReplyToken(token: string, key: string): ReplyAddressCheck {
  const bytes = fromBase32(token.toLowerCase());
  if (!bytes || bytes.length !== TOKEN_BYTES) return { ok: false, reason: 'malformed' };
  const head = bytes.subarray(0, REF_BYTES + 2);
  if (!timingSafeEqual(bytes.subarray(REF_BYTES + 2), mac(head, key))) return { ok: false, reason: 'forged' };
  const weekAndRole = head.readUInt16BE(REF_BYTES);
  return {
    ok: true,
    claims: {
      ref: head.subarray(0, REF_BYTES).toString('hex'),
      week: weekAndRole & MAX_WEEK,
      role: weekAndRole & 0x8000 ? 'partner' : 'owner',
    },
  };
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
