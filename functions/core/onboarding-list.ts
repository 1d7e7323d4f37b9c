import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PlanIssue } from './errors.ts';
import type { OnboardingStatus } from './onboarding.ts';

/**
 * Listing onboardings by status (`GET /onboardings?status=…&limit=…&cursor=…`): the query's
 * parameters, the cursor that carries a listing from one page to the next, and what each listed
 * onboarding shows. Pure: the handler reads the secret and the table.
 */

/** Every status an onboarding can have, in the order of its life; what `status` may be. */
export const ONBOARDING_STATUSES = [
  'pending',
  'active',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'aborted',
] as const satisfies readonly OnboardingStatus[];

// A status added to OnboardingStatus but not here would be unlistable: this fails to compile then.
const everyStatusListed: Exclude<OnboardingStatus, (typeof ONBOARDING_STATUSES)[number]> extends never
  ? true
  : never = true;
void everyStatusListed;

export const DEFAULT_LIST_LIMIT = 25;
export const MAX_LIST_LIMIT = 100;

/** Where a listing goes on from: the last onboarding a page showed. The store makes the key of it. */
export interface ListPosition {
  onboardingId: string;
  createdAt: string;
}

/** An onboarding as the store lists it: the few fields the listing shows, never the plan. */
export interface OnboardingListing {
  id: string;
  title: string;
  status: OnboardingStatus;
  createdAt: string;
  updatedAt?: string;
}

/** One page of a listing, as the store reads it: `next` is where the following page starts, if any. */
export interface OnboardingPage {
  onboardings: OnboardingListing[];
  next?: ListPosition;
}

/** What one listed onboarding shows: no plan, no people (the status URL has the rest). */
export interface OnboardingSummary {
  onboardingId: string;
  title: string;
  status: OnboardingStatus;
  createdAt: string;
  updatedAt?: string;
  statusUrl: string;
}

/** The answer to a listing request. */
export interface OnboardingListView {
  onboardings: OnboardingSummary[];
  /** Pass it back as `cursor` for the next page; null: this page is the last. */
  nextCursor: string | null;
}

export interface ListQuery {
  status: OnboardingStatus;
  limit: number;
  startKey?: ListPosition;
}

export type ListQueryResult = { ok: true; query: ListQuery } | { ok: false; issues: PlanIssue[] };

const allowedStatuses = ONBOARDING_STATUSES.join(', ');
const limitMessage = `must be a whole number from 1 to ${MAX_LIST_LIMIT}`;
/** Far above any real cursor (about 150 characters); bounds the work spent on junk. */
const MAX_CURSOR_LENGTH = 512;

/**
 * The query string as API Gateway hands it over (every value text; a repeated parameter's values
 * joined by commas). Strict like the plan: a parameter this route does not know is refused rather
 * than ignored, so a misspelt `limt=5` is not silently a page of 25.
 */
const listQuerySchema = z.strictObject({
  status: z.enum(ONBOARDING_STATUSES, {
    error: (issue) =>
      issue.input === undefined
        ? `is required: one of ${allowedStatuses}`
        : `must be one of ${allowedStatuses}, got ${JSON.stringify(issue.input)}`,
  }),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, { error: (issue) => `${limitMessage}, got ${JSON.stringify(issue.input)}` })
    .transform(Number)
    .pipe(z.int().min(1, limitMessage).max(MAX_LIST_LIMIT, limitMessage))
    .optional(),
  cursor: z.string().min(1, 'must not be empty; leave it out for the first page').optional(),
});

/**
 * Reads a listing's query parameters, reporting every problem at once (`path`: the parameter).
 * A cursor is taken only if `cursorKey` signed it, for the same status: it cannot move a client
 * into another listing, nor point anywhere a listing did not reach.
 */
export function parseListQuery(
  parameters: Record<string, string | undefined> | undefined,
  cursorKey: string,
): ListQueryResult {
  const parsed = listQuerySchema.safeParse(parameters ?? {});
  const issues: PlanIssue[] = parsed.success ? [] : parsed.error.issues.flatMap(queryIssues);
  const cursor = parameters?.cursor;
  let startKey: ListPosition | undefined;
  if (cursor) {
    const read = readListCursor(cursor, cursorKey);
    if (!read) {
      issues.push({
        path: 'cursor',
        message: 'is not a cursor this API gave; pass nextCursor back unchanged, or leave it out',
      });
    } else if (parsed.success && read.status !== parsed.data.status) {
      issues.push({
        path: 'cursor',
        message: `was given for another status; it goes with the status of the listing it came from`,
      });
    } else {
      startKey = read.position;
    }
  }
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  const { status, limit = DEFAULT_LIST_LIMIT } = parsed.data;
  return { ok: true, query: { status, limit, ...(startKey ? { startKey } : {}) } };
}

