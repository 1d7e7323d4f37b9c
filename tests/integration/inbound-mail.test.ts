import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InboundReplies } from '#adapters/inbound-replies';
import { formatDateTime } from '#core/calendar';
import { messageKey, normalizeMessageId } from '#core/inbound-plan';
import { digestOf } from '#core/plan-digest';
import { weekSchedule } from '#core/schedule';
import { titleSlug } from '#core/validate-plan';
import {
  configureLocalInbound,
  deliverLocally,
  describeDelivery,
  LOCAL_INBOUND_ADDRESS,
  type LocalDelivery,
} from '#local/inbound';
import type { ReceivedEmail } from '#local/mailbox';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { SCENARIOS } from '#local/scenarios';
import { untilStopped } from './helpers.ts';

// Starting by email on the local runtime: each fixture is a raw message as SES would store it,
// fed through the inbound function's code (local/inbound.ts builds the receipt event from it).

const fixture = (name: string) => readFileSync(`tests/fixtures/mail/${name}`);

/** The Message-ID of a fixture, as its header gives it. */
const MESSAGE_IDS = {
  yaml: '<CAK7x9Qm2pX4vN8r1tLw5sYb3=Hd6fJ0gZ@mail.santos-advisory.example>',
  body: '<8f14e45f-ceea-467f-a9f0-5c1b2d3e4f60@hollowoak-coffee.example>',
  notAllowed: '<20270115120001.3F2A1C0042@smtp.unknown-startup.example>',
  forged: '<forged-0001@mailer.bulk-sender.example>',
  badPlan: '<CAK7x9Qm5tY8zB2e4gJk6nQs9=Vw1cE3hM@mail.santos-advisory.example>',
  quotedReply: '<CAK7x9Qm3bT6eG9hJ2kL5nP8=Rw4xC7vN0@mail.santos-advisory.example>',
  windows1252: '<BN8PR11MB3620B2C3D4E5F6A7B8C9D0E1F2A3B@BN8PR11MB3620.namprd11.prod.outlook.example>',
  twoPlans: '<CAK7x9Qm8wR3uE6hN1pZ4sLd7=Kf2bT9vY@mail.santos-advisory.example>',
  notUtf8: '<0c9d8e7f-1a2b-4c3d-9e8f-7a6b5c4d3e2f@hollowoak-coffee.example>',
  zipped: '<CAK7x9Qm1aS4dF7gH0jK3lZ6=Xc9vB2nM5@mail.santos-advisory.example>',
  unknownAlias: '<BN8PR11MB3620C3D4E5F6A7B8C9D0E1F2A3B4C@BN8PR11MB3620.namprd11.prod.outlook.example>',
};

/** The id an emailed plan without its own id gets: its title's slug and a digest of its Message-ID. */
const idFor = (title: string, messageId: string) =>
  `${titleSlug(title)}-${digestOf({ deliveryId: normalizeMessageId(messageId) }, 'hex').slice(0, 8)}`;

let runtime: LocalRuntime;
let replies: InboundReplies;

beforeAll(async () => {
  runtime = await startLocalRuntime();
  configureLocalInbound();
  const { inboundRepliesFromEnvironment } = await import('#adapters/from-environment');
  replies = inboundRepliesFromEnvironment(process.env);
});
afterAll(async () => {
  // The onboardings started here run to their end (scripted answers) before the emulators stop.
  await Promise.all([...(runtime?.stepFunctions.executions.values() ?? [])].map((e) => untilStopped(e)));
  await runtime?.stop();
});

/** Every reply to an inbound message the SES emulator received for `address`. */
async function repliesTo(address: string): Promise<ReceivedEmail[]> {
  return (await runtime.mailbox.list()).filter(
    (m) => m.destination.to.includes(address) && m.replyTo.includes(LOCAL_INBOUND_ADDRESS),
  );
}

/** Whether anything was started under `id`: an onboarding item or an execution. */
async function startedUnder(id: string): Promise<{ onboarding: boolean; execution: boolean }> {
  return {
    onboarding: (await runtime.store.findOnboarding(id)) !== undefined,
    execution: runtime.stepFunctions.executions.has(id),
  };
}

