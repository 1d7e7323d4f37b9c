import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock, runWithClock, VirtualClock } from '#adapters/clock';
import { API_GATEWAY_BODY_LIMIT, type EdgeRoute, type LocalHttpApi, startHttpApi } from '#local/http-server';
import type { ReceivedEmail } from '#local/mailbox';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { readPayload, webhookHeaders } from '#local/sign-webhook';
import { examplePlan } from './helpers.ts';

/** A route whose function answers with what it was given, so the test can see the event. */
function route(routeKey: string, handler: (event: APIGatewayProxyEventV2) => unknown): EdgeRoute {
  return { routeKey, functionId: 'TestFunction', load: async () => async (event) => handler(event) };
}

describe('the local HTTP API, with a route table of its own', () => {
  let api: LocalHttpApi;
  const errors: string[] = [];

  beforeAll(async () => {
    // Started inside an execution's virtual clock: requests still get the system clock.
    api = await runWithClock(new VirtualClock(new Date('2001-01-01T00:00:00Z')), () =>
      startHttpApi({ onError: (message) => errors.push(message) }),
    );
  });
  afterAll(() => api.close());

  it('answers 503 until its routes are attached, as an API being deployed does', async () => {
    const response = await fetch(`${api.endpoint}/things/1`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Service Unavailable' });
  });

  describe('once attached', () => {
    beforeAll(() => {
      api.attach([
        route('GET /things/{id}', (event) => ({
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          cookies: ['seen=1; HttpOnly'],
          body: JSON.stringify({
            routeKey: event.routeKey,
            id: event.pathParameters?.id,
            query: event.queryStringParameters,
            now: clock.now().toISOString(),
          }),
        })),
        route('GET /things/special', () => 'the special thing'),
        route('POST /things', (event) => ({
          received: event.body,
          isBase64Encoded: event.isBase64Encoded,
          contentType: event.headers['content-type'],
        })),
        route('GET /broken', () => {
          throw new Error('secret internals: table onramp-local, key ONB#x');
        }),
        {
          routeKey: 'GET /missing',
          functionId: 'Missing',
          load: () => Promise.reject(new Error('functions/handlers/missing.ts cannot be loaded')),
        },
      ]);
    });

    it('calls the route’s function with the event and sends its response', async () => {
      const before = Date.now();
      const response = await fetch(`${api.endpoint}/things/a%20b?x=1&x=2`);
      const body = (await response.json()) as Record<string, unknown>;

      expect(response.status).toBe(200);
      expect(response.headers.get('set-cookie')).toBe('seen=1; HttpOnly');
      expect(response.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(body).toMatchObject({ routeKey: 'GET /things/{id}', id: 'a b', query: { x: '1,2' } });
      // The system clock, not the virtual one the server was started under.
      expect(Date.parse(body.now as string)).toBeGreaterThanOrEqual(before - 1000);
    });

    it('prefers the route that names the path over one with a parameter, as API Gateway does', async () => {
      const response = await fetch(`${api.endpoint}/things/special`);

      expect(await response.text()).toBe('the special thing');
    });

    it('hands a JSON body over as text and answers the shorthand result as 200 JSON', async () => {
      const response = await fetch(`${api.endpoint}/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      });

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({
        received: '{"a":1}',
        isBase64Encoded: false,
        contentType: 'application/json',
      });
    });

    it('hands a form post over base64-encoded, as API Gateway does', async () => {
      const response = await fetch(`${api.endpoint}/things`, {
        method: 'POST',
        body: new URLSearchParams({ rating: '4' }),
      });
      const body = (await response.json()) as { received: string; isBase64Encoded: boolean };

      expect(body.isBase64Encoded).toBe(true);
      expect(Buffer.from(body.received, 'base64').toString()).toBe('rating=4');
    });

    it('answers 404 Not Found for a path or method no route has', async () => {
      for (const [method, path] of [
        ['GET', '/nothing'],
        ['DELETE', '/things/1'],
        ['GET', '/things/1/more'],
      ] as const) {
        const response = await fetch(`${api.endpoint}${path}`, { method });

        expect(response.status, `${method} ${path}`).toBe(404);
        expect(await response.json()).toEqual({ message: 'Not Found' });
      }
    });

    it('answers 500 with nothing of the error when the function throws, and reports it', async () => {
      errors.length = 0;
      const response = await fetch(`${api.endpoint}/broken`);
      const text = await response.text();

      expect(response.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ message: 'Internal Server Error' });
      expect(text).not.toMatch(/secret|onramp-local|ONB#|Error:|at /);
      expect(errors).toEqual(['GET /broken: TestFunction failed']);
    });

    it('answers 500 when the function cannot be loaded, and reports which file', async () => {
      errors.length = 0;
      const response = await fetch(`${api.endpoint}/missing`);

      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'Internal Server Error' });
      expect(errors[0]).toContain('functions/handlers/missing.ts');
    });

    it('answers 413 to a body over API Gateway’s 10 MB, without calling the function', async () => {
      const response = await fetch(`${api.endpoint}/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.alloc(API_GATEWAY_BODY_LIMIT + 1, 0x20),
      });

      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    });

    it('takes a body of exactly 10 MB', async () => {
      const response = await fetch(`${api.endpoint}/things`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: Buffer.alloc(API_GATEWAY_BODY_LIMIT, 0x61),
      });

      expect(response.status).toBe(200);
      expect(((await response.json()) as { received: string }).received).toHaveLength(API_GATEWAY_BODY_LIMIT);
    });
  });
});

