import { describe, expect, it } from 'vitest';
import { formatDateTime } from '#core/calendar';
import { communicationHealth } from '#core/communication-health';
import { escalationEmail, silenceEmail } from '#core/emails/escalation';
import { reminderEmails } from '#core/emails/reminder';
import { checkinEmails, type RatingLink } from '#core/emails/weekly';
import type { GateDecision } from '#core/gate';
import { linkUrl, signLinkToken, verifyLinkToken } from '#core/link-token';
import { ratingLinkClaims } from '#core/pages/feedback';
import { validatePlan } from '#core/validate-plan';
import { NOW, planFixture, planInputFixture, weekRecordFixture } from './fixtures.ts';

const KEY = 'test-link-key';
const BASE = 'https://links.onramp.example';
const plan = planFixture();
const week = weekRecordFixture(plan, 2, 1);
const ratingLink: RatingLink = (recipient, rating) =>
  linkUrl(BASE, signLinkToken(ratingLinkClaims(plan.id, week, recipient, rating), KEY));

describe('the reminder email', () => {
  it('goes only to the silent sides, once each, as the week’s reminder', () => {
    expect(
      reminderEmails(plan, week, ['partner'], ratingLink).map((m) => [m.kind, m.week, m.role, m.to]),
    ).toEqual([['reminder', 2, 'partner', plan.partner.emails]]);
    expect(reminderEmails(plan, week, ['owner', 'partner'], ratingLink).map((m) => m.role)).toEqual([
      'owner',
      'partner',
    ]);
    expect(reminderEmails(plan, week, [], ratingLink)).toEqual([]);
  });

  it('asks the same question as the check-in, with its five rating links, valid until the grace period ends', () => {
    const [toPartner] = reminderEmails(plan, week, ['partner'], ratingLink);
    const text = toPartner!.text;

    expect(toPartner!.subject).toBe(`Reminder, check-in week 2: ${plan.title}`);
    expect(text).toContain(
      'How clear and manageable was this week, from 1 (too much or unclear) to 5 (just right)?',
    );
    expect(text).toContain(
      `Your answer still counts until ${formatDateTime(week.feedbackDueAt, plan.partner.timeZone)}, when the week is decided`,
    );
    const links = [...text.matchAll(/^Rate (\d) of 5[^:\n]*:\n(\S+)$/gm)];
    expect(links.map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5]);
    for (const [, rating, url] of links) {
      const check = verifyLinkToken(url!.slice(`${BASE}/links/`.length), KEY, {
        purposes: ['rate'],
        now: new Date(week.remindAt!),
      });
      expect(check).toMatchObject({
        ok: true,
        claims: {
          week: 2,
          role: 'partner',
          rating: Number(rating),
          expiresAt: Date.parse(week.feedbackDueAt) / 1000,
        },
      });
    }
  });

  it('escapes names in its HTML', () => {
    const odd = planFixture({ owner: { ...plan.owner, name: '<b>Maria</b>' } });
    const [toPartner] = reminderEmails(odd, week, ['partner'], ratingLink);

    expect(toPartner!.html).not.toContain('<b>Maria</b>');
    expect(toPartner!.html).toContain('&lt;b&gt;Maria&lt;/b&gt;');
  });
});

describe('the escalation email, when sides went quiet', () => {
  const decision: GateDecision = {
    outcome: 'escalate',
    fromStage: 1,
    toStage: 1,
    releaseNew: false,
    reason: 'ask the owner, no feedback from either side this week: hold at 25%',
  };
  const ask = {
    links: { continue: 'c', extend: 'e', abort: 'a' },
    dueAt: week.feedbackDueAt,
    reminder: false,
  };

  it('names each silent side and the date of its last answer, or that it never answered', () => {
    const email = escalationEmail(plan, 2, decision, {
      ...ask,
      silent: [
        { role: 'owner', lastHeardAt: '2026-12-10T14:00:00.000Z' },
        { role: 'partner', lastHeardAt: null },
      ],
    });

    expect(email.text).toContain('Who went quiet:');
    expect(email.text).toContain(
      'You (Maria Santos): no answer to week 2, even after a reminder; last answered on Thu, 10 Dec 2026.',
    );
    expect(email.text).toContain(
      'Ledgerly Outsourcing (the partner): no answer to week 2, even after a reminder; never answered a check-in.',
    );
  });

  it('says nothing of silence when both sides answered', () => {
    expect(escalationEmail(plan, 2, decision, { ...ask, silent: [] }).text).not.toContain('Who went quiet');
  });
});