describe('a plan attached as YAML, from an allow-listed owner', () => {
  const id = idFor('Bookkeeping handover to Ledgerly', MESSAGE_IDS.yaml);
  let delivery: LocalDelivery;

  beforeAll(async () => {
    runtime.simulation.play(id, SCENARIOS.steady!);
    delivery = await deliverLocally(runtime, fixture('plan-yaml-attachment.eml'));
  });

  it('starts an onboarding named by the plan’s title and the Message-ID', async () => {
    expect(delivery.outcome).toEqual({ outcome: 'started', onboardingId: id, created: true, replied: true });
    const onboarding = await runtime.store.getOnboarding(id);
    expect(onboarding.plan).toMatchObject({
      title: 'Bookkeeping handover to Ledgerly',
      owner: { email: 'maria@santos-advisory.example' },
    });
    expect(onboarding.plan.tasks.map((t) => t.id)).toEqual(['bank-feeds', 'receipts', 'supplier-invoices']);
    expect(runtime.stepFunctions.get(id).input).toContain(id);
  });

  it('replies to the sender with the id, the ramp and the first check-in in the owner’s time zone', async () => {
    // Prepare
    const { plan } = await runtime.store.getOnboarding(id);
    const firstCheckin = formatDateTime(weekSchedule(plan, 1).checkinAt, 'Europe/Berlin');

    // Act
    const [reply, ...more] = await repliesTo('maria@santos-advisory.example');

    // Assess
    expect(more.filter((m) => m.subject.startsWith('Started'))).toEqual([]);
    expect(reply).toMatchObject({
      from: 'onramp@onramp.local',
      subject: 'Started: Bookkeeping handover to Ledgerly',
    });
    expect(reply!.body.text).toContain(id);
    expect(reply!.body.text).toContain('from the plan in the attachment ledgerly-handover.yaml');
    expect(reply!.body.text).toContain('10% → 25% → 50% → 75% → 100% of 20 hours a week');
    expect(reply!.body.text).toMatch(new RegExp(`^First check-in +${firstCheckin}$`, 'm'));
  });

  it('records the reply against the Message-ID, with its SES message id and no address', async () => {
    const record = await replies.find(messageKey(MESSAGE_IDS.yaml));
    expect(record).toMatchObject({ state: 'sent', outcome: 'started', onboardingId: id });
    expect(record!.messageId).toBe(delivery.reply!.messageId);
    expect(JSON.stringify(record)).not.toContain('@');
  });
});

describe('a plan attached as JSON with its own id, delivered twice at once (SES retrying)', () => {
  let deliveries: LocalDelivery[];

  beforeAll(async () => {
    const raw = fixture('plan-json-attachment.eml');
    runtime.simulation.play('booking-app-maintenance', SCENARIOS.steady!);
    deliveries = await Promise.all([deliverLocally(runtime, raw), deliverLocally(runtime, raw)]);
  });

  it('starts one onboarding under the plan’s own id', async () => {
    expect(deliveries.map((d) => d.outcome)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'started', onboardingId: 'booking-app-maintenance' }),
      ]),
    );
    const onboarding = await runtime.store.getOnboarding('booking-app-maintenance');
    expect(onboarding.plan.owner.email).toBe('dana@northbeam-digital.example');
    expect([...runtime.stepFunctions.executions.keys()].filter((n) => n.startsWith('booking-app'))).toEqual([
      'booking-app-maintenance',
    ]);
  });

  it('replies once, dating the first check-in in New York', async () => {
    // Prepare
    const { plan } = await runtime.store.getOnboarding('booking-app-maintenance');
    const firstCheckin = formatDateTime(weekSchedule(plan, 1).checkinAt, 'America/New_York');

    // Act
    const sent = await repliesTo('dana@northbeam-digital.example');

    // Assess
    expect(sent.map((m) => m.subject)).toEqual(['Started: Booking app maintenance by Tiago Costa']);
    expect(sent[0]!.body.text).toContain('from the plan in the attachment booking-app-plan.json');
    expect(firstCheckin).toMatch(/^Tuesday, .* at 11:00 New York time$/);
    expect(sent[0]!.body.text).toMatch(new RegExp(`^First check-in +${firstCheckin}$`, 'm'));
    expect(deliveries.filter((d) => 'replied' in d.outcome && d.outcome.replied)).toHaveLength(1);
  });
});

