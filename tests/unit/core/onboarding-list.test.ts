import { describe, expect, it } from 'vitest';
import {
  listCursorKey,
  ONBOARDING_STATUSES,
  type OnboardingListing,
  onboardingListView,
  onboardingSummary,
  parseListQuery,
  readListCursor,
  signListCursor,
} from '#core/onboarding-list';
import { planFixture } from './fixtures.ts';

const KEY = listCursorKey('whsec_dGVzdCBzZWNyZXQgZm9yIGN1cnNvcnMgb25seQ==');
const position = { onboardingId: 'bookkeeping-handover', createdAt: '2026-12-01T08:00:00.000Z' };
const allowed = 'pending, active, paused, completed, failed, cancelled, aborted';

/** The cursor with its payload replaced, keeping the signature of the original. */
function withPayload(cursor: string, wire: Record<string, unknown>): string {
  return `${Buffer.from(JSON.stringify(wire)).toString('base64url')}.${cursor.split('.')[1]}`;
}

describe('the query of GET /onboardings', () => {
  it('needs only a status: the first page, 25 onboardings', () => {
    expect(parseListQuery({ status: 'active' }, KEY)).toEqual({
      ok: true,
      query: { status: 'active', limit: 25 },
    });
  });

  it('takes a limit from 1 to 100', () => {
    for (const limit of [1, 2, 100]) {
      expect(parseListQuery({ status: 'paused', limit: String(limit) }, KEY)).toEqual({
        ok: true,
        query: { status: 'paused', limit },
      });
    }
  });

  it('takes every onboarding status, and only those', () => {
    expect(ONBOARDING_STATUSES.map((status) => parseListQuery({ status }, KEY).ok)).toEqual(
      ONBOARDING_STATUSES.map(() => true),
    );
  });

  it('refuses a missing status, saying which are allowed', () => {
    expect(parseListQuery({}, KEY)).toEqual({
      ok: false,
      issues: [{ path: 'status', message: `is required: one of ${allowed}` }],
    });
    expect(parseListQuery(undefined, KEY).ok).toBe(false);
  });

  it('refuses an unknown status, saying which are allowed', () => {
    expect(parseListQuery({ status: 'running' }, KEY)).toEqual({
      ok: false,
      issues: [{ path: 'status', message: `must be one of ${allowed}, got "running"` }],
    });
  });

  it('refuses two statuses at once (API Gateway joins a repeated parameter with commas)', () => {
    const result = parseListQuery({ status: 'active,paused' }, KEY);
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'status', message: `must be one of ${allowed}, got "active,paused"` }],
    });
  });

  it.each([
    ['0', 'must be a whole number from 1 to 100'],
    ['101', 'must be a whole number from 1 to 100'],
    ['2.5', 'must be a whole number from 1 to 100, got "2.5"'],
    ['-1', 'must be a whole number from 1 to 100, got "-1"'],
    ['ten', 'must be a whole number from 1 to 100, got "ten"'],
    ['', 'must be a whole number from 1 to 100, got ""'],
    ['1e1', 'must be a whole number from 1 to 100, got "1e1"'],
    ['0100', 'must be a whole number from 1 to 100, got "0100"'],
  ])('refuses limit=%s', (limit, message) => {
    expect(parseListQuery({ status: 'active', limit }, KEY)).toEqual({
      ok: false,
      issues: [{ path: 'limit', message }],
    });
  });

  it('refuses a parameter the route does not take, naming each, as the plan refuses unknown fields', () => {
    expect(parseListQuery({ status: 'active', limt: '5', sort: 'asc' }, KEY)).toEqual({
      ok: false,
      issues: [
        { path: 'limt', message: 'is not a parameter of this route; it takes status, limit and cursor' },
        { path: 'sort', message: 'is not a parameter of this route; it takes status, limit and cursor' },
      ],
    });
  });

  it('lists every problem at once', () => {
    const result = parseListQuery({ status: 'done', limit: '500', cursor: 'garbage', page: '2' }, KEY);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.path).sort()).toEqual([
      'cursor',
      'limit',
      'page',
      'status',
    ]);
  });

  it('refuses an empty cursor', () => {
    expect(parseListQuery({ status: 'active', cursor: '' }, KEY)).toEqual({
      ok: false,
      issues: [{ path: 'cursor', message: 'must not be empty; leave it out for the first page' }],
    });
  });
});

