import { describe, expect, it } from 'vitest';
import type { EmailMessage } from '#core/emails/message';
import { type CheckinOptions, checkinEmails } from '#core/emails/weekly';
import { epochSeconds, type LinkClaims, linkUrl, signLinkToken, verifyLinkToken } from '#core/link-token';
import { ratingLinkClaims } from '#core/pages/feedback';
import type { Plan } from '#core/plan';
import { planFixture, weekRecordFixture } from './fixtures.ts';
import { property, readIcs, unescapeText } from './ics.ts';

const KEY = 'test-link-key';
const BASE = 'https://links.onramp.example';
const SENDER = 'onramp@santos-advisory.example';
const OWNER = 'maria@santos-advisory.example';
const PARTNER = 'team@ledgerly.example';

/** The options the send-checkins handler passes: really signed rating links. */
function optionsFor(plan: Plan, week: ReturnType<typeof weekRecordFixture>): CheckinOptions {
  return {
    ratingLink: (recipient, rating) =>
      linkUrl(BASE, signLinkToken(ratingLinkClaims(plan.id, week, recipient, rating), KEY)),
    sender: SENDER,
    now: '2026-12-10T14:00:01.000Z',
  };
}

/** The rating links of a text part, in order: the rating each line offers and its URL. */
function ratingLinks(text: string): Array<{ rating: number; url: string }> {
  return [...text.matchAll(/^Rate (\d) of 5[^:\n]*:\n(\S+)$/gm)].map((m) => ({
    rating: Number(m[1]),
    url: m[2]!,
  }));
}

function claimsOf(url: string, now: Date): LinkClaims {
  const check = verifyLinkToken(url.slice(`${BASE}/links/`.length), KEY, { purposes: ['rate'], now });
  if (!check.ok) throw new Error(`${url} does not verify: ${check.reason}`);
  return check.claims;
}

describe('the check-in email', () => {
  const plan = planFixture();
  const week = weekRecordFixture(plan, 1, 0);
  const [toOwner, toPartner] = checkinEmails(plan, week, optionsFor(plan, week)) as [
    EmailMessage,
    EmailMessage,
  ];
  const sent = new Date(week.checkinAt);

  it('goes to each side once, as a check-in of the week', () => {
    expect([toOwner, toPartner].map((m) => [m.kind, m.week, m.role, m.to])).toEqual([
      ['checkin', 1, 'owner', [OWNER]],
      ['checkin', 1, 'partner', plan.partner.emails],
    ]);
  });

  it('asks the owner to rate the partner’s work, and the partner how clear and manageable the week was', () => {
    expect(toOwner.text).toContain(
      'How good was the work Ledgerly Outsourcing delivered this week, from 1 (poor) to 5 (excellent)?',
    );
    expect(toOwner.text).toContain('its page asks for an optional comment and which tasks are unfinished');
    expect(toPartner.text).toContain(
      'How clear and manageable was this week, from 1 (too much or unclear) to 5 (just right)?',
    );
    expect(toPartner.text).not.toContain('unfinished');
  });

  it('asks the owner about unfinished tasks only in a week with tasks that can be unfinished', () => {
    const onlyRecurring = { ...week, tasks: week.tasks.filter((t) => t.recurring), carriedTaskIds: [] };
    const [owner] = checkinEmails(plan, onlyRecurring, optionsFor(plan, onlyRecurring));

    expect(owner!.text).toContain('its page asks for an optional comment, and records your answer');
  });

  it.each([
    ['owner', () => toOwner, OWNER],
    ['partner', () => toPartner, PARTNER],
  ] as const)(
    'lists five rating links to the %s, each signed for that rating, side and address until the feedback is due',
    (role, email, address) => {
      const links = ratingLinks(email().text);

      expect(links.map((l) => l.rating)).toEqual([1, 2, 3, 4, 5]);
      expect(links.map((l) => claimsOf(l.url, sent))).toEqual(
        [1, 2, 3, 4, 5].map((rating) => ({
          onboardingId: plan.id,
          week: 1,
          role,
          recipient: address,
          purpose: 'rate',
          rating,
          expiresAt: epochSeconds(week.feedbackDueAt),
        })),
      );
    },
  );

  it('says what the ends of the scale mean beside the links', () => {
    expect(toOwner.text).toMatch(/^Rate 1 of 5 \(poor\):$/m);
    expect(toOwner.text).toMatch(/^Rate 5 of 5 \(excellent\):$/m);
    expect(toPartner.text).toMatch(/^Rate 1 of 5 \(too much or unclear\):$/m);
  });

  it('offers the same five links as buttons in the HTML part, named for screen readers', () => {
    for (const email of [toOwner, toPartner]) {
      const buttons = [...email.html.matchAll(/<a href="([^"]+)" aria-label="([^"]+)"[^>]*>(\d)<\/a>/g)];

      expect(buttons.map((b) => [b[1], b[2], b[3]])).toEqual(
        ratingLinks(email.text).map((l) => [
          l.url,
          expect.stringMatching(`^Rate ${l.rating} of 5`),
          String(l.rating),
        ]),
      );
    }
  });

  it('never puts one side’s links in the other side’s email', () => {
    const ownerUrls = ratingLinks(toOwner.text).map((l) => l.url);

    expect(ownerUrls.some((url) => toPartner.text.includes(url) || toPartner.html.includes(url))).toBe(false);
  });

  it('keeps no second way to answer: the ratings replace the single feedback link', () => {
    expect([toOwner.text, toPartner.text].join('\n')).not.toContain('Tell us how the week went');
  });

  it('sends no Reply-To to the other side: an answer must not reach it', () => {
    expect([toOwner.replyTo, toPartner.replyTo]).toEqual([undefined, undefined]);
  });

  it('tells each side the check-in and when feedback is read, on their own clock', () => {
    expect([toOwner.text, toPartner.text]).toEqual([
      expect.stringMatching(
        /check-in with Ledgerly Outsourcing is on Thursday, 10 December 2026 at 15:00 Berlin time\./,
      ),
      expect.stringMatching(
        /check-in with Maria Santos is on Thursday, 10 December 2026 at 22:00 Manila time\./,
      ),
    ]);
    // Asked by the end of the window (the reminder goes then); decided when the grace period ends.
    expect([toOwner.text, toPartner.text]).toEqual([
      expect.stringMatching(
        /Please answer by Friday.*11 December 2026.*15:00.*\s*.*decides next week's volume, on Monday.*14 December 2026.*15:00/,
      ),
      expect.stringMatching(
        /Please answer by Friday.*11 December 2026.*22:00.*\s*.*decides next week's volume, on Monday.*14 December 2026.*22:00/,
      ),
    ]);
  });

  it('attaches the same calendar event to both, and says so', () => {
    const [ownerInvite, partnerInvite] = [toOwner, toPartner].map((m) => m.attachments ?? []);

    expect(ownerInvite).toEqual(partnerInvite);
    expect(ownerInvite?.map((a) => a.filename)).toEqual(['check-in-week-1.ics']);
    expect(toPartner.text).toContain('The calendar event is attached (check-in-week-1.ics)');
    const lines = readIcs(ownerInvite![0]!.content);
    expect({
      uid: property(lines, 'UID').value,
      start: property(lines, 'DTSTART').value,
      summary: unescapeText(property(lines, 'SUMMARY').value),
      organizer: property(lines, 'ORGANIZER').value,
    }).toEqual({
      uid: `checkin-week-1.${plan.id}@santos-advisory.example`,
      start: '20261210T140000Z',
      summary: 'Check-in, week 1: Bookkeeping handover to Ledgerly',
      organizer: `mailto:${SENDER}`,
    });
  });
});

