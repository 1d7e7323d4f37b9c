import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanInput } from '#core/plan';
import { lambdaContext } from '#local/http-server';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { apiEvent, requestLine, signed } from './api-events.ts';
import { deferred, examplePlan, withDeadline } from './helpers.ts';

let runtime: LocalRuntime;
let call: (event: ReturnType<typeof apiEvent>) => Promise<APIGatewayProxyStructuredResultV2>;

type Summary = {
  onboardingId: string;
  title: string;
  status: string;
  createdAt: string;
  updatedAt?: string;
  statusUrl: string;
};
type Answer = { status: number; body: Record<string, unknown> };
type Page = { onboardings: Summary[]; nextCursor: string | null };

const listRoute = 'GET /onboardings';
/** Started in this order, so newest first is the reverse; each stays active until the file ends. */
const activeIds = ['list-first', 'list-second', 'list-third', 'list-fourth', 'list-fifth'];
const cancelledId = 'list-cancelled';
const planFor = (id: string): PlanInput => ({ ...examplePlan(), id, title: `Listing test ${id}` });

/** Sends a request to the integration API as API Gateway would; signed (a GET over its request line) unless told not to. */
async function send(
  routeKey: string,
  options: { query?: Record<string, string>; id?: string; body?: string; sign?: false } = {},
): Promise<Answer> {
  const body = options.body ?? '';
  const event = apiEvent(routeKey, {
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
    ...(body ? { body } : {}),
  });
  const payload = routeKey.startsWith('GET ') ? requestLine(event) : body;
  event.headers = {
    ...event.headers,
    ...(body ? { 'content-type': 'application/json' } : {}),
    ...(options.sign === false ? {} : signed(runtime.secrets.webhook, payload)),
  };
  const result = await call(event);
  return {
    status: result.statusCode ?? 200,
    body: JSON.parse(result.body ?? '{}') as Record<string, unknown>,
  };
}

