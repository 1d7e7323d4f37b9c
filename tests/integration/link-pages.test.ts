import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithClock } from '#adapters/clock';
import { MAX_ANSWERS_KEPT } from '#adapters/onboarding-store';
import { type LinkClaims, type LinkPurpose, linkUrl, signLinkToken, verifyLinkToken } from '#core/link-token';
import type { ReceivedEmail } from '#local/mailbox';
import type { Execution } from '#local/runner';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { apiEvent } from './api-events.ts';
import { examplePlan, startHeldAtFirstCheckin, until } from './helpers.ts';

/**
 * The pages behind the check-in's feedback link, on the local runtime: a real onboarding runs
 * until its first check-in has gone out, and stays in that week's feedback window (the execution
 * is held at the start of the WaitForFeedback wait, at its virtual check-in time) while the test
 * opens the link from the email and sends its form, as a person would.
 */

const plan = { ...examplePlan(), id: 'link-pages-week-1' };
const PARTNER = 'team@ledgerly.example';
const OWNER = 'maria@santos-advisory.example';

let runtime: LocalRuntime;
let handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
let db: DynamoDBDocumentClient;
let execution: Execution;
let checkins: ReceivedEmail[];
let hold: Awaited<ReturnType<typeof startHeldAtFirstCheckin>>['hold'];

beforeAll(async () => {
  runtime = await startLocalRuntime();
  ({ handler } = await import('#handlers/link-pages'));
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.endpoints.dynamodb }));

  // Nobody in the scenario answers; the execution waits in week 1's feedback window until released.
  ({ hold, execution, checkins } = await startHeldAtFirstCheckin(runtime, plan));
});

afterAll(async () => {
  hold?.release();
  await runtime?.stop();
});

type Response = { status: number; headers: Record<string, unknown>; body: string };

/** A request to the link's route, handled at the execution's time, as if clicked during the window. */
async function request(
  method: 'GET' | 'POST' | 'PUT',
  token: string,
  options: { form?: Record<string, string | string[]>; contentType?: string; body?: string } = {},
): Promise<Response> {
  const form = options.form && formBody(options.form);
  const body = options.body ?? form;
  const event = apiEvent(`${method} /links/{token}`, {
    pathParameters: { token },
    headers:
      body !== undefined
        ? { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' }
        : {},
  });
  // API Gateway hands a form post over base64-encoded (it is not a text type to it).
  const withBody =
    body !== undefined
      ? { ...event, body: Buffer.from(body).toString('base64'), isBase64Encoded: true }
      : event;
  const result = await runWithClock(execution.clock, () => handler(withBody));
  return { status: result.statusCode ?? 200, headers: result.headers ?? {}, body: result.body ?? '' };
}

function formBody(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form))
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  return params.toString();
}