describe('the check-in after a decided week', () => {
  const plan = planFixture();
  const week = weekRecordFixture(plan, 2, 1);
  const decided = 'advance from 10% to 25%: the owner rated the work 5/5, the partner the week 4/5';
  const [toOwner, toPartner] = checkinEmails(plan, week, {
    ...optionsFor(plan, week),
    lastWeekDecision: decided,
  }) as [EmailMessage, EmailMessage];

  it('tells the owner what last week decided and why (the partner read it in the batch email)', () => {
    expect(toOwner.text).toContain(`Last week's check-in: ${decided}.`);
    expect(toPartner.text).not.toContain("Last week's check-in");
  });
});

describe('the check-in of a week when one side’s clocks change (DST)', () => {
  // New York moves to summer time on 14 March 2027, Berlin only on 28 March: in between, the
  // check-in at 15:00 in Berlin is an hour later in New York than the weeks around it.
  const plan = planFixture({
    id: 'dst-handover',
    start: '2027-03-01',
    partner: { name: 'Ledgerly NY', emails: ['ny@ledgerly.example'], timeZone: 'America/New_York' },
  });
  const emailsOf = (n: number) => {
    const week = weekRecordFixture(plan, n, 0);
    return {
      week,
      emails: checkinEmails(plan, week, optionsFor(plan, week)) as [EmailMessage, EmailMessage],
    };
  };
  const before = emailsOf(2);
  const between = emailsOf(3);

  it('is the week of 18 March, at 15:00 in Berlin (14:00 UTC)', () => {
    expect([before.week.checkinAt, between.week.checkinAt]).toEqual([
      '2027-03-11T14:00:00.000Z',
      '2027-03-18T14:00:00.000Z',
    ]);
  });

  it('shows the owner 15:00 both weeks, and the partner 09:00 before and 10:00 in the DST week', () => {
    const meeting = (m: EmailMessage) => m.text.match(/check-in with .* is on (.*?)\. The calendar/)?.[1];

    expect(
      [before.emails, between.emails].map(([owner, partner]) => [meeting(owner), meeting(partner)]),
    ).toEqual([
      ['Thursday, 11 March 2027 at 15:00 Berlin time', 'Thursday, 11 March 2027 at 09:00 New York time'],
      ['Thursday, 18 March 2027 at 15:00 Berlin time', 'Thursday, 18 March 2027 at 10:00 New York time'],
    ]);
  });

  it('puts the one instant in the calendar event, in UTC, for both', () => {
    const starts = between.emails.map(
      (m) => property(readIcs(m.attachments?.[0]?.content ?? ''), 'DTSTART').value,
    );

    expect(starts).toEqual(['20270318T140000Z', '20270318T140000Z']);
  });
});

describe('a hostile plan title in the check-in', () => {
  const title = 'Books; "ledgers", \\ <script>alert(1)</script>\nEND:VCALENDAR & more';
  const plan = planFixture({ title });
  const week = weekRecordFixture(plan, 1, 0);
  const [toOwner] = checkinEmails(plan, week, optionsFor(plan, week)) as [EmailMessage, EmailMessage];

  it('is escaped in the HTML part', () => {
    expect(toOwner.html).not.toContain('<script');
    expect(toOwner.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(toOwner.html).toContain('Books; &quot;ledgers&quot;, \\');
  });

  it('is escaped in the calendar event’s summary, and reads back exactly', () => {
    const ics = toOwner.attachments?.[0]?.content ?? '';
    const lines = readIcs(ics);

    expect(unescapeText(property(lines, 'SUMMARY').value)).toBe(`Check-in, week 1: ${title}`);
    expect(lines.filter((l) => l.name === 'END').map((l) => l.value)).toEqual(['VEVENT', 'VCALENDAR']);
  });
});
