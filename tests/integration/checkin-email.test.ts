import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithClock } from '#adapters/clock';
import { epochSeconds, verifyLinkToken } from '#core/link-token';
import type { WeekRecord } from '#core/onboarding';
import { writeMailFolder } from '#local/mail-files';
import type { ReceivedEmail } from '#local/mailbox';
import type { Execution } from '#local/runner';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { property, readIcs, unescapeText } from '../unit/core/ics.ts';
import { apiEvent } from './api-events.ts';
import { examplePlan, startHeldAtFirstCheckin, until } from './helpers.ts';

/**
 * The check-in email end to end on the local runtime: what the SES emulator received (the
 * calendar event attached, five signed rating links per side), and a rating link opened and
 * confirmed as a person would, while the execution waits in week 1's feedback window.
 */

const plan = { ...examplePlan(), id: 'checkin-email-week-1' };
const OWNER = 'maria@santos-advisory.example';
const PARTNER = 'team@ledgerly.example';

let runtime: LocalRuntime;
let handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
let db: DynamoDBDocumentClient;
let execution: Execution;
let week: WeekRecord;
let checkins: ReceivedEmail[];
let hold: Awaited<ReturnType<typeof startHeldAtFirstCheckin>>['hold'];

beforeAll(async () => {
  runtime = await startLocalRuntime();
  ({ handler } = await import('#handlers/link-pages'));
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.endpoints.dynamodb }));

  // Nobody in the scenario answers; the execution waits in week 1's feedback window until released.
  ({ hold, execution, checkins } = await startHeldAtFirstCheckin(runtime, plan));
  week = (await runtime.store.getWeek(plan.id, 1))!;
}, 60_000);

afterAll(async () => {
  hold?.release();
  await runtime?.stop();
});

const emailTo = (address: string) => {
  const email = checkins.find((m) => m.destination.to.includes(address));
  if (!email) throw new Error(`no check-in to ${address}`);
  return email;
};

/** The rating links of an email's text part, by rating. */
function ratingLinks(email: ReceivedEmail): Map<number, string> {
  return new Map(
    [...(email.body.text ?? '').matchAll(/^Rate (\d) of 5[^:\n]*:\n(\S+)$/gm)].map((m) => [
      Number(m[1]),
      m[2]!,
    ]),
  );
}

const tokenOf = (link: string) => link.split('/links/')[1]!;

/** Every item of the onboarding's partition, as stored. */
async function partition(): Promise<Record<string, unknown>[]> {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ONB#${plan.id}` },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

/** A request to the link's route, handled at the execution's time, as if clicked in the window. */
async function request(method: 'GET' | 'POST', link: string, form?: string) {
  const event = apiEvent(`${method} /links/{token}`, {
    pathParameters: { token: tokenOf(link) },
    ...(form !== undefined
      ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }
      : {}),
  });
  const result = await runWithClock(execution.clock, () => handler(event));
  return { status: result.statusCode ?? 200, body: result.body ?? '' };
}

