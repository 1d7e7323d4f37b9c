import { describe, expect, it } from 'vitest';
import { choicesAbout, DUE_DILIGENCE_CHOICES, dueDiligenceVerdict } from '#core/due-diligence';
import {
  type DecisionReplyContext,
  decisionNotRecordedReply,
  decisionRecordedReply,
  decisionWords,
} from '#core/emails/decision-reply';
import { dueDiligenceEmail } from '#core/emails/due-diligence';
import { escalationEmail } from '#core/emails/escalation';
import type { GateDecision } from '#core/gate';
import { type DecisionRequest, OWNER_CHOICES } from '#core/owner-decision';
import { type DecisionQuestion, openQuestion } from '#core/pages/decision';
import { NOW, planFixture, weekRecordFixture } from './fixtures.ts';

const plan = planFixture();
const OWNER = plan.owner.email;
const REPLY_TO = 'plans+decisionaddressdecisionaddre@onramp.example';
const hold: GateDecision = {
  outcome: 'escalate',
  fromStage: 1,
  toStage: 1,
  releaseNew: false,
  reason: 'ask the owner, no word from the partner: hold at 20%',
};
const waiting: DecisionRequest = {
  week: 3,
  state: 'waiting',
  askedAt: '2026-12-21T14:00:00.000Z',
  dueAt: '2026-12-23T14:00:00.000Z',
};
const onboarding = {
  id: 'onb-1',
  status: 'active' as const,
  plan,
  planDigest: 'x',
  createdAt: waiting.askedAt,
  updatedAt: waiting.askedAt,
};
const week = { ...weekRecordFixture(plan, 3, 1), decision: hold };
const links = {
  continue: 'https://x.example/links/c',
  extend: 'https://x.example/links/e',
  abort: 'https://x.example/links/a',
};

/** The question about week 3, as the handler finds it, in the state `request` says. */
function question(request: DecisionRequest = waiting): DecisionQuestion {
  const open = openQuestion({ onboarding, week, request }, 3);
  if (open.ok) return open.question;
  if ('question' in open.refusal) return open.refusal.question;
  throw new Error('no question');
}
const context = (q = question()): DecisionReplyContext => ({
  onboardingId: 'onb-1',
  question: q,
  to: OWNER,
  replyAddress: REPLY_TO,
});

describe('the escalation email, with a reply address', () => {
  const email = escalationEmail(plan, 3, hold, {
    links,
    dueAt: waiting.dueAt,
    reminder: false,
    replyTo: REPLY_TO,
  });

  it('sets it as the Reply-To and says the three words a reply can decide with', () => {
    expect(email.replyTo).toEqual([REPLY_TO]);
    expect(email.text).toContain(
      'Or reply to this email with one word on the first line: CONTINUE, EXTEND or ABORT. A reply decides at once',
    );
    expect(email.text).toContain('The links and a reply decide in your name');
    expect(email.html).toContain('CONTINUE, EXTEND or ABORT');
  });

  it('says nothing of replying without one (no inbound address: links only)', () => {
    const linksOnly = escalationEmail(plan, 3, hold, { links, dueAt: waiting.dueAt, reminder: false });

    expect(linksOnly.replyTo).toBeUndefined();
    expect(linksOnly.text).not.toContain('reply to this email');
    expect(linksOnly.text).toContain('The links decide in your name');
  });
});

describe('the due diligence’s email, with a reply address', () => {
  it('offers CONTINUE or ABORT only: there is no stage to extend before the kickoff', () => {
    const withReferences = planFixture({
      references: [{ name: 'Ana Lima', email: 'ana@lima-books.example' }],
    });
    const verdict = dueDiligenceVerdict(withReferences, [], NOW);
    const email = dueDiligenceEmail(withReferences, verdict, [], {
      links: { continue: links.continue, abort: links.abort },
      dueAt: waiting.dueAt,
      replyTo: REPLY_TO,
    });

    expect(email.replyTo).toEqual([REPLY_TO]);
    expect(email.text).toContain('reply to this email with one word on the first line: CONTINUE or ABORT.');
    expect(email.text).not.toContain('EXTEND');
  });
});

describe('decisionWords and choicesAbout', () => {
  it('name the words each question takes', () => {
    expect(decisionWords(choicesAbout(3))).toBe('CONTINUE, EXTEND or ABORT');
    expect(decisionWords(choicesAbout(0))).toBe('CONTINUE or ABORT');
    expect(choicesAbout(3)).toEqual(OWNER_CHOICES);
    expect(choicesAbout(0)).toEqual(DUE_DILIGENCE_CHOICES);
  });
});

