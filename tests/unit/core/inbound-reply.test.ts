import { describe, expect, it } from 'vitest';
import { refusedReply, startedReply } from '#core/emails/inbound-reply';
import { planFixture } from './fixtures.ts';

const addresses = { to: 'maria@santos-advisory.example', inboundAddress: 'plans@onramp.example' };
const plan = planFixture();
const attachment = { from: 'attachment' as const, filename: 'ledgerly.yaml', text: '' };

describe('startedReply', () => {
  const reply = startedReply(addresses, {
    onboardingId: 'bookkeeping-handover-to-ledgerly-3f2a9c01de',
    created: true,
    plan,
    source: attachment,
    warnings: [],
  });

  it('goes to the sender, answerable at the inbound address, as an inbound reply', () => {
    expect(reply).toMatchObject({
      kind: 'inbound-reply',
      to: ['maria@santos-advisory.example'],
      replyTo: ['plans@onramp.example'],
      subject: 'Started: Bookkeeping handover to Ledgerly',
    });
  });

  it('gives the onboarding id and where the plan was read from', () => {
    expect(reply.text).toContain('bookkeeping-handover-to-ledgerly-3f2a9c01de');
    expect(reply.text).toContain('from the plan in the attachment ledgerly.yaml');
  });

  it('shows the ramp as stage percentages of the full weekly volume, with each stage’s cap', () => {
    expect(reply.text).toContain('10% → 25% → 50% → 75% → 100% of 40 hours a week');
    expect(reply.text).toMatch(/^3 +50% +20 hours$/m);
  });

  it('dates the start and the first check-in in the owner’s time zone', () => {
    // The plan starts Monday 7 December 2026; the first Thursday two business days on is the 10th.
    expect(reply.text).toMatch(/^Work starts +Mon, 7 Dec 2026$/m);
    expect(reply.text).toMatch(/^First check-in +Thursday, 10 December 2026 at 15:00 Berlin time$/m);
  });

  it('says when the onboarding existed already and nothing new was started', () => {
    // Act
    const again = startedReply(addresses, {
      onboardingId: plan.id,
      created: false,
      plan,
      source: attachment,
      warnings: [],
    });

    // Assess
    expect(again.subject).toBe('Already started: Bookkeeping handover to Ledgerly');
    expect(again.text).toContain('was started before, from the same plan; nothing new was started');
  });

  it('passes on the plan’s warnings', () => {
    // Act
    const warned = startedReply(addresses, {
      onboardingId: plan.id,
      created: true,
      plan,
      source: { from: 'body', text: '' },
      warnings: [{ path: 'tasks', message: '1 task (audit) cannot be released within 7 weeks' }],
    });

    // Assess
    expect(warned.text).toContain('- tasks\n    1 task (audit) cannot be released within 7 weeks');
    expect(warned.text).toContain('from the plan in the body of your email');
  });

  it('escapes the plan’s text in the HTML part', () => {
    // Act
    const html = startedReply(addresses, {
      onboardingId: plan.id,
      created: true,
      plan: { ...plan, title: 'Books <script>alert(1)</script>' },
      source: attachment,
      warnings: [],
    }).html;

    // Assess
    expect(html).toContain('Books &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });
});

describe('refusedReply', () => {
  const problems = [
    { path: 'owner.email', message: 'not a valid email address: "maria<at>santos-advisory.example"' },
    {
      path: 'tasks[1].dependsOn[0]',
      message: 'unknown task "payroll-run"; known: payslips, pension-filings',
    },
  ];
  const reply = refusedReply(addresses, { subject: 'Payroll handover plan', problems, source: attachment });

  it('goes to the sender, answerable at the inbound address, and says nothing started', () => {
    expect(reply).toMatchObject({
      kind: 'inbound-reply',
      to: ['maria@santos-advisory.example'],
      replyTo: ['plans@onramp.example'],
      subject: 'Not started: Payroll handover plan',
    });
    expect(reply.text).toContain(
      'nothing was started from your email "Payroll handover plan": the plan in the attachment ledgerly.yaml has these 2 problems.',
    );
  });

  it('lists every problem with its path in the plan', () => {
    expect(reply.text).toContain(
      '- owner.email\n    not a valid email address: "maria<at>santos-advisory.example"',
    );
    expect(reply.text).toContain(
      '- tasks[1].dependsOn[0]\n    unknown task "payroll-run"; known: payslips, pension-filings',
    );
  });

  it('escapes the problems in the HTML part', () => {
    expect(reply.html).toContain('maria&lt;at&gt;santos-advisory.example');
    expect(reply.html).not.toContain('maria<at>');
  });

  it('says how to send a plan that works, and where', () => {
    expect(reply.text).toContain(
      'send the plan again to plans@onramp.example, as an attachment (.yaml, .yml or .json)',
    );
  });

  it('names a problem with the email itself, without a path', () => {
    // Act
    const noPlan = refusedReply(addresses, {
      subject: '  ',
      problems: [{ path: '', message: 'no plan found: attach it as a .yaml, .yml or .json file' }],
    });

    // Assess
    expect(noPlan.subject).toBe('Not started: your plan');
    expect(noPlan.text).toContain('nothing was started from your email "your plan" because of this problem.');
    expect(noPlan.text).toContain('- no plan found: attach it as a .yaml, .yml or .json file');
  });
});