describe('a plan in the body, then the same message (the same Message-ID) delivered again', () => {
  const id = idFor('Customer support handover to Bayside Support', MESSAGE_IDS.body);
  let first: LocalDelivery;
  let second: LocalDelivery;

  beforeAll(async () => {
    runtime.simulation.play(id, SCENARIOS.steady!);
    first = await deliverLocally(runtime, fixture('plan-in-body.eml'));
    second = await deliverLocally(runtime, fixture('plan-in-body-redelivered.eml'));
  });

  it('reads the plan from the quoted-printable body, without the signature', async () => {
    expect(first.outcome).toEqual({ outcome: 'started', onboardingId: id, created: true, replied: true });
    const { plan } = await runtime.store.getOnboarding(id);
    expect(plan.tasks[0]!.acceptanceCriteria[0]).toBe('Tone matches the Café Voice guide');
    expect(first.reply!.body.text).toContain('from the plan in the body of your email');
  });

  it('does nothing the second time: one onboarding, one execution, one reply', async () => {
    expect(second.outcome).toEqual({ outcome: 'already-answered', onboardingId: id });
    expect(second.reply).toBeUndefined();
    expect(await repliesTo('priya@hollowoak-coffee.example')).toHaveLength(1);
    expect(
      [...runtime.stepFunctions.executions.keys()].filter((n) => n.startsWith('customer-support')),
    ).toEqual([id]);
  });
});

describe('a file that is not an email, given to onramp inbound', () => {
  it('is dropped, and the command says what to check rather than only the reason', async () => {
    const delivery = await deliverLocally(runtime, Buffer.from('title: not an email\n'));

    expect(delivery.outcome).toEqual({ outcome: 'dropped', reasons: ['from-unreadable'] });
    expect(describeDelivery(delivery)).toContain(
      'No single From address could be read: is the file a raw email (.eml)? For one without a From, pass --from ADDRESS.',
    );
  });
});

describe('a sender not on the allow-list', () => {
  let delivery: LocalDelivery;

  beforeAll(async () => {
    delivery = await deliverLocally(runtime, fixture('sender-not-allowed.eml'));
  });

  it('is dropped without a reply', async () => {
    expect(delivery.outcome).toEqual({ outcome: 'dropped', reasons: ['sender-not-allowed'] });
    expect(await repliesTo('sam@unknown-startup.example')).toEqual([]);
  });

  it('starts nothing and records nothing', async () => {
    const id = idFor('Bookkeeping handover for Keller Labs', MESSAGE_IDS.notAllowed);
    expect(await startedUnder(id)).toEqual({ onboarding: false, execution: false });
    expect(await replies.find(messageKey(MESSAGE_IDS.notAllowed))).toBeUndefined();
  });
});

describe('an allow-listed From whose DKIM check failed (a forged sender)', () => {
  let delivery: LocalDelivery;
  let before: ReceivedEmail[];

  beforeAll(async () => {
    before = await repliesTo('maria@santos-advisory.example');
    delivery = await deliverLocally(runtime, fixture('dkim-fail.eml'));
  });

  it('takes the verdicts SES recorded in the message', () => {
    expect(delivery.verdictsFromMessage.sort()).toEqual(['dkim', 'dmarc', 'spam', 'spf', 'virus']);
    expect(delivery.event.Records[0]!.ses.receipt.dkimVerdict).toEqual({ status: 'FAIL' });
  });

  it('is dropped without a reply to the address it names', async () => {
    expect(delivery.outcome).toEqual({ outcome: 'dropped', reasons: ['dkim-FAIL', 'dmarc-FAIL'] });
    expect(await repliesTo('maria@santos-advisory.example')).toHaveLength(before.length);
  });

  it('starts nothing and records nothing', async () => {
    const id = idFor('Bookkeeping handover to Ledgerly', MESSAGE_IDS.forged);
    expect(await startedUnder(id)).toEqual({ onboarding: false, execution: false });
    expect(await replies.find(messageKey(MESSAGE_IDS.forged))).toBeUndefined();
  });
});