describe('a list cursor', () => {
  const invalid = {
    path: 'cursor',
    message: 'is not a cursor this API gave; pass nextCursor back unchanged, or leave it out',
  };

  it('goes on from where it was given, in the same listing', () => {
    const cursor = signListCursor('active', position, KEY);

    expect(readListCursor(cursor, KEY)).toEqual({ status: 'active', position });
    expect(parseListQuery({ status: 'active', limit: '2', cursor }, KEY)).toEqual({
      ok: true,
      query: { status: 'active', limit: 2, startKey: position },
    });
  });

  it('is URL-safe and opaque in form: payload and signature', () => {
    expect(signListCursor('active', position, KEY)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it('is refused when its payload was changed: another onboarding, time or status under the same signature', () => {
    const cursor = signListCursor('active', position, KEY);
    const tampered = [
      withPayload(cursor, { s: 'active', i: 'someone-elses', c: position.createdAt }),
      withPayload(cursor, { s: 'active', i: position.onboardingId, c: '2030-01-01T00:00:00.000Z' }),
      withPayload(cursor, { s: 'cancelled', i: position.onboardingId, c: position.createdAt }),
    ];
    for (const forged of tampered) {
      expect(readListCursor(forged, KEY)).toBeUndefined();
      expect(parseListQuery({ status: 'active', cursor: forged }, KEY)).toEqual({
        ok: false,
        issues: [invalid],
      });
    }
  });

  it('is refused when its signature was changed', () => {
    const cursor = signListCursor('active', position, KEY);
    const [payload, signature] = cursor.split('.') as [string, string];
    const flipped = `${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect(readListCursor(flipped, KEY)).toBeUndefined();
  });

  it('is refused when another key signed it (another stack, or a rotated secret)', () => {
    const cursor = signListCursor('active', position, listCursorKey('another secret'));
    expect(parseListQuery({ status: 'active', cursor }, KEY)).toEqual({ ok: false, issues: [invalid] });
  });

  it('is refused in the listing of another status, which it cannot reach into', () => {
    const cursor = signListCursor('active', position, KEY);
    expect(parseListQuery({ status: 'cancelled', cursor }, KEY)).toEqual({
      ok: false,
      issues: [
        {
          path: 'cursor',
          message: 'was given for another status; it goes with the status of the listing it came from',
        },
      ],
    });
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    ['no signature', Buffer.from('{"s":"active"}').toString('base64url')],
    ['three parts', 'a.b.c'],
    ['not base64url', '{"s":"active"}.abc'],
    ['too long', `${'a'.repeat(600)}.${'b'.repeat(43)}`],
    ['a link token', 'eyJvIjoieCJ9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('is refused when it is %s', (_, cursor) => {
    expect(readListCursor(cursor, KEY)).toBeUndefined();
    expect(parseListQuery({ status: 'active', cursor }, KEY)).toEqual({ ok: false, issues: [invalid] });
  });

  it('has its own key, not the webhook secret itself', () => {
    const secret = 'whsec_dGVzdCBzZWNyZXQgZm9yIGN1cnNvcnMgb25seQ==';
    const cursor = signListCursor('active', position, secret);
    expect(readListCursor(cursor, listCursorKey(secret))).toBeUndefined();
  });
});

describe('a listed onboarding', () => {
  const plan = planFixture();
  const listing: OnboardingListing = {
    id: 'bookkeeping-handover',
    title: plan.title,
    status: 'active',
    createdAt: '2026-12-01T08:00:00.000Z',
    updatedAt: '2026-12-14T08:00:00.000Z',
  };
  const statusUrl = (id: string) => `https://api.onramp.test/onboardings/${id}`;

  it('shows its id, title, status, times and status URL', () => {
    expect(onboardingSummary(listing, statusUrl(listing.id))).toEqual({
      onboardingId: 'bookkeeping-handover',
      title: plan.title,
      status: 'active',
      createdAt: '2026-12-01T08:00:00.000Z',
      updatedAt: '2026-12-14T08:00:00.000Z',
      statusUrl: 'https://api.onramp.test/onboardings/bookkeeping-handover',
    });
  });

  it('leaves updatedAt out when none is stored', () => {
    const { updatedAt: _, ...withoutUpdate } = listing;
    expect(onboardingSummary(withoutUpdate, statusUrl(listing.id))).not.toHaveProperty('updatedAt');
  });

  it('never shows the plan or anyone in it, whatever else the listing carried', () => {
    const carrying = { ...listing, plan, planDigest: 'digest', owner: plan.owner } as OnboardingListing;
    const view = onboardingListView(
      { onboardings: [carrying] },
      { status: 'active', cursorKey: KEY, statusUrl },
    );
    const text = JSON.stringify(view);

    expect(Object.keys(view.onboardings[0]!).sort()).toEqual(
      ['createdAt', 'onboardingId', 'status', 'statusUrl', 'title', 'updatedAt'].sort(),
    );
    expect(text).not.toContain(plan.owner.email);
    expect(text).not.toContain(plan.owner.name);
    for (const email of plan.partner.emails) expect(text).not.toContain(email);
    expect(text).not.toContain(plan.tasks[0]!.title);
  });

  it('ends the listing with nextCursor null, or signs where the next page starts', () => {
    const options = { status: 'active' as const, cursorKey: KEY, statusUrl };
    expect(onboardingListView({ onboardings: [listing] }, options).nextCursor).toBeNull();

    const { nextCursor } = onboardingListView({ onboardings: [listing], next: position }, options);
    expect(readListCursor(nextCursor!, KEY)).toEqual({ status: 'active', position });
  });
});
