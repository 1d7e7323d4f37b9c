import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Signed tokens for the links in emails. A link carries everything its page needs to know (which
 * onboarding, week, side and address it was sent to, what it is for, until when), signed with
 * HMAC-SHA256, so the page trusts it without a lookup and nobody can make one up or alter one.
 * Never a raw Step Functions task token: those are long, and break in URLs.
 *
 * Form: `base64url(JSON claims) "." base64url(HMAC-SHA256(key, VERSION + "." + payload))`. The
 * claims are signed, not encrypted: whoever holds the link can read them (it is sent to the very
 * address it names); keep tokens out of logs all the same.
 */

/**
 * What a link is for; each purpose has its own page. Adding one (issue 5: one-click ratings, owner
 * decisions, reference questionnaires) is a value here and a page for it.
 */
export const LINK_PURPOSES = ['feedback', 'rate', 'decision', 'reference'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

/** Who a link is sent to: one of the two sides, or a reference asked about the partner. */
export type LinkRole = 'owner' | 'partner' | 'reference';

export interface LinkClaims {
  onboardingId: string;
  week: number;
  role: LinkRole;
  /** The address the link was sent to: who answers through it. */
  recipient: string;
  purpose: LinkPurpose;
  /** Epoch seconds after which the link no longer works. */
  expiresAt: number;
  /** The rating (1–5) a `rate` link answers with; only `rate` links carry one. */
  rating?: number;
  /**
   * The owner's choice a `decision` link makes (continue, extend, abort); only `decision` links
   * carry one. The action it answers is the onboarding's question of `week` (its DECISION item).
   */
  choice?: string;
  /**
   * The reference a `reference` link asks (its place in the plan's list, from 1); only
   * `reference` links carry one. Its one-click scores also carry `question` and `rating`.
   */
  reference?: number;
  /** The question (reliability, quality, communication) a `reference` link's `rating` answers. */
  question?: string;
}

/** Why a token is refused. Only `expired` and `wrong-purpose` come from a genuine signature. */
export type LinkTokenProblem = 'malformed' | 'forged' | 'expired' | 'wrong-purpose';

export type LinkTokenCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'forged' | 'wrong-purpose' }
  /** Genuine but past its time: the claims say which week it was for, so the page can say so. */
  | { ok: false; reason: 'expired'; claims: LinkClaims };

/**
 * Mixed into every signature: the key may sign other things one day (issue 5's signed Reply-To
 * addresses), and a signature for one of those must never pass as a link; a new token format
 * gets a new version, so old tokens read as forged rather than as something else.
 */
const VERSION = 'onramp-link-v1';
/** HMAC-SHA256 is 32 bytes: 43 base64url characters without padding. */
const SIGNATURE_LENGTH = 43;
/** Far above any real token (about 250 characters); bounds the work spent on junk. */
const MAX_TOKEN_LENGTH = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The claims as they travel: short keys keep links short. */
const wireClaimsSchema = z.strictObject({
  o: z.string().min(1).max(200),
  w: z.int().min(0).max(1000),
  r: z.enum(['owner', 'partner', 'reference']),
  e: z.string().min(3).max(254),
  // Any purpose name reads; whether this endpoint serves it is the verifier's expectation.
  p: z.string().regex(/^[a-z-]{1,32}$/),
  x: z.int().min(0),
  s: z.int().min(1).max(5).optional(),
  c: z
    .string()
    .regex(/^[a-z-]{1,32}$/)
    .optional(),
  n: z.int().min(1).max(100).optional(),
  q: z
    .string()
    .regex(/^[a-z-]{1,32}$/)
    .optional(),
});

/** Signs `claims` into a URL-safe token. */
export function signLinkToken(claims: LinkClaims, key: string): string {
  const wire: z.input<typeof wireClaimsSchema> = {
    o: claims.onboardingId,
    w: claims.week,
    r: claims.role,
    e: claims.recipient,
    p: claims.purpose,
    x: claims.expiresAt,
    ...(claims.rating !== undefined ? { s: claims.rating } : {}),
    ...(claims.choice !== undefined ? { c: claims.choice } : {}),
    ...(claims.reference !== undefined ? { n: claims.reference } : {}),
    ...(claims.question !== undefined ? { q: claims.question } : {}),
  };
  const shape = claimsShapeProblem(claims);
  if (shape) throw new Error(`Link claims cannot be signed: ${shape}`);
  const checked = wireClaimsSchema.safeParse(wire);
  if (!checked.success) throw new Error(`Link claims cannot be signed: ${checked.error.issues[0]?.message}`);
  const payload = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
  return `${payload}.${signature(payload, key).toString('base64url')}`;
}