function queryIssues(issue: z.core.$ZodIssue): PlanIssue[] {
  // One issue per unknown parameter, each named, rather than one for the whole query.
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({
      path: key,
      message: 'is not a parameter of this route; it takes status, limit and cursor',
    }));
  return [{ path: issue.path.map(String).join('.'), message: issue.message }];
}

/**
 * The cursor's key, derived from the webhook signing secret the function already holds: a
 * separate key (HMAC of a fixed label), so a cursor's signature is never a webhook signature or
 * the other way round. Rotating the secret ends the listings under way (their cursors are refused).
 */
export function listCursorKey(webhookSecret: string): string {
  if (webhookSecret.length === 0) throw new Error('The webhook secret is empty');
  return createHmac('sha256', webhookSecret).update('list-cursor').digest('base64url');
}

/**
 * Mixed into every signature, so nothing else signed with the key reads as a cursor; a new cursor
 * format gets a new version, and old cursors are then refused rather than misread.
 */
const VERSION = 'onramp-list-cursor-v1';
/** HMAC-SHA256 is 32 bytes: 43 base64url characters without padding. */
const SIGNATURE_LENGTH = 43;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The position as it travels: the status it belongs to, and short keys. */
const wireCursorSchema = z.strictObject({
  s: z.enum(ONBOARDING_STATUSES),
  i: z.string().min(1).max(200),
  c: z.iso.datetime(),
});

/**
 * The cursor to the page after `position`, in a listing of `status`: `base64url(JSON) "."
 * base64url(HMAC-SHA256)`. Signed, not encrypted: it holds only an onboarding id and a time the
 * client was just shown.
 */
export function signListCursor(status: OnboardingStatus, position: ListPosition, key: string): string {
  const wire: z.input<typeof wireCursorSchema> = {
    s: status,
    i: position.onboardingId,
    c: position.createdAt,
  };
  const payload = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
  return `${payload}.${signature(payload, key).toString('base64url')}`;
}

/**
 * The status and position a cursor holds, if `key` signed it (checked in constant time before the
 * payload is parsed); undefined for anything else: garbage, a changed payload, another key's.
 */
export function readListCursor(
  cursor: string,
  key: string,
): { status: OnboardingStatus; position: ListPosition } | undefined {
  if (cursor.length > MAX_CURSOR_LENGTH) return undefined;
  const parts = cursor.split('.');
  if (parts.length !== 2) return undefined;
  const [payload, given] = parts as [string, string];
  if (!BASE64URL.test(payload) || !BASE64URL.test(given) || given.length !== SIGNATURE_LENGTH)
    return undefined;
  const givenBytes = Buffer.from(given, 'base64url');
  // Only the canonical spelling of the signature: the last character has unused bits.
  if (givenBytes.toString('base64url') !== given) return undefined;
  if (!timingSafeEqual(givenBytes, signature(payload, key))) return undefined;
  try {
    const wire = wireCursorSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!wire.success) return undefined;
    return { status: wire.data.s, position: { onboardingId: wire.data.i, createdAt: wire.data.c } };
  } catch {
    return undefined;
  }
}

/**
 * The page as the API answers it. Each onboarding is built field by field, so nothing the store
 * read beyond these (were it ever the plan, or an address) can reach the answer.
 */
export function onboardingListView(
  page: OnboardingPage,
  options: { status: OnboardingStatus; cursorKey: string; statusUrl: (onboardingId: string) => string },
): OnboardingListView {
  return {
    onboardings: page.onboardings.map((listing) => onboardingSummary(listing, options.statusUrl(listing.id))),
    nextCursor: page.next ? signListCursor(options.status, page.next, options.cursorKey) : null,
  };
}

/** One listed onboarding: id, title, status, times and where to read the rest. */
export function onboardingSummary(listing: OnboardingListing, statusUrl: string): OnboardingSummary {
  return {
    onboardingId: listing.id,
    title: listing.title,
    status: listing.status,
    createdAt: listing.createdAt,
    ...(listing.updatedAt ? { updatedAt: listing.updatedAt } : {}),
    statusUrl,
  };
}

function signature(payload: string, key: string): Buffer {
  if (key.length === 0) throw new Error('The list cursor key is empty');
  return createHmac('sha256', key).update(`${VERSION}.${payload}`).digest();
}
