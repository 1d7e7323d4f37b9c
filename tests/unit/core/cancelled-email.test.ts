import { describe, expect, it } from 'vitest';
import { formatDateTime } from '#core/calendar';
import { cancelledEmails } from '#core/emails/cancelled';
import { planFixture, weekRecordFixture } from './fixtures.ts';

const plan = planFixture();
const week1 = weekRecordFixture(plan, 1, 0);
const week2 = weekRecordFixture(
  plan,
  2,
  1,
  week1.tasks.map((t) => t.taskId),
);
// Thursday 17 December 2026, 10:30 in Berlin; 17:30 in Manila.
const CANCELLED_AT = '2026-12-17T09:30:00.000Z';

describe('cancelledEmails', () => {
  it('tells the owner and every partner address, once each, under one subject', () => {
    const [owner, partner] = cancelledEmails(plan, [week1, week2], CANCELLED_AT);

    expect([owner, partner].map((m) => ({ kind: m!.kind, week: m!.week, role: m!.role, to: m!.to }))).toEqual(
      [
        { kind: 'cancelled', week: 0, role: 'owner', to: ['maria@santos-advisory.example'] },
        {
          kind: 'cancelled',
          week: 0,
          role: 'partner',
          to: ['team@ledgerly.example', 'lead@ledgerly.example'],
        },
      ],
    );
    expect(owner!.subject).toBe('Cancelled: Bookkeeping handover to Ledgerly');
    expect(partner!.subject).toBe(owner!.subject);
    expect(partner!.replyTo).toEqual(['maria@santos-advisory.example']);
  });

  it('says when, in each reader’s time zone, and how far the onboarding got', () => {
    const [owner, partner] = cancelledEmails(plan, [week1, week2], CANCELLED_AT);
    const handedOver = new Set([...week1.tasks, ...week2.tasks].map((t) => t.taskId)).size;

    expect(owner!.text).toContain(`was cancelled on ${formatDateTime(CANCELLED_AT, 'Europe/Berlin')}.`);
    expect(partner!.text).toContain(`was cancelled on ${formatDateTime(CANCELLED_AT, 'Asia/Manila')}.`);
    expect(owner!.text).toContain('17 December 2026 at 10:30');
    expect(partner!.text).toContain('17 December 2026 at 17:30');
    expect(owner!.text).toContain(`It ran for 2 weeks; ${handedOver} of 4 tasks had been handed over.`);
    expect(owner!.text).toContain('please talk to Ledgerly Outsourcing directly');
    expect(partner!.text).toContain('please talk to Maria Santos directly');
    expect(owner!.html).toContain('No further work will be released');
  });

  it('does not count what the last week left unfinished as handed over, as the summary does not', () => {
    const unfinished = week2.tasks[0]!.taskId;
    const released = new Set([...week1.tasks, ...week2.tasks].map((t) => t.taskId)).size;

    const [owner] = cancelledEmails(
      plan,
      [week1, { ...week2, unfinishedTaskIds: [unfinished] }],
      CANCELLED_AT,
    );

    expect(owner!.text).toContain(`It ran for 2 weeks; ${released - 1} of 4 tasks had been handed over.`);
  });

  it('says so when nothing had been handed over yet', () => {
    const [owner] = cancelledEmails(plan, [], CANCELLED_AT);
    expect(owner!.text).toContain('It was cancelled before any work was handed over.');
  });

  it('says why when onramp cancelled it because the pause lasted too long, and how the owner can go on', () => {
    // Paused on Thursday 17 December 2026, 16:00 in Berlin; not resumed by Monday 8 March 2027, 15:00.
    const pause = { pausedAt: '2026-12-17T15:00:00.000Z', resumeBy: '2027-03-08T14:00:00.000Z' };
    const [owner, partner] = cancelledEmails(plan, [week1, week2], '2027-03-08T14:00:00.000Z', pause);

    expect([owner!.subject, partner!.subject]).toEqual([
      'Cancelled after a long pause: Bookkeeping handover to Ledgerly',
      'Cancelled after a long pause: Bookkeeping handover to Ledgerly',
    ]);
    expect(owner!.text).toContain(
      `It had been paused since ${formatDateTime(pause.pausedAt, 'Europe/Berlin')} and was not resumed by ` +
        `${formatDateTime(pause.resumeBy, 'Europe/Berlin')}, the last moment it could be: an onboarding runs for at most a year`,
    );
    expect(partner!.text).toContain(`not resumed by ${formatDateTime(pause.resumeBy, 'Asia/Manila')}`);
    expect(owner!.text).toContain('To carry on, start a new onboarding with the work that is left.');
    expect(partner!.text).not.toContain('start a new onboarding');
    expect(partner!.replyTo).toEqual(['maria@santos-advisory.example']);
  });

  it('escapes the plan’s text in the HTML part', () => {
    const hostile = planFixture({ title: '<script>alert(1)</script> "&\'' });
    const [owner] = cancelledEmails(hostile, [], CANCELLED_AT);

    expect(owner!.html).not.toContain('<script');
    expect(owner!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp;&#39;');
    expect(owner!.text).toContain('<script>alert(1)</script>');
  });
});