/** Every item of an onboarding's partition, as stored. */
async function partition(onboardingId: string): Promise<Record<string, unknown>[]> {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ONB#${onboardingId}` },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

async function feedbackItem(role: 'owner' | 'partner'): Promise<Record<string, unknown> | undefined> {
  return (await partition(plan.id)).find((i) => i.sk === `FEEDBACK#01#${role}`);
}

/**
 * The feedback link of a side's check-in email. Check-in emails now carry five one-click rating
 * links (tests/integration/checkin-email.test.ts); the single feedback link that emails sent before
 * them carried is still served until it expires, and these tests open it: signed here with the
 * runtime's key for the very side, address, week and expiry of the email's own rating links.
 */
function linkIn(email: ReceivedEmail | undefined): string {
  const rateLink = email?.body.text?.match(/^Rate 4 of 5:\n(\S+)$/m)?.[1];
  if (!rateLink) throw new Error(`no rating link in ${email?.subject}`);
  // Its claims only: some tests open the link after the week, when it has expired.
  const check = verifyLinkToken(tokenOf(rateLink), runtime.secrets.link, {
    purposes: ['rate'],
    now: execution.clock.now(),
  });
  if (!check.ok && check.reason !== 'expired')
    throw new Error(`the rating link does not verify: ${check.reason}`);
  const { rating: _, ...claims } = check.claims;
  return linkUrl(
    process.env.PUBLIC_BASE_URL ?? '',
    signLinkToken({ ...claims, purpose: 'feedback' }, runtime.secrets.link),
  );
}

const tokenOf = (link: string) => link.split('/links/')[1]!;
const emailTo = (address: string) => checkins.find((m) => m.destination.to.includes(address));
const partnerToken = () => tokenOf(linkIn(emailTo(PARTNER)));
const partnerClaims = (): LinkClaims => {
  const check = verifyLinkToken(partnerToken(), runtime.secrets.link, {
    purposes: ['feedback'],
    now: execution.clock.now(),
  });
  if (!check.ok) throw new Error(`the partner's link does not verify: ${check.reason}`);
  return check.claims;
};

describe('the check-in emails', () => {
  it('carry one link per side, at the public URL, signed for the side and the address it went to', () => {
    const links = [OWNER, PARTNER].map((address) => linkIn(emailTo(address)));
    const claims = links.map((link) =>
      verifyLinkToken(tokenOf(link), runtime.secrets.link, {
        purposes: ['feedback'],
        now: execution.clock.now(),
      }),
    );

    expect(links.every((link) => link.startsWith(`${process.env.PUBLIC_BASE_URL}/links/`))).toBe(true);
    expect(claims).toEqual([
      {
        ok: true,
        claims: expect.objectContaining({ onboardingId: plan.id, week: 1, role: 'owner', recipient: OWNER }),
      },
      {
        ok: true,
        claims: expect.objectContaining({
          onboardingId: plan.id,
          week: 1,
          role: 'partner',
          recipient: PARTNER,
        }),
      },
    ]);
  });

  it('make the link expire when the week’s feedback is due', async () => {
    const week = await runtime.store.getWeek(plan.id, 1);

    expect(partnerClaims().expiresAt * 1000).toBe(Date.parse(week!.feedbackDueAt));
  });
});

describe('GET of the partner’s link', () => {
  it('shows the feedback form, and changes nothing in the table', async () => {
    const before = await partition(plan.id);
    const page = await request('GET', partnerToken());
    const after = await partition(plan.id);

    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Week 1: how did it go?</h1>');
    expect(page.body).toContain('<legend>How clear and manageable was this week?</legend>');
    expect(page.body).toContain('<form method="post">');
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(after).toEqual(before);
  });
});

describe('POST of the partner’s form', () => {
  it('records the answer from the link: the side, who answered, the rating and the comment', async () => {
    const page = await request('POST', partnerToken(), {
      form: { rating: '4', comment: 'A clear week <b>mostly</b>.' },
    });

    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Thank you: your answer is recorded</h1>');
    expect(page.body).toContain('<dd>4 of 5</dd>');
    expect(page.body).toContain('<dd>A clear week &lt;b&gt;mostly&lt;/b&gt;.</dd>');
    expect(await feedbackItem('partner')).toMatchObject({
      week: 1,
      role: 'partner',
      rating: 4,
      comment: 'A clear week <b>mostly</b>.',
      unfinishedTaskIds: [],
      source: 'link',
      from: PARTNER,
      at: execution.clock.now().toISOString(),
    });
  });

  it('shows the answer when the link is opened again', async () => {
    const page = await request('GET', partnerToken());

    expect(page.body).toContain('value="4" checked>');
    expect(page.body).toContain('A clear week &lt;b&gt;mostly&lt;/b&gt;.</textarea>');
    expect(page.body).toContain('Sending the form again replaces that answer.');
  });

  it('replaces the answer when sent again, keeping the first in the history', async () => {
    const page = await request('POST', partnerToken(), {
      form: { rating: '2', comment: 'Too much at once.' },
    });
    const item = await feedbackItem('partner');

    expect(page.status).toBe(200);
    expect(item).toMatchObject({ rating: 2, comment: 'Too much at once.', source: 'link' });
    expect((item?.history as Array<{ rating: number }> | undefined)?.map((h) => h.rating)).toEqual([4, 2]);
  });

  it('takes at most 20 answers from one side for one week, keeping the item small, and says so', async () => {
    // Two answers are in already; each further one carries a full comment, as a flood would. The
    // last is the answer before it again, which the gate then decides from.
    for (let n = 3; n <= MAX_ANSWERS_KEPT; n++) {
      const last = n === MAX_ANSWERS_KEPT;
      const page = await request('POST', partnerToken(), {
        form: { rating: '2', comment: last ? 'Too much at once.' : 'x'.repeat(2000) },
      });
      expect(page.status).toBe(200);
    }
    const full = await partition(plan.id);

    const refused = await request('POST', partnerToken(), { form: { rating: '5', comment: 'one more' } });

    expect(MAX_ANSWERS_KEPT).toBe(20);
    expect(refused.status).toBe(422);
    expect(refused.body).toContain(
      'the partner has answered week 1 20 times, the most one side may: the last answer stands',
    );
    expect(await partition(plan.id)).toEqual(full);
    const item = await feedbackItem('partner');
    expect(item).toMatchObject({ rating: 2, comment: 'Too much at once.' });
    expect(item?.history).toHaveLength(20);
    // Far below DynamoDB's 400 KB an item can hold, so the gate can still close the week.
    expect(JSON.stringify(item).length).toBeLessThan(60_000);
  });

  it('sends the form back with 422 and writes nothing when the rating is missing', async () => {
    const before = await partition(plan.id);
    const page = await request('POST', partnerToken(), { form: { comment: 'forgot the rating' } });

    expect(page.status).toBe(422);
    expect(page.body).toContain('Choose a rating from 1 to 5.');
    expect(page.body).toContain('forgot the rating</textarea>');
    expect(await partition(plan.id)).toEqual(before);
  });

  it('refuses unfinished tasks from the partner with 422, writing nothing', async () => {
    const before = await partition(plan.id);
    const page = await request('POST', partnerToken(), { form: { rating: '5', unfinished: 'bank-feeds' } });

    expect(page.status).toBe(422);
    expect(page.body).toContain('only the owner reports unfinished work');
    expect(await partition(plan.id)).toEqual(before);
  });

  it.each([
    ['another content type', 415, { contentType: 'application/json', body: '{"rating":5}' }],
    ['a body over 256 KB', 413, { body: `rating=5&comment=${'a'.repeat(300 * 1024)}` }],
  ] as const)('answers %s with %i and writes nothing', async (_, status, options) => {
    const before = await partition(plan.id);
    const page = await request('POST', partnerToken(), options);

    expect(page.status).toBe(status);
    expect(page.body).toContain('<h1>This request cannot be read</h1>');
    expect(await partition(plan.id)).toEqual(before);
  });
});

describe('the owner’s link, clicked through the local HTTP API', () => {
  it('opens the form over HTTP and records the form sent from it', async () => {
    const link = linkIn(emailTo(OWNER));
    const shown = await fetch(link);
    const sent = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'rating=5&comment=Delivered+as+agreed.',
    });

    expect([shown.status, shown.headers.get('content-security-policy')]).toEqual([
      200,
      expect.stringContaining("default-src 'none'"),
    ]);
    expect(await shown.text()).toContain(
      '<legend>How good was the work Ledgerly Outsourcing delivered this week?</legend>',
    );
    expect(sent.status).toBe(200);
    expect(await sent.text()).toContain('<dd>Delivered as agreed.</dd>');
    expect(await feedbackItem('owner')).toMatchObject({
      role: 'owner',
      rating: 5,
      comment: 'Delivered as agreed.',
      source: 'link',
      from: OWNER,
    });
  });
});

