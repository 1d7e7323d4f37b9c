import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanInput } from '#core/plan';
import { lambdaContext } from '#local/http-server';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { SCENARIOS } from '#local/scenarios';
import { apiEvent, requestLine, signed } from './api-events.ts';
import { examplePlan, until, untilStopped } from './helpers.ts';

let runtime: LocalRuntime;
let call: (event: ReturnType<typeof apiEvent>) => Promise<APIGatewayProxyStructuredResultV2>;
beforeAll(async () => {
  runtime = await startLocalRuntime();
  const { handler } = await import('#handlers/integration-api');
  call = async (event) =>
    (await handler(
      event,
      lambdaContext('IntegrationApi', Date.now() + 30_000),
    )) as APIGatewayProxyStructuredResultV2;
});
afterAll(async () => {
  await runtime?.stop();
});

type Answer = { status: number; body: Record<string, unknown>; headers: Record<string, unknown> };

/**
 * Sends a request to the integration API as API Gateway would; signed with the stack's secret
 * unless told otherwise: over its body, or a GET over its request line.
 */
async function send(
  routeKey: string,
  options: {
    id?: string;
    body?: string;
    headers?: Record<string, string>;
    sign?: false | { secret?: string; id?: string; at?: Date };
  } = {},
): Promise<Answer> {
  // A pause, resume or cancel names its onboarding in the signed body, as the API requires.
  const control = routeKey.startsWith('POST /onboardings/{id}/') && options.id !== undefined;
  const action = routeKey.split('/').at(-1);
  const body = options.body ?? (control ? JSON.stringify({ onboardingId: options.id, action }) : '');
  const event = apiEvent(routeKey, {
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
    ...(body ? { body } : {}),
  });
  const signature =
    options.sign === false
      ? {}
      : signed(
          options.sign?.secret ?? runtime.secrets.webhook,
          routeKey.startsWith('GET ') ? requestLine(event) : body,
          {
            ...(options.sign?.id ? { id: options.sign.id } : {}),
            ...(options.sign?.at ? { at: options.sign.at } : {}),
          },
        );
  event.headers = {
    ...event.headers,
    ...(body ? { 'content-type': 'application/json' } : {}),
    ...signature,
    ...options.headers,
  };
  const result = await call(event);
  return {
    status: result.statusCode ?? 200,
    body: JSON.parse(result.body ?? '{}') as Record<string, unknown>,
    headers: result.headers ?? {},
  };
}

/**
 * A start whose body API Gateway hands over base64-encoded (bytes it does not pass as text: not
 * UTF-8, compressed, or not a text type), signed over those bytes exactly as sent: HMAC-SHA256 of
 * `id.timestamp.` and the bytes, which the Standard Webhooks library (it signs strings) cannot do.
 */
async function sendBytes(
  bytes: Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  options: { sign?: false } = {},
): Promise<Answer> {
  const id = `msg_bytes_${Math.random().toString(36).slice(2)}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = Buffer.from(runtime.secrets.webhook.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), bytes]))
    .digest('base64');
  const event = apiEvent(startRoute, { headers });
  event.headers = {
    ...event.headers,
    ...(options.sign === false
      ? {}
      : { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` }),
  };
  event.body = bytes.toString('base64');
  event.isBase64Encoded = true;
  const result = await call(event);
  return {
    status: result.statusCode ?? 200,
    body: JSON.parse(result.body ?? '{}') as Record<string, unknown>,
    headers: result.headers ?? {},
  };
}

const startRoute = 'POST /onboardings';
const planWithId = (id: string, changes: Partial<PlanInput> = {}): PlanInput => ({
  ...examplePlan(),
  id,
  ...changes,
});

/** What a refused request must not have done: no onboarding, no execution, no email. */
async function expectNothingStarted(onboardingId: string): Promise<void> {
  expect(await runtime.store.findOnboarding(onboardingId)).toBeUndefined();
  expect(runtime.stepFunctions.executions.has(onboardingId)).toBe(false);
  expect(await runtime.store.listEmails(onboardingId)).toEqual([]);
}