describe('the owner’s check-in: when the partner was last heard from', () => {
  const options = { ratingLink, sender: 'onramp@santos-advisory.example', now: week.checkinAt };
  const limited = planFixture({ gate: { ...plan.gate, silenceLimitDays: 7 } });
  const week1 = weekRecordFixture(limited, 1, 0);
  const answer = {
    week: 1,
    role: 'partner' as const,
    rating: 4,
    unfinishedTaskIds: [],
    source: 'link' as const,
  };

  it('says how long ago, and marks it at risk beyond the plan’s limit, to the owner only', () => {
    const heard = communicationHealth(limited, [week1], [{ ...answer, at: week1.checkinAt }], week.checkinAt);
    const [toOwner, toPartner] = checkinEmails(limited, week, { ...options, health: heard });
    expect(toOwner!.text).toContain('Last heard from the partner: 7 days ago.');
    expect(toPartner!.text).not.toContain('Last heard');

    const later = communicationHealth(
      limited,
      [week1],
      [{ ...answer, at: week1.checkinAt }],
      weekRecordFixture(limited, 3, 0).checkinAt,
    );
    const [atRisk] = checkinEmails(limited, week, { ...options, health: later });
    expect(atRisk!.text).toContain(
      'Last heard from the partner: 14 days ago (at risk: the plan allows 7 days).',
    );
  });

  it('says the partner has not answered yet, since when they were first asked', () => {
    const never = communicationHealth(limited, [week1], [], week.checkinAt);
    const [toOwner] = checkinEmails(limited, week, { ...options, health: never });
    expect(toOwner!.text).toContain('Last heard from the partner: not yet, asked first 7 days ago.');
  });
});

describe('plan validation: the grace period and the silence limit', () => {
  const validate = (input: unknown) => validatePlan(input, { now: NOW });

  it('defaults to one business day of grace and a 14-day silence limit', () => {
    const result = validate(planInputFixture());
    expect(result.ok && [result.plan.checkIn.graceDays, result.plan.gate.silenceLimitDays]).toEqual([1, 14]);
  });

  it('refuses a grace period that, with the feedback window, leaves the next batch too little time', () => {
    const result = validate(planInputFixture({ checkIn: { feedbackWindowDays: 2, graceDays: 2 } }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([
      {
        path: 'checkIn.graceDays',
        message:
          '2 business days after a 2-day feedback window leave the next batch less than 2 business days before its check-in; feedbackWindowDays plus graceDays must be at most 3',
      },
    ]);
  });

  it('names the field and what is allowed for an out-of-range grace period or silence limit', () => {
    const result = validate(planInputFixture({ checkIn: { graceDays: 0 }, gate: { silenceLimitDays: 3 } }));
    expect(!result.ok && result.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'checkIn.graceDays',
          message: expect.stringContaining('must be 1 or 2 business days'),
        }),
        expect.objectContaining({
          path: 'gate.silenceLimitDays',
          message: expect.stringContaining('must be 7 to 90 days'),
        }),
      ]),
    );
  });
});

describe('the notice of a silent partner to the owner', () => {
  const plan = planFixture({ partner: { ...planFixture().partner, name: '<b>Ledgerly</b> & Co' } });
  const notice = silenceEmail(plan, 2, { reason: 'hold at 20%: no word from the partner' }, [
    { role: 'partner', lastHeardAt: '2026-12-03T14:00:00.000Z' },
  ]);

  it('goes to the owner, names the partner and the day of its last answer, and says what the gate did', () => {
    expect(notice).toMatchObject({ kind: 'silence', week: 2, role: 'owner', to: [plan.owner.email] });
    expect(notice.text).toContain(
      '<b>Ledgerly</b> & Co (the partner): no answer to week 2, even after a reminder; last answered on',
    );
    expect(notice.text).toContain('The weekly check decided: hold at 20%: no word from the partner.');
  });

  it('escapes the partner’s name in the HTML part', () => {
    expect(notice.html).toContain('&lt;b&gt;Ledgerly&lt;/b&gt; &amp; Co');
    expect(notice.html).not.toContain('<b>Ledgerly</b>');
  });
});
