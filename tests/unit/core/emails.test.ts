import { describe, expect, it } from 'vitest';
import { failureEmails } from '#core/emails/failure';
import { kickoffEmails } from '#core/emails/kickoff';
import type { EmailMessage } from '#core/emails/message';
import { batchEmail, type CheckinOptions, checkinEmails } from '#core/emails/weekly';
import { summaryEmail } from '#core/emails/wrap-up';
import type { Plan } from '#core/plan';
import { planFixture, taskFixture, weekRecordFixture } from './fixtures.ts';

const OPERATOR = 'ops@onramp.example';

/**
 * Stand-ins for the check-in's signed rating links (each names the side, rating and address it was
 * made for; tests/unit/core/checkin-email.test.ts checks real ones), and its sender and time.
 */
const checkinOptions: CheckinOptions = {
  ratingLink: (recipient, rating) =>
    `https://links.onramp.example/links/${recipient.role}.${rating}.${encodeURIComponent(recipient.to[0]!)}`,
  sender: 'onramp@onramp.example',
  now: '2026-12-10T14:00:00.000Z',
};

/** Every email the workflow can send for a plan, labelled for test names. */
function everyEmail(plan: Plan): { label: string; message: EmailMessage }[] {
  const week1 = weekRecordFixture(plan, 1, 0);
  const week2 = weekRecordFixture(
    plan,
    2,
    1,
    week1.tasks.map((t) => t.taskId),
  );
  const [kickoffOwner, kickoffPartner] = kickoffEmails(plan);
  const [checkinOwner, checkinPartner] = checkinEmails(plan, week1, checkinOptions);
  const [failureOwner, failureOperator] = failureEmails({
    onboardingId: plan.id,
    errorName: 'TransientError',
    plan,
    operatorEmail: OPERATOR,
  });
  return [
    { label: 'kickoff to the owner', message: kickoffOwner! },
    { label: 'kickoff to the partner', message: kickoffPartner! },
    { label: 'batch', message: batchEmail(plan, week1) },
    { label: 'check-in to the owner', message: checkinOwner! },
    { label: 'check-in to the partner', message: checkinPartner! },
    { label: 'summary', message: summaryEmail(plan, [week1, week2]) },
    { label: 'failure to the owner', message: failureOwner! },
    { label: 'failure to the operator', message: failureOperator! },
  ];
}

/** Task lines of a text part, e.g. `P1 · Reconcile bank feeds (3 hours every week)`. */
function taskLines(text: string): string[] {
  return [...text.matchAll(/^- (P\d · .*)$/gm)].map((m) => m[1]!);
}

describe('every email', () => {
  it.each(everyEmail(planFixture()))('$label has a text part and an HTML document', ({ message }) => {
    expect({ text: message.text.length > 0, html: message.html.startsWith('<!doctype html>') }).toEqual({
      text: true,
      html: true,
    });
  });

  it.each(everyEmail(planFixture()))('$label greets its reader in both parts', ({ message }) => {
    const greeting = message.text.split('\n')[0]!;

    expect(message.html).toContain(greeting);
  });
});