describe('the receipt event exactly as SES sends it (tests/events/ses-receipt-dkim-fail.json)', () => {
  it('drops a failed DKIM verdict before the message is read', async () => {
    // Prepare
    const event = JSON.parse(readFileSync('tests/events/ses-receipt-dkim-fail.json', 'utf8'));
    const { receiveMail } = await import('#handlers/receive-mail');
    const read = vi.fn(async () => fixture('dkim-fail.eml'));

    // Act
    const outcomes = await receiveMail(event, { read });

    // Assess
    expect(outcomes).toEqual([{ outcome: 'dropped', reasons: ['dkim-FAIL', 'dmarc-FAIL'] }]);
    expect(read).not.toHaveBeenCalled();
  });

  it('refuses a malformed event without reading or writing anything', async () => {
    // Prepare
    const { receiveMail } = await import('#handlers/receive-mail');
    const read = vi.fn(async () => fixture('plan-yaml-attachment.eml'));

    // Act
    const receiving = receiveMail({ Records: [{ eventSource: 'aws:sns' }] }, { read });

    // Assess
    await expect(receiving).rejects.toMatchObject({ name: 'ZodError' });
    expect(read).not.toHaveBeenCalled();
  });
});

describe('a plan with mistakes, sent twice', () => {
  const id = idFor('Payroll handover to Ledgerly', MESSAGE_IDS.badPlan);
  let first: LocalDelivery;
  let second: LocalDelivery;

  beforeAll(async () => {
    first = await deliverLocally(runtime, fixture('bad-plan.eml'));
    second = await deliverLocally(runtime, fixture('bad-plan.eml'));
  });

  it('is refused with every problem and its path', () => {
    expect(first.outcome).toMatchObject({ outcome: 'refused', replied: true });
    expect(first.outcome.outcome === 'refused' && first.outcome.problems.map((p) => p.path)).toEqual([
      'owner.email',
      'owner.timeZone',
      'tasks[1].dependsOn[0]',
      'ramp.curve[2]',
    ]);
  });

  it('replies once, listing the problems with their paths, escaped in the HTML part', async () => {
    // Act
    const sent = (await repliesTo('maria@santos-advisory.example')).filter((m) =>
      m.subject.startsWith('Not started'),
    );

    // Assess
    expect(sent.map((m) => m.subject)).toEqual(['Not started: Payroll handover plan']);
    const { text, html } = sent[0]!.body;
    expect(text).toContain('the plan in the attachment payroll.yaml has these 4 problems');
    expect(text).toContain(
      '- owner.email\n    not a valid email address: "maria<at>santos-advisory.example"',
    );
    expect(text).toContain('- owner.timeZone\n    unknown IANA time zone "Mars/Olympus"');
    expect(text).toContain('- tasks[1].dependsOn[0]\n    unknown task "payroll-run"');
    // One mistake hides no other: the ramp is checked beside the owner's errors.
    expect(text).toContain("- ramp.curve[2]\n    25% is below the previous stage's 50%; a ramp never falls");
    expect(html).toContain('maria&lt;at&gt;santos-advisory.example');
    expect(html).not.toContain('maria<at>');
    expect(second.outcome).toEqual({ outcome: 'already-answered' });
  });

  it('writes no onboarding and starts nothing; only the reply is recorded', async () => {
    expect(await startedUnder(id)).toEqual({ onboarding: false, execution: false });
    expect(await runtime.store.listEmails(id)).toEqual([]);
    expect(await replies.find(messageKey(MESSAGE_IDS.badPlan))).toMatchObject({
      state: 'sent',
      outcome: 'refused',
    });
  });
});