/** Every page of a listing, following nextCursor until it is null. */
async function everyPage(status: string, limit: number): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null | undefined;
  do {
    const answer = await send(listRoute, {
      query: { status, limit: String(limit), ...(cursor ? { cursor } : {}) },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const page = answer.body as unknown as Page;
    pages.push(page);
    cursor = page.nextCursor;
    if (pages.length > 20) throw new Error('the listing did not end');
  } while (cursor);
  return pages;
}

// Each onboarding is held at its first wait (after Accept made it active, before any release),
// so the listing sees a known set of active onboardings for as long as the file runs.
const released = deferred<void>();
beforeAll(async () => {
  runtime = await startLocalRuntime();
  const { handler } = await import('#handlers/integration-api');
  call = async (event) =>
    (await handler(
      event,
      lambdaContext('IntegrationApi', Date.now() + 30_000),
    )) as APIGatewayProxyStructuredResultV2;

  const held = new Map([...activeIds, cancelledId].map((id) => [id, deferred<void>()]));
  const simulate = runtime.stepFunctions.onWait;
  runtime.stepFunctions.onWait = async (wait) => {
    await simulate?.(wait);
    const reached = held.get(wait.executionName);
    if (reached && wait.stateName === 'WaitForRelease') {
      reached.resolve();
      await released.promise;
    }
  };
  for (const id of [...activeIds, cancelledId]) {
    const started = await send('POST /onboardings', { body: JSON.stringify(planFor(id)) });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
  }
  await withDeadline(Promise.all([...held.values()].map((h) => h.promise)), 'every onboarding active');
  const cancelled = await send('POST /onboardings/{id}/cancel', {
    id: cancelledId,
    body: JSON.stringify({ onboardingId: cancelledId, action: 'cancel' }),
  });
  expect(cancelled.body).toMatchObject({ status: 'cancelled' });
}, 60_000);

afterAll(async () => {
  released.resolve();
  await runtime?.stop();
});

describe('GET /onboardings', () => {
  it('lists every active onboarding exactly once, newest first, two a page, ending with nextCursor null', async () => {
    const pages = await everyPage('active', 2);
    const listed = pages.flatMap((page) => page.onboardings);

    expect(listed.map((o) => o.onboardingId)).toEqual([...activeIds].reverse());
    expect(pages.map((page) => page.onboardings.length)).toEqual([2, 2, 1]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    const createdAt = listed.map((o) => o.createdAt);
    expect(createdAt).toEqual([...createdAt].sort().reverse());
  });

  it('shows each onboarding as a summary: id, title, status, times and its status URL, nothing of the plan or its people', async () => {
    const answer = await send(listRoute, { query: { status: 'active', limit: '1' } });
    const [summary] = (answer.body as unknown as Page).onboardings;
    const stored = await runtime.store.getOnboarding('list-fifth');

    expect(summary).toEqual({
      onboardingId: 'list-fifth',
      title: 'Listing test list-fifth',
      status: 'active',
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
      statusUrl: 'https://api.onramp.test/onboardings/list-fifth',
    });
    const text = JSON.stringify(answer.body);
    expect(text).not.toMatch(/@/);
    expect(text).not.toContain(stored.plan.owner.name);
    expect(text).not.toContain(stored.plan.tasks[0]!.title);
  });

  it('lists a cancelled onboarding under cancelled, not under active', async () => {
    const cancelled = (await everyPage('cancelled', 25)).flatMap((page) => page.onboardings);
    const active = (await everyPage('active', 100)).flatMap((page) => page.onboardings);

    expect(cancelled.map((o) => [o.onboardingId, o.status])).toEqual([[cancelledId, 'cancelled']]);
    expect(active.map((o) => o.onboardingId)).not.toContain(cancelledId);
  });

  it('answers a status nothing has with an empty last page', async () => {
    const answer = await send(listRoute, { query: { status: 'aborted' } });
    expect(answer).toEqual({ status: 200, body: { onboardings: [], nextCursor: null } });
  });

  it('is served by the local HTTP API as by API Gateway: the route, its query string, the signature', async () => {
    const headers = signed(runtime.secrets.webhook, 'GET /onboardings?status=active&limit=1');
    const response = await fetch(`${runtime.http.endpoint}/onboardings?status=active&limit=1`, { headers });
    const page = (await response.json()) as Page;

    expect(response.status).toBe(200);
    expect(page.onboardings.map((o) => o.onboardingId)).toEqual(['list-fifth']);
    expect(page.onboardings[0]!.statusUrl).toBe(`${runtime.http.endpoint}/onboardings/list-fifth`);
    expect(page.nextCursor).toEqual(expect.any(String));
  });
});

describe('GET /onboardings refuses, reading nothing', () => {
  it('unsigned: 401', async () => {
    const answer = await send(listRoute, { query: { status: 'active' }, sign: false });
    expect(answer).toEqual({
      status: 401,
      body: {
        error: 'Unauthorized',
        message:
          'The request is not signed as required: missing header webhook-id, webhook-timestamp, webhook-signature',
      },
    });
  });

  it('an unknown status: 400 naming the allowed ones', async () => {
    const answer = await send(listRoute, { query: { status: 'running' } });
    expect(answer).toEqual({
      status: 400,
      body: {
        error: 'BadRequest',
        message: 'The query has 1 problem',
        issues: [
          {
            path: 'status',
            message:
              'must be one of pending, active, paused, completed, failed, cancelled, aborted, got "running"',
          },
        ],
      },
    });
  });

  it('a missing status, a limit out of range and an unknown parameter: 400 with every problem', async () => {
    const answer = await send(listRoute, { query: { limit: '500', order: 'asc' } });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe('The query has 3 problems');
    expect((answer.body.issues as Array<{ path: string }>).map((i) => i.path).sort()).toEqual([
      'limit',
      'order',
      'status',
    ]);
  });

  it('a limit that is not a whole number: 400', async () => {
    const answer = await send(listRoute, { query: { status: 'active', limit: 'two' } });
    expect(answer).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'limit', message: 'must be a whole number from 1 to 100, got "two"' }] },
    });
  });

  it('a forged cursor: 400 naming cursor', async () => {
    const first = await send(listRoute, { query: { status: 'active', limit: '1' } });
    const cursor = (first.body as unknown as Page).nextCursor!;
    const [, signature] = cursor.split('.');
    const payload = Buffer.from(
      JSON.stringify({ s: 'active', i: 'list-first', c: '2099-01-01T00:00:00.000Z' }),
    ).toString('base64url');

    for (const forged of [`${payload}.${signature}`, 'garbage']) {
      const answer = await send(listRoute, { query: { status: 'active', cursor: forged } });
      expect(answer).toMatchObject({ status: 400, body: { issues: [{ path: 'cursor' }] } });
    }
  });

  it("another status's cursor: 400 naming cursor", async () => {
    const first = await send(listRoute, { query: { status: 'active', limit: '1' } });
    const cursor = (first.body as unknown as Page).nextCursor!;

    const answer = await send(listRoute, { query: { status: 'cancelled', cursor } });
    expect(answer).toMatchObject({
      status: 400,
      body: { issues: [{ path: 'cursor', message: expect.stringMatching(/another status/) }] },
    });
  });
});
