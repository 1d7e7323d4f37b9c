import { describe, expect, it } from 'vitest';
import { dueDiligenceVerdict } from '#core/due-diligence';
import { dueDiligenceEmail } from '#core/emails/due-diligence';
import { refusedReply } from '#core/emails/inbound-reply';
import { oneLine } from '#core/plain-text';
import { type PlanResult, validatePlan } from '#core/validate-plan';
import { NOW, planFixture, planInputFixture } from './fixtures.ts';

/** Characters that act instead of showing: a header break, an escape sequence, a right-to-left override. */
const CRLF_HEADER = 'Bookkeeping\r\nBcc: attacker@evil.example';
const ESCAPE = 'Reconcile \u001b[2J\u001b]0;pwned\u0007 the accounts';
const RTL_OVERRIDE = 'Ledgerly \u202etxt.exe';

function issuesOf(result: PlanResult) {
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.issues;
}

describe('plan text holds no character that acts rather than shows', () => {
  const fixture = planInputFixture();
  const task = fixture.tasks[0]!;

  it.each([
    { field: 'title', input: { ...fixture, title: CRLF_HEADER } },
    { field: 'owner.name', input: { ...fixture, owner: { ...fixture.owner, name: 'Maria\tSantos' } } },
    { field: 'owner.name', input: { ...fixture, owner: { ...fixture.owner, name: 'Maria\u2028Santos' } } },
    { field: 'partner.name', input: { ...fixture, partner: { ...fixture.partner, name: RTL_OVERRIDE } } },
    {
      field: 'tasks[0].title',
      input: { ...fixture, tasks: [{ ...task, title: ESCAPE }, ...fixture.tasks.slice(1)] },
    },
    {
      field: 'tasks[0].deliverable',
      input: { ...fixture, tasks: [{ ...task, deliverable: ESCAPE }, ...fixture.tasks.slice(1)] },
    },
    {
      field: 'references[0].company',
      input: {
        ...fixture,
        references: [{ name: 'Ana Lima', email: 'ana@lima.example', company: 'Lima\u0000' }],
      },
    },
  ])('refuses $field, saying what it may hold', ({ field, input }) => {
    const issues = issuesOf(validatePlan(input, { now: NOW }));

    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(field);
    expect(issues[0]!.message).toMatch(/plain text: no .*control characters.* bidirectional overrides/);
  });

  it('takes a deliverable over several lines, and right-to-left marks in a name', () => {
    const result = validatePlan(
      {
        ...fixture,
        owner: { ...fixture.owner, name: 'Maria Santos \u200f' },
        tasks: [
          {
            ...task,
            deliverable: 'Payslips for every employee,\nwith the note:\r\n\t> Questions go to payroll',
          },
          ...fixture.tasks.slice(1),
        ],
      },
      { now: NOW },
    );

    expect(result.ok).toBe(true);
  });
});

describe('oneLine', () => {
  it('makes every control character a space and runs of spaces one', () => {
    expect(oneLine(CRLF_HEADER)).toBe('Bookkeeping Bcc: attacker@evil.example');
    expect(oneLine(ESCAPE)).toBe('Reconcile [2J ]0;pwned the accounts');
    expect(oneLine(RTL_OVERRIDE)).toBe('Ledgerly txt.exe');
    expect(oneLine('Line\u2028separated')).toBe('Line separated');
  });

  it('keeps spaces other than the ones it made: no-break and ideographic', () => {
    expect(oneLine('会議\u3000メモ, 10\u00a0h')).toBe('会議\u3000メモ, 10\u00a0h');
  });
});

describe('user text in plain-text emails', () => {
  it('keeps a reference’s comment in its row of the due diligence table, not rows of its own', () => {
    // Prepare: a comment that draws a link line and a glowing reference of its own.
    const plan = planFixture({
      references: [
        { name: 'Ana Lima', email: 'ana@lima-books.example' },
        { name: 'Lee Park', email: 'lee@park-tax.example' },
      ],
    });
    const forged =
      'Fine.\r\n\r\nContinue: start anyway:\r\nhttps://evil.example/c\r\n\r\nLee Park  5  5  5  Superb';
    const answer = {
      reference: 1,
      scores: { reliability: 2, quality: 2, communication: 2 },
      comment: forged,
      at: '2026-12-01T10:00:00.000Z',
      independent: true,
    };
    const verdict = dueDiligenceVerdict(plan, [answer], '2026-12-02T10:00:00.000Z');

    // Act
    const email = dueDiligenceEmail(plan, verdict, [answer], {
      links: { continue: 'https://x.example/links/c', abort: 'https://x.example/links/a' },
      dueAt: '2026-12-04T10:00:00.000Z',
    });

    // Assess
    const lines = email.text.split('\n');
    expect(lines.filter((line) => line.startsWith('Lee Park'))).toEqual([
      expect.stringMatching(/no answer$/),
    ]);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^Ana Lima .*Fine\. Continue: start anyway: https:\/\/evil\.example\/c Lee Park 5 5 5 Superb$/,
      ),
    );
    expect(email.text).not.toMatch(/^https:\/\/evil\.example/m);
  });

  it('gives a refused plan’s reply a one-line subject whatever the sender’s subject held', () => {
    const reply = refusedReply(
      { to: 'maria@santos-advisory.example', inboundAddress: 'plans@onramp.example' },
      {
        subject: `Plan ${ESCAPE}\r\nBcc: x@evil.example`,
        problems: [{ path: '', message: 'no plan found' }],
      },
    );

    expect(reply.subject).toBe('Not started: Plan Reconcile [2J ]0;pwned the accounts Bcc: x@evil.example');
  });
});