describe('POST /onboardings', () => {
  it('starts an onboarding from a signed plan: 202 with its id and status URL', async () => {
    const plan = planWithId('api-started');
    runtime.simulation.play(plan.id!, SCENARIOS.steady!);
    const answer = await send(startRoute, { body: JSON.stringify(plan) });

    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      onboardingId: 'api-started',
      created: true,
      statusUrl: 'https://api.onramp.test/onboardings/api-started',
    });
    expect(answer.headers.location).toBe('https://api.onramp.test/onboardings/api-started');
    const execution = await untilStopped(runtime.stepFunctions.get('api-started'));
    expect(execution.status).toBe('SUCCEEDED');
    expect((await runtime.store.getOnboarding('api-started')).status).toBe('completed');
  });

  it('answers a redelivery with the same onboarding (200), starting nothing again', async () => {
    const plan = planWithId('api-redelivered');
    runtime.simulation.play(plan.id!, SCENARIOS.steady!);
    const body = JSON.stringify(plan);
    const first = await send(startRoute, { body, sign: { id: 'msg_redelivered' } });
    await untilStopped(runtime.stepFunctions.get('api-redelivered'));
    const again = await send(startRoute, { body, sign: { id: 'msg_redelivered' } });

    expect([first.status, again.status]).toEqual([202, 200]);
    expect(first.body.created).toBe(true);
    // The first answer again, except that the redelivery created nothing.
    expect(again.body).toEqual({ ...first.body, created: false });
    const kickoffs = (await runtime.store.listEmails('api-redelivered')).filter((e) => e.kind === 'kickoff');
    expect(kickoffs.map((e) => e.role).sort()).toEqual(['owner', 'partner']);
  });

  it('names the onboarding after the webhook-id when the plan has none', async () => {
    const { id: _, ...plan } = examplePlan();
    const body = JSON.stringify(plan);
    const first = await send(startRoute, { body, sign: { id: 'msg_no_plan_id_1' } });
    const other = await send(startRoute, { body, sign: { id: 'msg_no_plan_id_2' } });

    expect(first.status).toBe(202);
    expect(other.status).toBe(202);
    expect(first.body.onboardingId).toMatch(/^bookkeeping-handover-to-ledgerly-[0-9a-f]{8}$/);
    expect(other.body.onboardingId).not.toBe(first.body.onboardingId);
    for (const id of [first.body.onboardingId, other.body.onboardingId] as string[]) {
      runtime.stepFunctions.get(id).abort();
    }
  });

  it("passes on the plan's capacity warnings in the 202, as `onramp validate` prints them", async () => {
    const plan = planWithId('api-warned', { ramp: { ...examplePlan().ramp, targetWeeklyVolume: 1 } });
    runtime.simulation.play(plan.id!, SCENARIOS.steady!);
    const answer = await send(startRoute, { body: JSON.stringify(plan) });
    runtime.stepFunctions.get('api-warned').abort();

    expect(answer.status).toBe(202);
    expect(answer.body.warnings).toEqual([
      {
        path: 'tasks',
        message: expect.stringMatching(/^7 tasks \(.+\) cannot be released within 8 weeks at 1 hours a week/),
      },
    ]);
  });

  it('says nothing of warnings when the plan has none', async () => {
    const { id: _, ...plan } = examplePlan();
    const answer = await send(startRoute, { body: JSON.stringify({ ...plan, title: 'No warnings' }) });
    runtime.stepFunctions.get(answer.body.onboardingId as string).abort();

    expect(answer.status).toBe(202);
    expect(answer.body).not.toHaveProperty('warnings');
  });

  it('refuses the same webhook-id with another body (409), acting on neither twice', async () => {
    const plan = planWithId('api-id-reused');
    runtime.simulation.play(plan.id!, SCENARIOS.steady!);
    await send(startRoute, { body: JSON.stringify(plan), sign: { id: 'msg_reused' } });
    const changed = planWithId('api-id-reused-changed');
    const answer = await send(startRoute, { body: JSON.stringify(changed), sign: { id: 'msg_reused' } });

    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe('WebhookIdReused');
    await expectNothingStarted('api-id-reused-changed');
  });

  it('refuses another plan under an existing onboarding id (409)', async () => {
    const plan = planWithId('api-conflict');
    runtime.simulation.play(plan.id!, SCENARIOS.steady!);
    await send(startRoute, { body: JSON.stringify(plan) });
    const answer = await send(startRoute, { body: JSON.stringify({ ...plan, weeks: 7 }) });

    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: 'OnboardingConflict' });
    expect((await runtime.store.getOnboarding('api-conflict')).plan.weeks).toBe(plan.weeks ?? 8);
  });

  it('starts one execution and sends one kickoff for 10 concurrent identical deliveries', async () => {
    const plan = planWithId('api-concurrent');
    runtime.simulation.play(plan.id!, SCENARIOS.steady!);
    const body = JSON.stringify(plan);
    const headers = signed(runtime.secrets.webhook, body, { id: 'msg_concurrent' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => send(startRoute, { body, sign: false, headers })),
    );

    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    // The others are told it is the same onboarding, or that the first delivery is still being acted on.
    expect(statuses.every((s) => s === 202 || s === 200 || s === 409)).toBe(true);
    for (const answer of answers.filter((a) => a.status === 409)) {
      expect(answer.body.error).toBe('DeliveryInProgress');
      expect(answer.headers['retry-after']).toBe('1');
    }
    await untilStopped(runtime.stepFunctions.get('api-concurrent'));
    expect([...runtime.stepFunctions.executions.keys()].filter((k) => k === 'api-concurrent')).toHaveLength(
      1,
    );
    const kickoffs = (await runtime.store.listEmails('api-concurrent')).filter((e) => e.kind === 'kickoff');
    expect(kickoffs).toHaveLength(2);
    // Both were sent: the emulator holds each recorded message once.
    const sent = new Set(kickoffs.map((e) => e.messageId));
    const received = (await runtime.mailbox.list()).filter((m) => sent.has(m.messageId));
    expect(received).toHaveLength(2);
  });
});