describe('--from: the same message as if another address had sent it', () => {
  it('checks that address against the allow-list', async () => {
    // Act
    const delivery = await deliverLocally(runtime, fixture('plan-yaml-attachment.eml'), {
      from: 'someone@elsewhere.example',
    });

    // Assess
    expect(delivery.sender).toBe('someone@elsewhere.example');
    expect(delivery.outcome).toEqual({ outcome: 'dropped', reasons: ['sender-not-allowed'] });
  });
});

// The cases below send mail from the allow-listed owners of the examples, as those above do;
// they come last, so that the counts of replies above are not theirs to include.

describe('a reply to "Not started" with the corrected plan in the body, above the quoted email', () => {
  const id = idFor('Payroll handover to Ledgerly', MESSAGE_IDS.quotedReply);
  let delivery: LocalDelivery;

  beforeAll(async () => {
    runtime.simulation.play(id, SCENARIOS.steady!);
    delivery = await deliverLocally(runtime, fixture('plan-reply-quoted.eml'));
  });

  it('starts the corrected plan: the quoted email and the signature are not read as part of it', async () => {
    expect(delivery.outcome).toEqual({ outcome: 'started', onboardingId: id, created: true, replied: true });
    expect(delivery.reply!.subject).toBe('Started: Payroll handover to Ledgerly');
    expect(delivery.reply!.body.text).toContain('from the plan in the body of your email');
  });

  it('keeps the plan’s own block scalars, the lines in them that start with ">" included', async () => {
    const { plan } = await runtime.store.getOnboarding(id);
    expect(plan.tasks.map((t) => t.deliverable)).toEqual([
      "The month's payroll run in the payroll system, left unsubmitted for Maria to approve",
      'Payslips for every employee, each with the note:\n> Questions about this payslip go to payroll@santos-advisory.example',
      'Contributions filed with the pension fund',
    ]);
  });
});

describe('a plan attached by Outlook in windows-1252', () => {
  const id = idFor('Website upkeep by Jürgen Müller', MESSAGE_IDS.windows1252);
  let delivery: LocalDelivery;

  beforeAll(async () => {
    runtime.simulation.play(id, SCENARIOS.steady!);
    delivery = await deliverLocally(runtime, fixture('plan-windows-1252.eml'));
  });

  it('is read in the charset it declares: names and criteria stored as written', async () => {
    expect(delivery.outcome).toMatchObject({ outcome: 'started', onboardingId: id });
    const { plan } = await runtime.store.getOnboarding(id);
    expect(plan.partner.name).toBe('Jürgen Müller');
    expect(plan.tasks[0]!.acceptanceCriteria).toContain('Hosting stays under 40 € a month');
  });
});

describe('a plan that is not text in its charset, two plans in one email, a zipped plan', () => {
  let notUtf8: LocalDelivery;
  let twoPlans: LocalDelivery;
  let zipped: LocalDelivery;

  beforeAll(async () => {
    notUtf8 = await deliverLocally(runtime, fixture('plan-not-utf8.eml'));
    twoPlans = await deliverLocally(runtime, fixture('several-plan-attachments.eml'));
    zipped = await deliverLocally(runtime, fixture('plan-zipped.eml'));
  });

  it('refuses each with an answer, and starts nothing from any', async () => {
    for (const delivery of [notUtf8, twoPlans, zipped]) {
      expect(delivery.outcome).toMatchObject({ outcome: 'refused', replied: true });
      expect(delivery.reply!.subject).toMatch(/^Not started: /);
    }
    expect(await startedUnder(idFor('Weekend support by Café Crew', MESSAGE_IDS.notUtf8))).toEqual({
      onboarding: false,
      execution: false,
    });
    expect(await startedUnder(idFor('Weekend support by Caf\uFFFD Crew', MESSAGE_IDS.notUtf8))).toEqual({
      onboarding: false,
      execution: false,
    });
    expect(await startedUnder(idFor('Payroll handover to Ledgerly', MESSAGE_IDS.twoPlans))).toEqual({
      onboarding: false,
      execution: false,
    });
    expect(await startedUnder(idFor('Year-end close with Ledgerly', MESSAGE_IDS.twoPlans))).toEqual({
      onboarding: false,
      execution: false,
    });
  });

  it('tells the sender which plan files there were, or which file could not be read as text', () => {
    expect(twoPlans.reply!.body.text).toMatch(
      /several plan attachments: \S+\.ya?ml, \S+\.ya?ml; send one plan per email/,
    );
    expect(notUtf8.reply!.body.text).toMatch(/plan-[\w.-]+|\.ya?ml|\.json/);
  });

  it('tells the sender of a zipped plan that no plan was found, not that the covering note is a broken plan', () => {
    expect(zipped.reply!.body.text).toContain('no plan found');
    expect(zipped.reply!.body.text).not.toContain('must be a set of fields');
  });
});