describe('openQuestion', () => {
  it('takes a decision until the deadline, and refuses one from then on (a reply can come late; a link cannot)', () => {
    const before = new Date(Date.parse(waiting.dueAt) - 1000);

    expect(openQuestion({ onboarding, week, request: waiting }, 3, before)).toMatchObject({ ok: true });
    expect(openQuestion({ onboarding, week, request: waiting }, 3, new Date(waiting.dueAt))).toMatchObject({
      ok: false,
      refusal: { reason: 'too-late' },
    });
  });

  it('refuses a decided question as settled, before anything else', () => {
    const decided = { ...waiting, state: 'decided' as const, choice: 'extend' as const };

    expect(
      openQuestion({ onboarding: { ...onboarding, status: 'aborted' }, week, request: decided }, 3),
    ).toMatchObject({ ok: false, refusal: { reason: 'settled' } });
  });

  it('refuses a waiting question of an ended onboarding, and one it cannot find', () => {
    expect(
      openQuestion({ onboarding: { ...onboarding, status: 'cancelled' }, week, request: waiting }, 3),
    ).toMatchObject({ ok: false, refusal: { reason: 'ended', status: 'cancelled' } });
    expect(openQuestion({ onboarding, week, request: undefined }, 3)).toEqual({
      ok: false,
      refusal: { reason: 'not-found' },
    });
  });
});

describe('the answer to the owner’s reply', () => {
  it('decided: what, for which onboarding and week, and what happens now, to the sender', () => {
    const decided = {
      ...waiting,
      state: 'decided' as const,
      choice: 'abort' as const,
      decidedAt: '2026-12-22T08:00:00.000Z',
    };
    const reply = decisionRecordedReply(context(question(decided)), 'abort');

    expect(reply).toMatchObject({
      kind: 'inbound-reply',
      week: 3,
      role: 'owner',
      to: [OWNER],
      replyTo: [REPLY_TO],
      subject: `Decided: Abort the onboarding, after week 3 of ${plan.title}`,
    });
    expect(reply.text).toContain(
      `your reply is recorded as your decision after week 3 of “${plan.title}” (onboarding onb-1), on Tuesday, 22 December 2026 at 09:00`,
    );
    expect(reply.text).toContain('Stop the onboarding now');
  });

  it('ambiguous: what was read, and how to decide, escaped in the HTML', () => {
    const reply = decisionNotRecordedReply(context(), {
      reason: 'ambiguous',
      read: 'Continue <or> abort?',
      named: ['continue', 'abort'],
    });

    expect(reply.subject).toBe(`Nothing decided: your reply after week 3 of ${plan.title}`);
    expect(reply.text).toContain('we read “Continue <or> abort?”, which names CONTINUE and ABORT');
    expect(reply.text).toContain('reply with one word on the first line: CONTINUE, EXTEND or ABORT');
    expect(reply.text).toContain('EXTEND: Extend this stage');
    expect(reply.text).toContain('Without a decision by Wednesday, 23 December 2026 at 15:00');
    expect(reply.html).toContain('Continue &lt;or&gt; abort?');
    expect(reply.html).not.toContain('<or>');
  });

  it('unclear: says which words it must start with', () => {
    const reply = decisionNotRecordedReply(context(), { reason: 'unclear', read: 'I would not abort yet' });

    expect(reply.text).toContain(
      'we read “I would not abort yet”, which is not a plain CONTINUE, EXTEND or ABORT, so nothing was decided.',
    );
  });

  it('already decided otherwise: the first decision, by whom, and that the reply changed nothing', () => {
    const decided = {
      ...waiting,
      state: 'decided' as const,
      choice: 'extend' as const,
      decidedBy: OWNER,
      decidedAt: '2026-12-22T08:00:00.000Z',
    };
    const reply = decisionNotRecordedReply(context(question(decided)), {
      reason: 'settled',
      question: question(decided),
      choice: 'abort',
    });

    expect(reply.subject).toBe(`Already decided: Extend this stage, after week 3 of ${plan.title}`);
    expect(reply.text).toContain(
      `was already made on Tuesday, 22 December 2026 at 09:00 Berlin time by ${OWNER}: Extend this stage. The first decision stands; your reply changed nothing.`,
    );
    expect(reply.text).not.toContain('reply with one word');
  });

  it('closed at the deadline without a decision: what happened by default', () => {
    const timedOut = { ...waiting, state: 'timed-out' as const, timedOutAt: waiting.dueAt };
    const reply = decisionNotRecordedReply(context(question(timedOut)), {
      reason: 'settled',
      question: question(timedOut),
    });

    expect(reply.subject).toBe(`Too late to decide: after week 3 of ${plan.title}`);
    expect(reply.text).toContain('so the stage held one more week');
  });

  it('an ended onboarding takes no decision', () => {
    const q = question();
    const reply = decisionNotRecordedReply(context(q), { reason: 'ended', question: q, status: 'cancelled' });

    expect(reply.subject).toBe(`Nothing decided: ${plan.title} has ended`);
    expect(reply.text).toContain('has ended (cancelled), so it takes no decision any more');
  });
});