describe('requests that are refused change nothing', () => {
  const body = JSON.stringify(planWithId('api-refused'));

  it.each([
    ['unsigned', { sign: false as const }, 'missing header webhook-id, webhook-timestamp, webhook-signature'],
    [
      'signed with another secret',
      { sign: { secret: `whsec_${Buffer.from('not the stack secret!!!!').toString('base64')}` } },
      'webhook-signature does not match the request',
    ],
    [
      'signed six minutes ago',
      { sign: { at: new Date(Date.now() - 6 * 60_000) } },
      'webhook-timestamp is more than 5 minutes in the past',
    ],
    [
      'signed six minutes ahead',
      { sign: { at: new Date(Date.now() + 6 * 60_000) } },
      'webhook-timestamp is more than 5 minutes in the future',
    ],
  ])('%s: 401', async (_, options, reason) => {
    const answer = await send(startRoute, { body, ...options });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: 'Unauthorized',
      message: `The request is not signed as required: ${reason}`,
    });
    await expectNothingStarted('api-refused');
  });

  it('a signed request replayed with a changed body: 401', async () => {
    const headers = signed(runtime.secrets.webhook, body);
    const changed = JSON.stringify(planWithId('api-refused', { weeks: 6 }));
    const answer = await send(startRoute, { body: changed, sign: false, headers });
    expect(answer.status).toBe(401);
    await expectNothingStarted('api-refused');
  });

  it('a body over 256 KB: 413', async () => {
    const huge = JSON.stringify({ ...planWithId('api-refused'), notes: 'x'.repeat(300 * 1024) });
    const answer = await send(startRoute, { body: huge });
    expect(answer.status).toBe(413);
    expect(answer.body.message).toBe('The request body is over the limit of 256 KB');
    await expectNothingStarted('api-refused');
  });

  it('a body that is not JSON by its content type: 415', async () => {
    const answer = await send(startRoute, { body, headers: { 'content-type': 'text/yaml' } });
    expect(answer.status).toBe(415);
    expect(answer.body.message).toBe('The body must be application/json, got "text/yaml"');
    await expectNothingStarted('api-refused');
  });

  it('malformed JSON: 400 saying where', async () => {
    const answer = await send(startRoute, { body: '{"id": "api-refused", ' });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/^The body is not valid JSON: /);
    await expectNothingStarted('api-refused');
  });

  it.each([
    ['with letters after it', (ts: string) => `${ts}abc`],
    ['with leading zeros', (ts: string) => `000${ts}`],
    ['sent twice (API Gateway joins them with a comma)', (ts: string) => `${ts},${ts}`],
    ['followed by a list', (ts: string) => `${ts},1`],
  ])('a webhook-timestamp %s: 401, though the signature over it matches', async (_, change) => {
    const headers = signed(runtime.secrets.webhook, body);
    headers['webhook-timestamp'] = change(headers['webhook-timestamp']!);
    const answer = await send(startRoute, { body, sign: false, headers });
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/^The request is not signed as required: webhook-timestamp must be /);
    await expectNothingStarted('api-refused');
  });

  it('a webhook-timestamp in milliseconds: 401 saying seconds', async () => {
    const headers = signed(runtime.secrets.webhook, body);
    headers['webhook-timestamp'] = String(Date.now());
    const answer = await send(startRoute, { body, sign: false, headers });
    expect(answer).toMatchObject({
      status: 401,
      body: {
        message:
          'The request is not signed as required: webhook-timestamp must be in seconds since the epoch, not milliseconds',
      },
    });
    await expectNothingStarted('api-refused');
  });

  it('bytes that are not UTF-8 in a title, signed over the bytes as sent: 400 saying so, not a signature mismatch', async () => {
    const bytes = Buffer.from(body.replace('"title":"', '"title":"\xff\xc3'), 'latin1');
    const answer = await sendBytes(bytes);
    expect(answer).toMatchObject({
      status: 400,
      body: { message: 'The body must be UTF-8 JSON: it holds bytes that are not UTF-8' },
    });
    await expectNothingStarted('api-refused');
  });

  it('a Latin-1 body declared as such: 415 saying the body must be UTF-8', async () => {
    const latin1 = Buffer.from(
      JSON.stringify(planWithId('api-refused', { title: 'Comptabilité' })),
      'latin1',
    );
    const answer = await sendBytes(latin1, { 'content-type': 'application/json; charset=iso-8859-1' });
    expect(answer).toMatchObject({
      status: 415,
      body: { message: 'The body must be UTF-8 JSON: charset iso-8859-1 is not supported' },
    });
    await expectNothingStarted('api-refused');
  });

  it('a gzip-compressed body: 415 asking for it uncompressed', async () => {
    const answer = await sendBytes(gzipSync(body), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(answer).toMatchObject({
      status: 415,
      body: { message: 'Content-Encoding gzip is not supported: send the JSON uncompressed' },
    });
    await expectNothingStarted('api-refused');
  });

  it('bytes that are not UTF-8, unsigned: 401 as unsigned, the body unread', async () => {
    const answer = await sendBytes(Buffer.from([0x7b, 0xff, 0xc3, 0x7d]), undefined, { sign: false });
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/missing header webhook-id/);
  });

  it('a body that starts with a byte order mark: 400 saying so', async () => {
    const answer = await send(startRoute, { body: `\uFEFF${body}` });
    expect(answer).toMatchObject({
      status: 400,
      body: {
        message:
          'The body starts with a byte order mark (EF BB BF): send the JSON without it, as RFC 8259 requires',
      },
    });
    await expectNothingStarted('api-refused');
  });

  it('a body of exactly 256 KB, base64-encoded: accepted, not counted over the limit', async () => {
    const plan = JSON.stringify(planWithId('api-exactly-256k'));
    // Whitespace after the JSON: the plan as it is, the body at the limit to the byte.
    const exact = Buffer.from(plan + ' '.repeat(256 * 1024 - Buffer.byteLength(plan)));
    expect(exact.length).toBe(262_144);
    runtime.simulation.play('api-exactly-256k', SCENARIOS.steady!);
    const answer = await sendBytes(exact);
    runtime.stepFunctions.get('api-exactly-256k').abort();
    expect(answer.status).toBe(202);

    const over = await sendBytes(Buffer.concat([exact, Buffer.from(' ')]));
    expect(over.status).toBe(413);
  });

  it('a bad plan: 422 with every problem and its path', async () => {
    const bad = { ...planWithId('api-refused'), weeks: 0, tasks: [{ id: 'Not A Slug' }] };
    const answer = await send(startRoute, { body: JSON.stringify(bad) });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toBe('PlanInvalid');
    const paths = (answer.body.issues as Array<{ path: string; message: string }>).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['weeks', 'tasks[0].id', 'tasks[0].title']));
    await expectNothingStarted('api-refused');
  });
});