describe('a plan whose alias refers to an anchor it does not have (YAML the parser throws on)', () => {
  let delivery: LocalDelivery;

  beforeAll(async () => {
    delivery = await deliverLocally(runtime, fixture('plan-unknown-alias.eml'));
  });

  it('is answered, not retried: refused with where the alias is', () => {
    expect(delivery.outcome).toEqual({
      outcome: 'refused',
      replied: true,
      problems: [
        {
          path: '',
          message:
            'line 10, column 25: the alias *review-criteria refers to no anchor; mark the value it repeats with &review-criteria before the alias, or write the value out',
        },
      ],
    });
    expect(delivery.reply!.body.text).toContain(
      'the plan in the attachment accessibility-plan.yaml has this problem',
    );
  });

  it('starts nothing', async () => {
    const id = idFor('Booking app accessibility fixes by Tiago Costa', MESSAGE_IDS.unknownAlias);
    expect(await startedUnder(id)).toEqual({ onboarding: false, execution: false });
  });
});

describe('a plan of 200 tasks, each depending on a task it does not have', () => {
  const tasks = Array.from(
    { length: 200 },
    (_, i) =>
      `  - { id: task-${i + 1}, title: Task ${i + 1}, deliverable: The task's deliverable, acceptanceCriteria: [Reviewed], priority: 3, effort: 1, dependsOn: [invoicing] }`,
  );
  const raw = Buffer.from(
    [
      'From: Priya Nair <priya@hollowoak-coffee.example>',
      'To: plans@onramp.local',
      'Subject: Two hundred tasks',
      'Date: Fri, 22 Jan 2027 09:00:00 +1100',
      'Message-ID: <two-hundred-tasks-0001@hollowoak-coffee.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'title: Two hundred tasks',
      'owner: { name: Priya Nair, email: priya@hollowoak-coffee.example, timeZone: Australia/Sydney }',
      'partner: { name: Bayside Support, emails: [lead@bayside-support.example], timeZone: Asia/Manila }',
      'ramp: { targetWeeklyVolume: 300 }',
      'tasks:',
      ...tasks,
      '',
    ].join('\r\n'),
  );
  let delivery: LocalDelivery;

  beforeAll(async () => {
    delivery = await deliverLocally(runtime, raw);
  });

  it('is refused with the first 100 problems and how many more there are', () => {
    const problems = delivery.outcome.outcome === 'refused' ? delivery.outcome.problems : [];
    expect(problems).toHaveLength(101);
    expect(problems.at(-1)).toEqual({ path: '', message: '…and 100 more problems', more: 100 });
  });

  it('gets a reply that lists them, a few kilobytes rather than megabytes', () => {
    const text = delivery.reply!.body.text!;
    expect(text.match(/unknown task "invoicing"; known: task-1, /g)).toHaveLength(100);
    expect(text).toContain('… and 190 more');
    expect(text).toContain('- …and 100 more problems');
    expect(text).toContain('these 200 problems');
    expect(text.length).toBeLessThan(50_000);
  });
});
