import { describe, expect, it } from 'vitest';
import {
  type DueDiligenceVerdict,
  dueDiligenceAnswer,
  dueDiligenceTimes,
  dueDiligenceVerdict,
  isIndependent,
  partnerDomains,
  type ReferenceAnswer,
  scoreReferences,
} from '#core/due-diligence';
import { dueDiligenceEmail } from '#core/emails/due-diligence';
import { referenceEmail } from '#core/emails/reference';
import { type LinkClaims, signLinkToken, verifyLinkToken } from '#core/link-token';
import { decisionDueAt } from '#core/owner-decision';
import { decisionConfirmPage, openDecision } from '#core/pages/decision';
import {
  openReference,
  readReferenceForm,
  referenceFormValues,
  referenceLinkClaims,
} from '#core/pages/reference';
import type { Plan } from '#core/plan';
import { weekSchedule } from '#core/schedule';
import { validatePlan } from '#core/validate-plan';
import { NOW, planFixture, planInputFixture } from './fixtures.ts';

const REFERENCES = [
  { name: 'Ana Lima', email: 'ana@lima-books.example', company: 'Lima Books' },
  { name: 'Lee Park', email: 'lee@park-tax.example' },
  { name: 'Jo Ledger', email: 'jo@ledgerly.example' },
];
const plan: Plan = planFixture({ references: REFERENCES });

const answer = (reference: number, scores: number[], independent = true): ReferenceAnswer => ({
  reference,
  scores: { reliability: scores[0]!, quality: scores[1]!, communication: scores[2]! },
  at: '2026-12-01T10:00:00.000Z',
  independent,
});

describe('independence: a reference at the partner’s own domain does not count', () => {
  it('takes the partner’s domains from its addresses and its domain field', () => {
    expect(partnerDomains(plan)).toEqual(['ledgerly.example']);
    expect(partnerDomains({ partner: { ...plan.partner, domain: 'Ledgerly.Example.Com' } })).toEqual([
      'ledgerly.example',
      'ledgerly.example.com',
    ]);
  });

  it('flags the same domain, a subdomain and any letter case; not a look-alike', () => {
    expect(isIndependent('jo@ledgerly.example', plan)).toBe(false);
    expect(isIndependent('jo@uk.Ledgerly.EXAMPLE', plan)).toBe(false);
    expect(isIndependent('jo@notledgerly.example', plan)).toBe(true);
    expect(isIndependent('ana@lima-books.example', plan)).toBe(true);
  });

  it('never flags by a public mail provider the partner happens to use', () => {
    const gmailPartner = { partner: { ...plan.partner, emails: ['ledgerly.team@gmail.com'] } };
    expect(partnerDomains(gmailPartner)).toEqual([]);
    expect(isIndependent('someone@gmail.com', gmailPartner)).toBe(true);
  });
});