/** Polls until `probe` returns a value, failing past the deadline rather than hanging. */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  deadlineMs = 20_000,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the local runtime’s HTTP API, as `npm run serve` runs it', () => {
  let runtime: LocalRuntime;
  const owner = examplePlan().owner.email;

  beforeAll(async () => {
    // Each week's feedback window held open in real time, longer than this test runs.
    runtime = await startLocalRuntime({ feedbackWindow: { seconds: 300 } });
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  /** A POST signed over its body, or without one a GET signed over its request line. */
  const signedRequest = (path: string, body?: string, secret = runtime.secrets.webhook) =>
    fetch(`${runtime.http.endpoint}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...webhookHeaders(secret, body ?? readPayload(path)),
      },
      ...(body === undefined ? {} : { body }),
    });

  it('listens on loopback and gives the handlers its URL as PUBLIC_BASE_URL', () => {
    expect(runtime.http.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.PUBLIC_BASE_URL).toBe(runtime.http.endpoint);
  });

  it('a signed start, its status, and the emailed link that records an answer', async () => {
    // A signed webhook starts an onboarding.
    const started = await signedRequest('/onboardings', JSON.stringify(examplePlan()));
    expect(started.status).toBe(202);
    const { onboardingId } = (await started.json()) as { onboardingId: string };
    expect(started.headers.get('location')).toBe(`${runtime.http.endpoint}/onboardings/${onboardingId}`);

    // Its status is readable.
    const status = await signedRequest(`/onboardings/${onboardingId}`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ onboardingId });

    // The owner's check-in email carries rating links to this server, open while the week is held.
    const link = await eventually('the owner’s check-in link', async () => {
      const mails = await runtime.mailbox.list();
      return mails.flatMap((mail) => (mail.destination.to.includes(owner) ? ratingLinksIn(mail, 4) : []))[0];
    });
    expect(link.startsWith(`${runtime.http.endpoint}/links/`)).toBe(true);

    // Opening it shows a page and records nothing.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<form');
    expect(await runtime.store.listFeedback(onboardingId)).toEqual([]);

    // Its form records what it says: the link's rating, and the comment.
    const answered = await fetch(link, {
      method: 'POST',
      body: new URLSearchParams({ comment: 'Clear & on time' }),
    });
    expect(answered.status).toBe(200);
    const [answer] = await runtime.store.listFeedback(onboardingId);
    expect(answer).toMatchObject({
      week: 1,
      role: 'owner',
      rating: 4,
      comment: 'Clear & on time',
      source: 'link',
      from: owner,
    });
    // Stamped at the week's time, where its execution's clock is held (the check-in), as on AWS:
    // not at today's date, days before the week it answers even began.
    const week = await runtime.store.getWeek(onboardingId, 1);
    expect(answer?.at).toBe(week?.checkinAt);
    expect(answer?.at).toBe(runtime.stepFunctions.get(onboardingId).clock.now().toISOString());
  });

  it('a start signed with another secret is refused and starts nothing', async () => {
    const before = runtime.stepFunctions.executions.size;
    const forged = await signedRequest(
      '/onboardings',
      JSON.stringify(examplePlan()),
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    );

    expect(forged.status).toBe(401);
    expect(runtime.stepFunctions.executions.size).toBe(before);
  });

  it('a start whose bytes are not UTF-8, signed over those bytes: 400 saying so, starting nothing', async () => {
    const before = runtime.stepFunctions.executions.size;
    const text = JSON.stringify({ ...examplePlan(), id: 'http-not-utf8' });
    const bytes = Buffer.from(text.replace('"title":"', '"title":"\xff\xc3'), 'latin1');
    const id = 'msg_not_utf8';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const key = Buffer.from(runtime.secrets.webhook.replace(/^whsec_/, ''), 'base64');
    const signature = createHmac('sha256', key)
      .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), bytes]))
      .digest('base64');
    const response = await fetch(`${runtime.http.endpoint}/onboardings`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1,${signature}`,
      },
      body: bytes,
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe(
      'The body must be UTF-8 JSON: it holds bytes that are not UTF-8',
    );
    expect(runtime.stepFunctions.executions.size).toBe(before);
  });

  it('the signed headers of one status read do not read another path: 401', async () => {
    const headers = webhookHeaders(runtime.secrets.webhook, readPayload('/onboardings/one'));
    const response = await fetch(`${runtime.http.endpoint}/onboardings/another`, { headers });

    expect(response.status).toBe(401);
  });

  it('answers 404 Not Found for a route the edge manifest does not have', async () => {
    const response = await fetch(`${runtime.http.endpoint}/onboardings`, { method: 'DELETE' });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });
});

/** The onramp links in an email, from its text (or its HTML when it has no text). */
/** The check-in's one-click link for `rating`, as its text part lists it ("Rate 4 of 5:" and the URL). */
function ratingLinksIn(mail: ReceivedEmail, rating: number): string[] {
  const text = mail.body.text ?? '';
  return [
    ...text.matchAll(new RegExp(`^Rate ${rating} of 5[^:\\n]*:\\n(https?://\\S+/links/\\S+)$`, 'gm')),
  ].map((m) => m[1]!);
}