describe('GET /onboardings/{id}', () => {
  it('shows the stage, week, volumes, last answers and status of an onboarding', async () => {
    const plan = planWithId('api-status');
    runtime.simulation.play(plan.id!, SCENARIOS.steady!);
    await send(startRoute, { body: JSON.stringify(plan) });
    await untilStopped(runtime.stepFunctions.get('api-status'));
    const answer = await send('GET /onboardings/{id}', { id: 'api-status' });
    const weeks = await runtime.store.listWeeks('api-status');

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      onboardingId: 'api-status',
      status: 'completed',
      week: weeks.length,
      stage: { index: weeks.at(-1)!.stage, percent: weeks.at(-1)!.percent },
      lastFeedback: {
        owner: { week: weeks.length, rating: 5, source: 'link' },
        partner: { week: weeks.length, rating: 4, source: 'link' },
      },
      nextCheckinAt: null,
    });
    expect((answer.body.weeks as Array<{ volume: number }>).map((w) => w.volume)).toEqual(
      weeks.map((w) => w.volume),
    );
    // For systems: no addresses or comments.
    expect(JSON.stringify(answer.body)).not.toMatch(/@/);
  });

  it('is signed like the rest: unsigned 401, unknown 404', async () => {
    expect((await send('GET /onboardings/{id}', { id: 'api-status', sign: false })).status).toBe(401);
    const unknown = await send('GET /onboardings/{id}', { id: 'no-such-onboarding' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('OnboardingNotFound');
  });
});