describe('scoring and the verdict', () => {
  it('averages each question over the independent answers only', () => {
    const score = scoreReferences(plan, [
      answer(1, [4, 3, 5]),
      answer(2, [2, 3, 3]),
      answer(3, [5, 5, 5], false),
    ]);
    expect(score).toEqual({
      asked: 3,
      answered: 3,
      independentAnswers: 2,
      flaggedAnswers: 1,
      averages: { reliability: 3, quality: 3, communication: 4 },
      average: 3.33,
    });
  });

  it('passes with enough independent answers and a good average', () => {
    const verdict = dueDiligenceVerdict(plan, [answer(1, [4, 4, 4]), answer(2, [4, 3, 4])], NOW);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.reason).toBe('2 of 3 references answered: 2 independent, average 3.8 of 5');
  });

  it('asks the owner when the independent average is weak, however glowing a flagged answer', () => {
    const verdict = dueDiligenceVerdict(
      plan,
      [answer(1, [3, 3, 2]), answer(2, [4, 3, 3]), answer(3, [5, 5, 5], false)],
      NOW,
    );
    expect(verdict.outcome).toBe('ask-owner');
    expect(verdict.reason).toBe(
      "3 of 3 references answered, 1 of them at the partner's own domain (not counted): the independent average 3.0 of 5 is below 3.5",
    );
  });

  it('asks the owner with too few independent answers, and with none at all', () => {
    expect(dueDiligenceVerdict(plan, [answer(1, [5, 5, 5]), answer(3, [5, 5, 5], false)], NOW)).toMatchObject(
      {
        outcome: 'ask-owner',
        reason:
          "2 of 3 references answered, 1 of them at the partner's own domain (not counted): 1 independent answer, 2 needed",
      },
    );
    expect(dueDiligenceVerdict(plan, [], NOW)).toMatchObject({
      outcome: 'ask-owner',
      reason: '0 of 3 references answered: 0 independent answers, 2 needed',
    });
  });

  it('follows the plan’s own thresholds', () => {
    const lenient = {
      ...plan,
      dueDiligence: { minIndependentAnswers: 1, minAverage: 2.5, answerDays: 5, reminderAfterDays: 3 },
    };
    expect(dueDiligenceVerdict(lenient, [answer(1, [3, 3, 2])], NOW).outcome).toBe('pass');
  });

  it('defaults to not starting when the owner does not decide in time', () => {
    const asked = { week: 0, askedAt: NOW, dueAt: '2026-12-09T14:00:00.000Z' };
    expect(dueDiligenceAnswer({ ...asked, state: 'timed-out' }).choice).toBe('none');
    expect(
      dueDiligenceAnswer({
        ...asked,
        state: 'decided',
        choice: 'continue',
        decidedAt: NOW,
        decidedBy: 'x@y.example',
      }),
    ).toEqual({
      choice: 'continue',
      at: NOW,
      by: 'x@y.example',
      reason: 'the owner decided to go ahead with the kickoff',
    });
  });
});

describe('the reminder and the deadline', () => {
  it('count business days in the owner’s time zone, at the time of asking', () => {
    // Wednesday 7 October 2026, 12:00 in Berlin: reminder Monday the 12th, deadline Wednesday the 14th.
    const times = dueDiligenceTimes(plan, NOW, '2026-12-07T08:00:00.000Z');
    expect(times).toEqual({
      askedAt: NOW,
      remindAt: '2026-10-12T10:00:00.000Z',
      dueAt: '2026-10-14T10:00:00.000Z',
    });
  });

  it('never run past week 1’s release', () => {
    const releaseAt = '2026-10-13T07:00:00.000Z';
    expect(dueDiligenceTimes(plan, NOW, releaseAt).dueAt).toBe(releaseAt);
  });
});

describe('plan validation of references', () => {
  const validate = (overrides: Parameters<typeof planInputFixture>[0]) =>
    validatePlan(planInputFixture(overrides), { now: NOW });

  it('accepts references and starts after their deadline by default', () => {
    const result = validate({ references: REFERENCES });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    // Wednesday 7 October: five business days to answer (Wednesday 14), a business day for the
    // owner to decide if asked (Thursday 15), then the start.
    expect(result.plan.start).toBe('2026-10-16');
    expect(result.warnings).toEqual([]);
  });

  it('warns when too few references are independent to ever pass', () => {
    const result = validate({ references: [REFERENCES[0]!, REFERENCES[2]!] });
    expect(result.warnings).toEqual([
      {
        path: 'references',
        message:
          "1 independent reference listed (those at the partner's own domain, ledgerly.example, do not count), 2 answers needed (dueDiligence.minIndependentAnswers): the owner will be asked to decide before the kickoff",
      },
    ]);
  });

  it('refuses the same address twice, the owner, and the partner’s own address, at their paths', () => {
    const result = validate({
      references: [
        REFERENCES[0]!,
        { name: 'Again', email: 'ANA@lima-books.example' },
        { name: 'Maria', email: 'maria@santos-advisory.example' },
        { name: 'Team', email: 'team@ledgerly.example' },
      ],
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual([
      'references[1].email',
      'references[2].email',
      'references[3].email',
    ]);
    expect(result.ok ? '' : result.issues[1]!.message).toContain("the owner's own address");
  });

  it('refuses a start that leaves the references too little time, and a reminder after the deadline', () => {
    const result = validate({
      references: REFERENCES,
      start: '2026-10-09',
      dueDiligence: { answerDays: 3, reminderAfterDays: 3 },
    });
    expect(result.ok ? [] : result.issues).toEqual([
      {
        path: 'dueDiligence.reminderAfterDays',
        message:
          '3 is not before the deadline (dueDiligence.answerDays, 3); the reminder must leave time to answer',
      },
      {
        path: 'start',
        message:
          '2026-10-09 leaves the references too little time: they have 3 business days (dueDiligence.answerDays) to answer, and you a business day to decide if their answers are weak, before any work is released; start on 2026-10-14 or later, or leave start out',
      },
    ]);
  });

  it('refuses settings out of range with the allowed values', () => {
    const result = validate({ references: REFERENCES, dueDiligence: { minAverage: 6, answerDays: 0 } });
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'dueDiligence.minAverage', message: 'an average must be 1 to 5' },
      { path: 'dueDiligence.answerDays', message: 'must be 1 to 10 business days' },
    ]);
  });

  it('leaves a plan without references as it was: same start, no settings added', () => {
    const result = validate({});
    if (!result.ok) throw new Error('expected a valid plan');
    expect(result.plan.start).toBe('2026-10-08');
    expect(result.plan).not.toHaveProperty('dueDiligence');
  });
});