/**
 * The onboarding a token says it is for, read WITHOUT checking its signature: for routing only
 * (the local HTTP server runs a request at the time of the onboarding it concerns), never to
 * decide anything. Undefined when the token cannot be read.
 */
export function unverifiedOnboardingId(token: string): string | undefined {
  const [payload] = token.split('.');
  if (!payload || token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(payload)) return undefined;
  try {
    const wire: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const id = (wire as { o?: unknown } | null)?.o;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a token from a link: its shape, its signature (in constant time), then that it is for
 * one of `expected.purposes` and not expired at `expected.now`. The payload is only parsed once
 * its signature holds.
 */
export function verifyLinkToken(
  token: string,
  key: string,
  expected: { purposes: readonly LinkPurpose[]; now: Date },
): LinkTokenCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const [payload, given] = parts as [string, string];
  if (!BASE64URL.test(payload) || !BASE64URL.test(given) || given.length !== SIGNATURE_LENGTH) {
    return { ok: false, reason: 'malformed' };
  }
  const givenBytes = Buffer.from(given, 'base64url');
  // Two encodings of the same bytes (in the last character's unused bits) would be one signature
  // under two spellings; only the canonical one is taken.
  if (givenBytes.toString('base64url') !== given) return { ok: false, reason: 'malformed' };
  if (!timingSafeEqual(givenBytes, signature(payload, key))) return { ok: false, reason: 'forged' };

  let wire: z.output<typeof wireClaimsSchema>;
  try {
    const parsed = wireClaimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    // Signed by this key yet unreadable: only a token of another format signed with this version.
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    wire = parsed.data;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!(expected.purposes as readonly string[]).includes(wire.p))
    return { ok: false, reason: 'wrong-purpose' };
  const claims: LinkClaims = {
    onboardingId: wire.o,
    week: wire.w,
    role: wire.r,
    recipient: wire.e,
    purpose: wire.p as LinkPurpose,
    expiresAt: wire.x,
    ...(wire.s !== undefined ? { rating: wire.s } : {}),
    ...(wire.c !== undefined ? { choice: wire.c } : {}),
    ...(wire.n !== undefined ? { reference: wire.n } : {}),
    ...(wire.q !== undefined ? { question: wire.q } : {}),
  };
  // Signed by this key, so never forged: only a token of another format could get here.
  if (claimsShapeProblem(claims)) return { ok: false, reason: 'malformed' };
  if (expected.now.getTime() >= claims.expiresAt * 1000) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

/**
 * Which purpose carries which extra claim: a choice only a decision; a reference number only a
 * reference (and always); a rating a one-click rating (always) or a reference's one-click score
 * (with its question). Undefined when the claims fit.
 */
function claimsShapeProblem(claims: LinkClaims): string | undefined {
  const { purpose } = claims;
  if ((purpose === 'decision') !== (claims.choice !== undefined))
    return 'a choice goes with purpose decision, and only with it';
  if ((purpose === 'reference') !== (claims.reference !== undefined))
    return 'a reference number goes with purpose reference, and only with it';
  if ((purpose === 'reference') !== (claims.role === 'reference'))
    return 'role reference goes with purpose reference, and only with it';
  if (purpose === 'reference') {
    if ((claims.question !== undefined) !== (claims.rating !== undefined))
      return 'a reference link carries a question and its rating together, or neither';
    return undefined;
  }
  if (claims.question !== undefined) return 'a question goes with purpose reference only';
  if ((purpose === 'rate') !== (claims.rating !== undefined))
    return 'a rating goes with purpose rate, and only with it';
  return undefined;
}

/** The link a token opens: `${publicBaseUrl}/links/<token>`. */
export function linkUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/links/${token}`;
}

/** An ISO instant as the epoch seconds of `expiresAt` (rounded down: a link never outlives it). */
export function epochSeconds(instant: string): number {
  return Math.floor(Date.parse(instant) / 1000);
}

function signature(payload: string, key: string): Buffer {
  if (key.length === 0) throw new Error('The link signing key is empty');
  return createHmac('sha256', key).update(`${VERSION}.${payload}`).digest();
}