describe('escaping of plan text', () => {
  const hostile = '<script>alert(1)</script> "&\'';
  const plan = planFixture({
    title: `Handover ${hostile}`,
    owner: { name: `Maria ${hostile}`, email: 'maria@santos-advisory.example', timeZone: 'Europe/Berlin' },
    partner: { name: `Ledgerly ${hostile}`, emails: ['team@ledgerly.example'], timeZone: 'Asia/Manila' },
    tasks: [
      taskFixture({
        id: 'bank-feeds',
        title: `Reconcile ${hostile}`,
        deliverable: `Matched ${hostile}`,
        acceptanceCriteria: [`Reviewed ${hostile}`],
        priority: 1,
        effort: 3,
        recurring: true,
      }),
      taskFixture({ id: 'audit-prep', title: `Audit ${hostile}`, priority: 5, effort: 16 }),
    ],
  });
  const emails = everyEmail(plan);

  it.each(emails)('$label escapes markup in the HTML part', ({ message }) => {
    expect(message.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it.each(emails)('$label has no raw <script in the HTML part', ({ message }) => {
    expect(message.html).not.toContain('<script');
  });

  it.each(emails)('$label escapes quotes and ampersands in the HTML part', ({ message }) => {
    expect({
      escaped: message.html.includes('&quot;&amp;&#39;'),
      raw: message.html.includes('"&\''),
    }).toEqual({
      escaped: true,
      raw: false,
    });
  });

  it.each(emails)('$label keeps the literal characters in the text part', ({ message }) => {
    expect(message.text).toContain(hostile);
  });
});

describe('kickoffEmails', () => {
  const plan = planFixture({
    tasks: [
      taskFixture({ id: 'payroll-inputs', title: 'Collect payroll inputs', priority: 3, effort: 6 }),
      taskFixture({
        id: 'bank-feeds',
        title: 'Reconcile bank feeds',
        deliverable: 'Every bank transaction matched to a ledger entry',
        acceptanceCriteria: ['No unreconciled items older than 5 days', 'Suspense balance explained'],
        priority: 1,
        effort: 3,
        recurring: true,
      }),
      taskFixture({ id: 'sales-invoices', title: 'Issue sales invoices', priority: 2, effort: 1 }),
    ],
  });
  const [toOwner, toPartner] = kickoffEmails(plan);

  it('writes to the owner and to every partner address, each replying to the other side', () => {
    expect([toOwner, toPartner].map((m) => ({ role: m!.role, to: m!.to, replyTo: m!.replyTo }))).toEqual([
      { role: 'owner', to: ['maria@santos-advisory.example'], replyTo: ['team@ledgerly.example'] },
      {
        role: 'partner',
        to: ['team@ledgerly.example', 'lead@ledgerly.example'],
        replyTo: ['maria@santos-advisory.example'],
      },
    ]);
  });

  it('lists the tasks highest priority first, with effort', () => {
    expect(taskLines(toPartner!.text)).toEqual([
      'P1 · Reconcile bank feeds (3 hours every week)',
      'P2 · Issue sales invoices (1 hour)',
      'P3 · Collect payroll inputs (6 hours)',
    ]);
  });

  it('gives each task its deliverable and acceptance criteria', () => {
    expect(toPartner!.text).toContain(
      [
        '- P1 · Reconcile bank feeds (3 hours every week)',
        '    Deliverable: Every bank transaction matched to a ledger entry',
        '    Accepted when: No unreconciled items older than 5 days; Suspense balance explained',
      ].join('\n'),
    );
  });

  it('shows the partner in Manila the winter check-in at 22:00, their own time', () => {
    expect(toPartner!.text).toMatch(/^1 .*Thursday.*10 December 2026.*22:00/m);
  });

  it('shows the owner in Berlin the same check-in at 15:00', () => {
    expect(toOwner!.text).toMatch(/^1 .*Thursday.*10 December 2026.*15:00/m);
  });

  it('says in which time zone the check-in times are shown', () => {
    expect([toOwner!.text, toPartner!.text]).toEqual([
      expect.stringContaining('Times are shown in Europe/Berlin.'),
      expect.stringContaining('Times are shown in Asia/Manila.'),
    ]);
  });

  it('lists one dated check-in per week of the plan', () => {
    const rows = toPartner!.text.match(/^\d+ +\w+day.*\d\d:\d\d/gm);

    expect(rows).toHaveLength(plan.weeks);
  });

  it('shows every stage of the ramp with its weekly cap', () => {
    expect(toOwner!.text).toMatch(/^1 +10% +4 hours$/m);
  });
});

describe('batchEmail', () => {
  it('lists the tasks new this week for the partner', () => {
    const plan = planFixture();

    const email = batchEmail(plan, weekRecordFixture(plan, 1, 0));

    expect({ to: email.to, tasks: taskLines(email.text) }).toEqual({
      to: ['team@ledgerly.example', 'lead@ledgerly.example'],
      tasks: ['P1 · Reconcile bank feeds (3 hours every week)', 'P1 · File expense receipts (1 hour)'],
    });
  });

  it('names the recurring work that continues from earlier weeks', () => {
    const plan = planFixture();

    const email = batchEmail(plan, weekRecordFixture(plan, 2, 1, ['bank-feeds', 'receipts']));

    expect(email.text).toContain('Continuing weekly work (3 hours): Reconcile bank feeds.');
  });

  it('explains that a task larger than the cap is released alone', () => {
    const plan = planFixture({
      tasks: [
        taskFixture({ id: 'audit-prep', title: 'Prepare the year-end audit file', priority: 1, effort: 16 }),
        taskFixture({ id: 'receipts', title: 'File expense receipts', priority: 2, effort: 1 }),
      ],
    });

    const email = batchEmail(plan, weekRecordFixture(plan, 1, 0));

    expect(email.text).toContain(
      '"Prepare the year-end audit file" is larger than this stage\'s whole cap, so it is released alone this week and you get nothing else new.',
    );
  });

  it('says so when a week brings no new tasks', () => {
    const plan = planFixture();
    const everything = plan.tasks.map((t) => t.id);

    const email = batchEmail(plan, weekRecordFixture(plan, 3, 2, everything));

    expect(email.text).toContain('No new tasks this week');
  });

  it('dates the check-in in the partner’s time zone', () => {
    const plan = planFixture();

    const email = batchEmail(plan, weekRecordFixture(plan, 1, 0));

    expect(email.text).toMatch(/We check in on Thursday.*10 December 2026.*22:00/);
  });
});

// The check-in email's own tests: tests/unit/core/checkin-email.test.ts.

describe('summaryEmail', () => {
  const plan = planFixture();
  const week1 = weekRecordFixture(plan, 1, 0);
  const week2 = weekRecordFixture(plan, 2, 1, ['bank-feeds', 'receipts']);
  const week3 = weekRecordFixture(plan, 3, 2, ['bank-feeds', 'receipts', 'supplier-invoices']);

  it('draws one bar per week in the HTML part', () => {
    const email = summaryEmail(plan, [week1, week2, week3]);

    expect(email.html.match(/role="img"/g)).toHaveLength(3);
  });

  it('draws one bar row per week in the text part', () => {
    const email = summaryEmail(plan, [week1, week2, week3]);

    expect(email.text.match(/^Week \d+ \(.*#/gm)).toHaveLength(3);
  });

  it('goes to the owner only', () => {
    const email = summaryEmail(plan, [week1, week2, week3]);

    expect({ role: email.role, to: email.to }).toEqual({
      role: 'owner',
      to: ['maria@santos-advisory.example'],
    });
  });

  it('lists the tasks that were not handed over', () => {
    const email = summaryEmail(plan, [week1]);

    expect(email.text).toContain(
      'Not handed over\n---------------\n\n- P2 · Enter supplier invoices\n- P2 · Prepare the weekly payment run',
    );
  });

  it('leaves out the "not handed over" section when everything was handed over', () => {
    const email = summaryEmail(plan, [week1, week2, week3]);

    expect(email.text).not.toContain('Not handed over');
  });

  it('says a last week’s task was left unfinished only when the owner said so, else not confirmed done', () => {
    const last = { ...week3, unfinishedTaskIds: ['supplier-invoices'] };
    const ownerAnswered = {
      week: 3,
      role: 'owner' as const,
      rating: 3,
      unfinishedTaskIds: ['supplier-invoices'],
      source: 'link' as const,
      at: '2026-12-17T15:00:00.000Z',
    };

    expect(summaryEmail(plan, [week1, week2, last], [ownerAnswered]).text).toContain(
      '- P2 · Enter supplier invoices (released, left unfinished)',
    );
    expect(summaryEmail(plan, [week1, week2, last], []).text).toContain(
      '- P2 · Enter supplier invoices (released, not confirmed done)',
    );
  });
});

describe('failureEmails', () => {
  const plan = planFixture();

  it('writes to the operator first, then the owner, when the plan is known', () => {
    const emails = failureEmails({
      onboardingId: plan.id,
      errorName: 'PlanInvalid',
      plan,
      operatorEmail: OPERATOR,
    });

    expect(emails.map((m) => ({ role: m.role, to: m.to }))).toEqual([
      { role: 'operator', to: [OPERATOR] },
      { role: 'owner', to: ['maria@santos-advisory.example'] },
    ]);
  });

  it('writes to the operator only when the plan could not be loaded', () => {
    const emails = failureEmails({
      onboardingId: 'ledgerly-q4',
      errorName: 'PlanInvalid',
      operatorEmail: OPERATOR,
    });

    expect(emails.map((m) => ({ role: m.role, to: m.to }))).toEqual([{ role: 'operator', to: [OPERATOR] }]);
  });

  it('names the error that stopped the workflow', () => {
    const [email] = failureEmails({
      onboardingId: 'ledgerly-q4',
      errorName: 'TransientError',
      operatorEmail: OPERATOR,
    });

    expect(email!.text).toContain('stopped on an error: TransientError.');
  });

  it('shows the error name only, never a cause the caller happens to pass along', () => {
    const fromCatch: Parameters<typeof failureEmails>[0] & { cause: string } = {
      onboardingId: 'ledgerly-q4',
      errorName: 'TransientError',
      operatorEmail: OPERATOR,
      cause: 'ThrottlingException at arn:aws:dynamodb:eu-central-1:123456789012:table/Onramp',
    };

    const emails = failureEmails(fromCatch);

    expect(emails.flatMap((m) => [m.subject, m.text, m.html]).join('\n')).not.toMatch(/Throttling|arn:aws/);
  });
});