describe('a read signs its request line (it has no body)', () => {
  it('the signed headers of one status read do not read another onboarding or the listing: 401', async () => {
    const headers = signed(runtime.secrets.webhook, 'GET /onboardings/api-status');
    const own = await send('GET /onboardings/{id}', { id: 'api-status', sign: false, headers });
    const other = await send('GET /onboardings/{id}', { id: 'api-started', sign: false, headers });
    const listing = await call(
      apiEvent('GET /onboardings', { queryStringParameters: { status: 'active' }, headers }),
    );

    expect(own.status).toBe(200);
    expect(other).toMatchObject({
      status: 401,
      body: {
        message: 'The request is not signed as required: webhook-signature does not match the request',
      },
    });
    expect(listing.statusCode).toBe(401);
  });

  it('the signed headers of one listing do not read another status or page: 401', async () => {
    const query = { status: 'active', limit: '1' };
    const headers = signed(runtime.secrets.webhook, 'GET /onboardings?status=active&limit=1');
    const read = (queryStringParameters: Record<string, string>) =>
      call(apiEvent('GET /onboardings', { queryStringParameters, headers }));

    expect((await read(query)).statusCode).toBe(200);
    expect((await read({ status: 'completed', limit: '1' })).statusCode).toBe(401);
    expect((await read({ status: 'active', limit: '2' })).statusCode).toBe(401);
  });

  it('a read signed over the empty body, as a body-only signature would be: 401', async () => {
    const headers = signed(runtime.secrets.webhook, '');
    const answer = await send('GET /onboardings/{id}', { id: 'api-status', sign: false, headers });
    expect(answer.status).toBe(401);
  });
});

describe('an id no onboarding can have is refused before the store is read', () => {
  const long = 'a'.repeat(2050);

  it.each(['pause', 'resume', 'cancel'])(
    'POST /onboardings/{2,050 characters}/%s, signed and named in its body: 404',
    async (action) => {
      const answer = await send(`POST /onboardings/{id}/${action}`, { id: long });
      expect(answer).toEqual({
        status: 404,
        headers: expect.any(Object),
        body: {
          error: 'OnboardingNotFound',
          message:
            'No onboarding has an id of 2050 characters: an onboarding id is lowercase letters, digits and dashes, at most 63 characters',
        },
      });
    },
  );

  it('GET /onboardings/{2,050 characters}: 404', async () => {
    const answer = await send('GET /onboardings/{id}', { id: long });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toBe('OnboardingNotFound');
  });

  it('an id of 64 characters, one over the longest an id can be: 404', async () => {
    const answer = await send('GET /onboardings/{id}', { id: 'a'.repeat(64) });
    expect(answer.status).toBe(404);
    expect(answer.body.message).toMatch(/^No onboarding has an id of 64 characters/);
  });

  it('an id in capitals: 404 naming it', async () => {
    const answer = await send('POST /onboardings/{id}/pause', { id: 'API-Started' });
    expect(answer).toMatchObject({
      status: 404,
      body: {
        error: 'OnboardingNotFound',
        message:
          'No onboarding with id "API-Started": an onboarding id is lowercase letters, digits and dashes, at most 63 characters',
      },
    });
  });

  it('still refuses one unsigned as unsigned: 401', async () => {
    const answer = await send('POST /onboardings/{id}/cancel', { id: long, sign: false });
    expect(answer.status).toBe(401);
  });
});