describe('reference links, emails and pages', () => {
  const key = 'test-key';
  const dueAt = '2026-10-14T10:00:00.000Z';
  const now = new Date('2026-10-08T10:00:00Z');

  it('sign a reference’s score link, and refuse a reference link without its reference', () => {
    const claims = referenceLinkClaims('onb-1', 2, 'lee@park-tax.example', dueAt, {
      question: 'quality',
      rating: 4,
    });
    const check = verifyLinkToken(signLinkToken(claims, key), key, { purposes: ['reference'], now });
    expect(check).toEqual({ ok: true, claims });
    const broken: LinkClaims = { ...claims, reference: undefined } as LinkClaims;
    delete broken.reference;
    expect(() => signLinkToken(broken, key)).toThrow(/reference number/);
    expect(() => signLinkToken({ ...claims, question: undefined, rating: 4 } as LinkClaims, key)).toThrow(
      /question/,
    );
  });

  it('email each question’s five scores and the form, escaped, with the deadline', () => {
    const link = (n: string) => `https://onramp.example/links/${n}`;
    const email = referenceEmail(
      { ...plan, partner: { ...plan.partner, name: 'Ledgerly <Outsourcing>' } },
      {
        reference: 1,
        links: {
          form: link('form'),
          scores: {
            reliability: [1, 2, 3, 4, 5].map((n) => link(`r${n}`)),
            quality: [1, 2, 3, 4, 5].map((n) => link(`q${n}`)),
            communication: [1, 2, 3, 4, 5].map((n) => link(`c${n}`)),
          },
        },
        dueAt,
        reminder: false,
      },
    );
    expect(email).toMatchObject({
      kind: 'reference',
      week: 0,
      role: 'reference-1',
      to: ['ana@lima-books.example'],
    });
    expect(email.text).toContain(`Quality 4 of 5:\n${link('q4')}`);
    expect(email.text).toContain(`Answer all three, with a comment:\n${link('form')}`);
    expect(email.html).toContain('Ledgerly &lt;Outsourcing&gt;');
    expect(email.html).not.toContain('Ledgerly <Outsourcing>');
  });

  it('prefill the clicked score over an earlier answer, and read the form strictly', () => {
    const claims = referenceLinkClaims('onb-1', 1, 'ana@lima-books.example', dueAt, {
      question: 'quality',
      rating: 2,
    });
    expect(referenceFormValues(answer(1, [4, 4, 4]), claims)).toMatchObject({
      reliability: '4',
      quality: '2',
    });
    expect(
      readReferenceForm(new URLSearchParams({ reliability: '4', quality: '9', communication: '3' })),
    ).toMatchObject({
      ok: false,
      errors: { quality: 'Quality: choose a score from 1 to 5' },
    });
  });

  it('counts a line break the browser sends as CRLF as one character, as the form’s maxlength does', () => {
    // 1,980 letters and 19 line breaks: 1,999 characters in the browser, 2,018 bytes as sent.
    const comment = Array.from({ length: 20 }, () => 'x'.repeat(99)).join('\r\n');
    const read = readReferenceForm(
      new URLSearchParams({ reliability: '4', quality: '4', communication: '4', comment }),
    );

    expect(read).toMatchObject({ ok: true, comment: comment.replaceAll('\r\n', '\n') });
  });

  it('open only for the reference the link names, until the answers are scored', () => {
    const onboarding = {
      id: 'onb-1',
      status: 'active' as const,
      plan,
      planDigest: 'x',
      createdAt: NOW,
      updatedAt: NOW,
    };
    const claims = referenceLinkClaims('onb-1', 3, 'jo@ledgerly.example', dueAt);
    const open = openReference({ onboarding, verdict: undefined }, claims);
    expect(open).toMatchObject({ ok: true, context: { reference: 3, independent: false } });
    expect(openReference({ onboarding, verdict: undefined }, { ...claims, reference: 1 })).toMatchObject({
      ok: false,
      page: { status: 404 },
    });
    const verdict: DueDiligenceVerdict = dueDiligenceVerdict(plan, [], NOW);
    expect(openReference({ onboarding, verdict }, claims)).toMatchObject({
      ok: false,
      page: { status: 410 },
    });
  });

  it('make the owner’s question before the kickoff offer continue and abort only', () => {
    const verdict = dueDiligenceVerdict(plan, [answer(1, [2, 2, 2])], NOW);
    const onboarding = {
      id: 'onb-1',
      status: 'active' as const,
      plan,
      planDigest: 'x',
      createdAt: NOW,
      updatedAt: NOW,
    };
    const request = { week: 0, state: 'waiting' as const, askedAt: NOW, dueAt };
    const claims = (choice: string): LinkClaims => ({
      onboardingId: 'onb-1',
      week: 0,
      role: 'owner',
      recipient: plan.owner.email,
      purpose: 'decision',
      choice,
      expiresAt: 2_000_000_000,
    });
    const open = openDecision({ onboarding, week: undefined, request, verdict }, claims('continue'));
    expect(open).toMatchObject({ ok: true, context: { about: 'before the kickoff' } });
    expect(openDecision({ onboarding, week: undefined, request, verdict }, claims('extend'))).toMatchObject({
      ok: false,
      page: { status: 400 },
    });
    const email = dueDiligenceEmail(plan, verdict, [answer(1, [2, 2, 2])], {
      links: { continue: 'https://x.example/links/c', abort: 'https://x.example/links/a' },
      dueAt,
    });
    expect(email).toMatchObject({ kind: 'escalation', week: 0, role: 'owner', to: [plan.owner.email] });
    expect(email.text).toContain("Jo Ledger (partner's own domain: not counted)");
    expect(email.text).not.toContain('Extend this stage');
  });

  it('give the owner until week 1’s release to decide, in the email and on the confirm page', () => {
    const verdict = dueDiligenceVerdict(plan, [answer(1, [2, 2, 2])], NOW);
    const due = decisionDueAt(plan, 0);
    const onboarding = {
      id: 'onb-1',
      status: 'active' as const,
      plan,
      planDigest: 'x',
      createdAt: NOW,
      updatedAt: NOW,
    };
    const request = { week: 0, state: 'waiting' as const, askedAt: NOW, dueAt: due };
    const claims: LinkClaims = {
      onboardingId: 'onb-1',
      week: 0,
      role: 'owner',
      recipient: plan.owner.email,
      purpose: 'decision',
      choice: 'continue',
      expiresAt: 2_000_000_000,
    };

    const email = dueDiligenceEmail(plan, verdict, [answer(1, [2, 2, 2])], {
      links: { continue: 'https://x.example/links/c', abort: 'https://x.example/links/a' },
      dueAt: due,
    });
    const open = openDecision({ onboarding, week: undefined, request, verdict }, claims);
    if (!open.ok) throw new Error('expected an open question');
    const page = decisionConfirmPage(open.context);

    // The plan starts on Monday 7 December 2026; week 1's check-in is on Thursday the 10th.
    expect(due).toBe(weekSchedule(plan, 1).releaseAt);
    const deadline = 'Monday, 7 December 2026 at 09:00 Berlin time';
    expect(email.text).toContain(`If you have not decided by ${deadline}, the onboarding does not start.`);
    expect(page.body).toContain(`Without a decision by ${deadline}, the onboarding does not start.`);
    expect(page.body).toContain('week 1&#39;s work is released as planned');
  });
});