describe('a link that is not genuine, or no longer good', () => {
  /** The partner's token with a claim changed and its signature kept. */
  function tampered(change: Record<string, unknown>): string {
    const [payload, signature] = partnerToken().split('.') as [string, string];
    const wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    return `${Buffer.from(JSON.stringify({ ...wire, ...change })).toString('base64url')}.${signature}`;
  }
  const signedAs = (changes: Partial<LinkClaims>) =>
    signLinkToken({ ...partnerClaims(), ...changes }, runtime.secrets.link);

  const cases: Array<[string, () => string, number, string]> = [
    [
      'tampered to name another onboarding',
      () => tampered({ o: 'bookkeeping-happy-path' }),
      400,
      'This link is not valid',
    ],
    ['tampered to answer as the owner', () => tampered({ r: 'owner' }), 400, 'This link is not valid'],
    [
      'signed with another key',
      () => signLinkToken(partnerClaims(), 'not-the-key'),
      400,
      'This link is not valid',
    ],
    [
      'genuine, for an onboarding that does not exist',
      () => signedAs({ onboardingId: 'no-such-onboarding' }),
      404,
      'This onboarding was not found',
    ],
    [
      'expired',
      () => signedAs({ expiresAt: Math.floor(execution.clock.now().getTime() / 1000) - 1 }),
      410,
      'This link has expired',
    ],
    // A purpose these pages do not serve.
    [
      'made for another purpose',
      () => signedAs({ purpose: 'survey' as LinkPurpose }),
      400,
      'This link is not valid',
    ],
    ['cut short', () => partnerToken().slice(0, 40), 400, 'This link is not valid'],
  ];

  it.each(cases)('%s: GET shows a clear page (%i) and nothing internal', async (_, token, status, title) => {
    const page = await request('GET', token());

    expect(page.status).toBe(status);
    expect(page.body).toContain(`<h1>${title}</h1>`);
    expect(page.body).not.toMatch(/forged|malformed|signature|Error|stack|at \w+ \(/);
  });

  it.each(cases)('%s: POST records nothing', async (_, token, status) => {
    const before = await Promise.all([partition(plan.id), partition('no-such-onboarding')]);
    const page = await request('POST', token(), { form: { rating: '5', comment: 'should not count' } });

    expect(page.status).toBe(status);
    expect(await Promise.all([partition(plan.id), partition('no-such-onboarding')])).toEqual(before);
  });
});

describe('requests the pages do not take', () => {
  it('answers another method with 405 and the methods allowed', async () => {
    const page = await request('PUT', partnerToken());

    expect([page.status, page.headers.allow]).toEqual([405, 'GET, POST']);
  });

  it('shows only "Something went wrong" and the request id when something fails inside', async () => {
    const event = apiEvent('GET /links/{token}', { pathParameters: { token: partnerToken() } });
    // An event without its http context: the handler cannot read it, and must not say why.
    const broken = { ...event, requestContext: { ...event.requestContext, http: undefined } } as never;
    const result = await handler(broken);

    expect(result.statusCode).toBe(500);
    expect(result.body).toContain('<h1>Something went wrong</h1>');
    expect(result.body).toContain(`<code>${event.requestContext.requestId}</code>`);
    expect(result.body).not.toMatch(/TypeError|undefined|at \w+ \(/);
  });
});

describe('after the week is decided', () => {
  beforeAll(async () => {
    hold.release();
    await until(
      async () => (await runtime.store.getWeek(plan.id, 1))?.decision !== undefined,
      'week 1 decided',
    );
  });

  it('the gate decided the week from the answer given through the link', async () => {
    const week = await runtime.store.getWeek(plan.id, 1);

    expect(week?.decision?.reason).toContain('the partner rated the week 2/5');
  });

  it('the link says the week is decided, and a POST records nothing', async () => {
    // Opened in real time (before the link's expiry, which is in the execution's future).
    const call = async (method: 'GET' | 'POST', form?: Record<string, string>) => {
      const event = apiEvent(`${method} /links/{token}`, {
        pathParameters: { token: partnerToken() },
        ...(form
          ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(form) }
          : {}),
      });
      return handler(event);
    };
    const before = await feedbackItem('partner');
    const [shown, sent] = [await call('GET'), await call('POST', { rating: '5' })];

    expect([shown.statusCode, sent.statusCode]).toEqual([410, 410]);
    expect(shown.body).toContain('<h1>Week 1 is already decided</h1>');
    expect(await feedbackItem('partner')).toEqual(before);
  });
});