describe('the check-in emails in the SES emulator', () => {
  it('went to each side once', () => {
    expect(checkins.map((m) => m.destination.to).sort()).toEqual([[OWNER], plan.partner.emails].sort());
  });

  it('carry the week’s calendar event as an .ics attachment: its UID, start and summary', () => {
    for (const email of [emailTo(OWNER), emailTo(PARTNER)]) {
      const [attachment, ...more] = email.attachments ?? [];
      expect(more).toEqual([]);
      expect([attachment?.filename, attachment?.contentType]).toEqual([
        'check-in-week-1.ics',
        'text/calendar',
      ]);
      const lines = readIcs(Buffer.from(attachment!.content, 'base64').toString('utf8'));

      expect({
        method: property(lines, 'METHOD').value,
        uid: property(lines, 'UID').value,
        start: property(lines, 'DTSTART').value,
        summary: unescapeText(property(lines, 'SUMMARY').value),
        organizer: property(lines, 'ORGANIZER').value,
      }).toEqual({
        method: 'PUBLISH',
        uid: `checkin-week-1.${plan.id}@${process.env.SENDER_EMAIL!.split('@')[1]}`,
        start: week.checkinAt.replace(/[-:]/g, '').replace(/\.\d{3}/, ''),
        summary: `Check-in, week 1: ${plan.title}`,
        organizer: `mailto:${process.env.SENDER_EMAIL}`,
      });
    }
  });

  it.each([
    ['owner', OWNER],
    ['partner', PARTNER],
  ] as const)(
    'carry five rating links to the %s, at the public URL, each signed for its rating until feedback is due',
    (role, address) => {
      const links = ratingLinks(emailTo(address));

      expect([...links.keys()]).toEqual([1, 2, 3, 4, 5]);
      for (const [rating, link] of links) {
        expect(link.startsWith(`${process.env.PUBLIC_BASE_URL}/links/`)).toBe(true);
        expect(
          verifyLinkToken(tokenOf(link), runtime.secrets.link, {
            purposes: ['rate'],
            now: execution.clock.now(),
          }),
        ).toEqual({
          ok: true,
          claims: {
            onboardingId: plan.id,
            week: 1,
            role,
            recipient: address,
            purpose: 'rate',
            rating,
            expiresAt: epochSeconds(week.feedbackDueAt),
          },
        });
        expect(emailTo(address).body.html).toContain(`<a href="${link}"`);
      }
    },
  );

  it('are written to the mail folder with the .ics beside them, linked from the index', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'onramp-mail-'));
    try {
      const index = await readFile(await writeMailFolder(folder, checkins), 'utf8');
      const file = index.match(/<a href="([^"]+\.ics)">check-in-week-1\.ics<\/a>/)?.[1];

      expect(file).toBeDefined();
      expect(await readFile(join(folder, decodeURI(file!)), 'utf8')).toMatch(/^BEGIN:VCALENDAR\r\n/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('a rating link', () => {
  it('opens a confirm page of its rating, and GET changes nothing in the table', async () => {
    const before = await partition();
    const page = await request('GET', ratingLinks(emailTo(OWNER)).get(4)!);
    const after = await partition();

    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>You rate week 1: 4/5</h1>');
    expect(page.body).toContain('<button type="submit">Confirm my rating</button>');
    expect(after).toEqual(before);
  });

  it('records the rating from the link with the comment when confirmed, source link', async () => {
    const page = await request(
      'POST',
      ratingLinks(emailTo(PARTNER)).get(2)!,
      'comment=Too+much+%3Cat%3E+once.',
    );
    const item = (await partition()).find((i) => i.sk === 'FEEDBACK#01#partner');

    expect(page.status).toBe(200);
    expect(page.body).toContain('<dd>2 of 5</dd>');
    expect(page.body).toContain('<dd>Too much &lt;at&gt; once.</dd>');
    expect(item).toMatchObject({
      week: 1,
      role: 'partner',
      rating: 2,
      comment: 'Too much <at> once.',
      unfinishedTaskIds: [],
      source: 'link',
      from: PARTNER,
      at: execution.clock.now().toISOString(),
    });
  });

  it('is confirmed over the local HTTP API too, as clicked from the email', async () => {
    const link = ratingLinks(emailTo(OWNER)).get(5)!;
    const shown = await fetch(link);
    const sent = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'comment=Delivered+as+agreed.',
    });
    const item = (await partition()).find((i) => i.sk === 'FEEDBACK#01#owner');

    expect([shown.status, sent.status]).toEqual([200, 200]);
    expect(await shown.text()).toContain('<h1>You rate week 1: 5/5</h1>');
    expect(item).toMatchObject({ rating: 5, comment: 'Delivered as agreed.', source: 'link', from: OWNER });
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

  it('the gate decided from the ratings given through the links', async () => {
    const decided = await runtime.store.getWeek(plan.id, 1);

    expect(decided?.decision?.reason).toContain('the partner rated the week 2/5');
  });
});