describe('POST /onboardings/{id}/pause | resume | cancel', () => {
  /** Starts an onboarding whose sides answer well, and runs `act` while week 2 waits for feedback, at that time. */
  async function startAndDuringWeek2(id: string, act: () => Promise<void>) {
    runtime.simulation.play(id, SCENARIOS.steady!);
    const simulate = runtime.stepFunctions.onWait;
    let started = false;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const acted = new Promise<void>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    runtime.stepFunctions.onWait = async (wait) => {
      await simulate?.(wait);
      const { week } = wait.state as { week: number };
      if (wait.executionName === id && wait.stateName === 'WaitForFeedback' && week === 2 && !started) {
        started = true;
        await act().then(resolve, reject);
      }
    };
    await send(startRoute, { body: JSON.stringify(planWithId(id)) });
    // A cancel stops the execution it is called from: the test waits for the call itself to return.
    return { acted, restore: () => (runtime.stepFunctions.onWait = simulate) };
  }

  async function untilWaitingForResume(id: string, deadlineMs = 20_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (runtime.stepFunctions.parked(id).length === 0) {
      if (runtime.stepFunctions.get(id).status !== 'RUNNING') throw new Error(`${id} ended before pausing`);
      if (Date.now() > deadline) throw new Error(`${id} did not pause within ${deadlineMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('pauses before the next release and resumes on request; a redelivery changes nothing more', async () => {
    let paused: Answer | undefined;
    let redelivered: Answer | undefined;
    const { acted, restore } = await startAndDuringWeek2('api-paused', async () => {
      paused = await send('POST /onboardings/{id}/pause', { id: 'api-paused', sign: { id: 'msg_pause' } });
      redelivered = await send('POST /onboardings/{id}/pause', {
        id: 'api-paused',
        sign: { id: 'msg_pause' },
      });
    });
    try {
      await untilWaitingForResume('api-paused');
      await acted;
      expect(paused).toMatchObject({ status: 200, body: { onboardingId: 'api-paused', status: 'paused' } });
      expect(redelivered?.body).toEqual(paused?.body);
      const status = await send('GET /onboardings/{id}', { id: 'api-paused' });
      expect(status.body).toMatchObject({ status: 'paused', week: 2 });
      expect(JSON.stringify(status.body)).not.toMatch(/token/i);

      const resumed = await send('POST /onboardings/{id}/resume', { id: 'api-paused' });
      expect(resumed).toMatchObject({ status: 200, body: { onboardingId: 'api-paused', status: 'active' } });
      const execution = await untilStopped(runtime.stepFunctions.get('api-paused'));
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.visits.filter((v) => v.state === 'WaitForResume')).toHaveLength(1);
    } finally {
      restore();
    }
  });

  it('refuses a captured request replayed against another onboarding (the path is not signed)', async () => {
    const plan = planWithId('api-replay-target');
    runtime.simulation.play(plan.id!, SCENARIOS.silent!);
    await send(startRoute, { body: JSON.stringify(plan) });
    const body = JSON.stringify({ onboardingId: 'no-such-onboarding', action: 'cancel' });
    const headers = signed(runtime.secrets.webhook, body, { id: 'msg_captured_cancel' });
    const first = await send('POST /onboardings/{id}/cancel', {
      id: 'no-such-onboarding',
      body,
      sign: false,
      headers,
    });
    const replayed = await send('POST /onboardings/{id}/cancel', {
      id: 'api-replay-target',
      body,
      sign: false,
      headers,
    });

    // Its signed body names the onboarding it was for: aimed at another, it does nothing.
    expect(first.status).toBe(404);
    expect(replayed.status).toBe(422);
    expect(replayed.body.message).toContain('names onboarding "no-such-onboarding", not "api-replay-target"');
    expect((await runtime.store.getOnboarding('api-replay-target')).status).not.toBe('cancelled');
    runtime.stepFunctions.get('api-replay-target').abort();
  });

  it('refuses the signed headers of a status read replayed as a cancel: they sign the read', async () => {
    const plan = planWithId('api-replay-status');
    runtime.simulation.play(plan.id!, SCENARIOS.silent!);
    await send(startRoute, { body: JSON.stringify(plan) });
    const headers = signed(runtime.secrets.webhook, 'GET /onboardings/api-replay-status', {
      id: 'msg_captured_status',
    });
    const read = await send('GET /onboardings/{id}', { id: 'api-replay-status', sign: false, headers });
    const asCancel = await send('POST /onboardings/{id}/cancel', {
      id: 'api-replay-status',
      body: '',
      sign: false,
      headers,
    });

    expect(read.status).toBe(200);
    // Signed over the read's request line, not over the empty body the cancel sends.
    expect(asCancel.status).toBe(401);
    expect((await runtime.store.getOnboarding('api-replay-status')).status).not.toBe('cancelled');
    runtime.stepFunctions.get('api-replay-status').abort();
  });

  it('refuses a control whose body is not exactly the onboarding it names, changing nothing', async () => {
    const plan = planWithId('api-control-body');
    runtime.simulation.play(plan.id!, SCENARIOS.silent!);
    await send(startRoute, { body: JSON.stringify(plan) });
    // Once Accept has activated it: the status read below is then the one a control would change.
    await until(
      async () => (await runtime.store.getOnboarding('api-control-body')).status === 'active',
      'api-control-body active',
    );
    const extra = await send('POST /onboardings/{id}/pause', {
      id: 'api-control-body',
      body: JSON.stringify({ onboardingId: 'api-control-body', action: 'pause', also: 'this' }),
    });
    const asCancel = await send('POST /onboardings/{id}/cancel', {
      id: 'api-control-body',
      body: JSON.stringify({ onboardingId: 'api-control-body', action: 'pause' }),
    });
    const notJson = await send('POST /onboardings/{id}/pause', { id: 'api-control-body', body: 'pause' });

    expect(extra.status).toBe(422);
    expect(extra.body.message).toBe(
      'The body must be {"onboardingId": "api-control-body", "action": "pause"} and nothing else',
    );
    expect(asCancel.status).toBe(422);
    expect(asCancel.body.message).toBe('The body asks to pause, not to cancel as the path does');
    expect(notJson.status).toBe(400);
    expect((await runtime.store.getOnboarding('api-control-body')).status).toBe('active');
    runtime.stepFunctions.get('api-control-body').abort();
  });

  it('labels a control body that does not match its path UnprocessableContent (422), not BadRequest', async () => {
    const answer = await send('POST /onboardings/{id}/pause', {
      id: 'api-control-label',
      body: JSON.stringify({ onboardingId: 'api-control-label', action: 'resume' }),
    });

    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      error: 'UnprocessableContent',
      message: 'The body asks to resume, not to pause as the path does',
    });
  });

  it('cancels: the execution stops, the status says so, and both sides are told once', async () => {
    let cancelled: Answer | undefined;
    const { acted, restore } = await startAndDuringWeek2('api-cancelled', async () => {
      cancelled = await send('POST /onboardings/{id}/cancel', { id: 'api-cancelled' });
    });
    try {
      const execution = await untilStopped(runtime.stepFunctions.get('api-cancelled'));
      await acted;
      expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
      expect(execution.status).toBe('ABORTED');
      const again = await send('POST /onboardings/{id}/cancel', { id: 'api-cancelled' });
      expect(again.body.status).toBe('cancelled');
      const emails = (await runtime.store.listEmails('api-cancelled')).filter((e) => e.kind === 'cancelled');
      expect(emails.map((e) => e.role).sort()).toEqual(['owner', 'partner']);
      expect((await send('GET /onboardings/{id}', { id: 'api-cancelled' })).body).toMatchObject({
        status: 'cancelled',
        nextCheckinAt: null,
      });
    } finally {
      restore();
    }
  });

  it('refuses to pause a completed onboarding (409), writing nothing', async () => {
    const before = await runtime.store.getOnboarding('api-started');
    const answer = await send('POST /onboardings/{id}/pause', { id: 'api-started' });
    expect(answer.status).toBe(409);
    expect(answer.body.message).toMatch(/completed/);
    expect(await runtime.store.getOnboarding('api-started')).toEqual(before);
  });
});
