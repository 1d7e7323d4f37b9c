import { describe, expect, it } from 'vitest';
import { escalationEmail } from '#core/emails/escalation';
import { type GateDecision, lastWeek } from '#core/gate';
import { signLinkToken, verifyLinkToken } from '#core/link-token';
import {
  choiceEffects,
  type DecisionRequest,
  decisionDueAt,
  decisionTimeoutSeconds,
  ownerAnswer,
  withOwnerAnswer,
} from '#core/owner-decision';
import { decisionConfirmPage, decisionLinkClaims, openDecision, settledPage } from '#core/pages/decision';
import { weekSchedule } from '#core/schedule';
import { localTime, planFixture, weekRecordFixture } from './fixtures.ts';

const plan = planFixture();
const KEY = 'unit-test-link-key';
const hold: GateDecision = {
  outcome: 'escalate',
  fromStage: 1,
  toStage: 1,
  releaseNew: false,
  reason: 'ask the owner, no feedback from either side this week: hold at 20%',
};
const waiting: DecisionRequest = {
  week: 3,
  state: 'waiting',
  askedAt: '2026-12-25T14:00:00.000Z',
  dueAt: '2026-12-30T14:00:00.000Z',
};

describe('the decision deadline', () => {
  it('is the business day before the next check-in, at the check-in time in the owner’s time zone', () => {
    const due = decisionDueAt(plan, 3);
    const nextCheckin = localTime(weekSchedule(plan, 4).checkinAt, plan.owner.timeZone);
    const local = localTime(due, plan.owner.timeZone);
    expect(local.toPlainTime().toString()).toBe('15:00:00');
    expect(local.toPlainDate().until(nextCheckin.toPlainDate()).days).toBe(1);
    // After the gate of the week asked about (the end of its grace period): the owner has days, not minutes.
    expect(Date.parse(due)).toBeGreaterThan(Date.parse(weekSchedule(plan, 3).feedbackDueAt) + 86_400_000);
  });

  it('keeps the wall-clock time across a DST change, and moves with paused weeks', () => {
    const march = planFixture({ start: '2027-03-15' });
    const dueBeforeChange = localTime(decisionDueAt(march, 1), march.owner.timeZone);
    const dueAfterChange = localTime(decisionDueAt(march, 2), march.owner.timeZone);
    expect(dueBeforeChange.toPlainTime().toString()).toBe('15:00:00');
    expect(dueAfterChange.toPlainTime().toString()).toBe('15:00:00');
    expect(Date.parse(decisionDueAt(plan, 3, 2)) - Date.parse(decisionDueAt(plan, 3))).toBe(14 * 86_400_000);
  });

  it('is the Friday before a Monday check-in, never a weekend, and the day before any other check-in', () => {
    // Monday check-ins at 02:30 in New York, across the change to summer time on 14 March 2027.
    const mondays = planFixture({
      start: '2027-02-22',
      owner: { ...plan.owner, timeZone: 'America/New_York' },
      checkIn: { ...plan.checkIn, weekday: 'monday', time: '02:30' },
    });
    const tz = mondays.owner.timeZone;
    for (let week = 1; week <= 4; week++) {
      const due = localTime(decisionDueAt(mondays, week), tz);
      const nextCheckin = localTime(weekSchedule(mondays, week + 1).checkinAt, tz);
      expect(due.dayOfWeek).toBe(5);
      expect(due.toPlainTime().toString()).toBe('02:30:00');
      expect(due.toPlainDate().until(nextCheckin.toPlainDate()).days).toBe(3);
      // Still after the gate of the week asked about, by a business day at least.
      expect(Date.parse(due.toInstant().toString())).toBeGreaterThan(
        Date.parse(weekSchedule(mondays, week).feedbackDueAt),
      );
    }
    const email = escalationEmail(mondays, 3, hold, {
      links: { continue: 'c', extend: 'e', abort: 'a' },
      dueAt: decisionDueAt(mondays, 3),
      reminder: false,
    });
    expect(email.text).toContain('If you have not decided by Friday, 19 March 2027 at 02:30 New York time');

    for (const weekday of ['tuesday', 'wednesday', 'thursday', 'friday'] as const) {
      const other = planFixture({ checkIn: { ...plan.checkIn, weekday } });
      const due = localTime(decisionDueAt(other, 2), other.owner.timeZone);
      const nextCheckin = localTime(weekSchedule(other, 3).checkinAt, other.owner.timeZone);
      expect(due.toPlainDate().until(nextCheckin.toPlainDate()).days).toBe(1);
    }
  });

  it('before the kickoff (week 0) is week 1’s release, so neither the kickoff nor the work goes out late', () => {
    expect(decisionDueAt(plan, 0)).toBe(weekSchedule(plan, 1).releaseAt);
    expect(localTime(decisionDueAt(plan, 0), plan.owner.timeZone).toString()).toBe(
      '2026-12-07T09:00:00+01:00[Europe/Berlin]',
    );
    expect(decisionDueAt(plan, 0, 2)).toBe(weekSchedule(plan, 1, 2).releaseAt);
  });

  it('gives the wait at least an hour, even when the deadline has passed', () => {
    const due = '2026-12-30T14:00:00.000Z';
    expect(decisionTimeoutSeconds(due, new Date('2026-12-25T14:00:00.000Z'))).toBe(5 * 86_400);
    expect(decisionTimeoutSeconds(due, new Date('2026-12-31T14:00:00.000Z'))).toBe(3600);
  });
});

describe('what each answer does', () => {
  const decided = (choice: 'continue' | 'extend' | 'abort'): DecisionRequest => ({
    ...waiting,
    state: 'decided',
    choice,
    decidedBy: 'maria@santos-advisory.example',
    decidedAt: '2026-12-26T08:00:00.000Z',
  });

  it('continue releases new work at the stage the check set, and adds no week', () => {
    const applied = withOwnerAnswer(hold, ownerAnswer(plan, hold, decided('continue')));
    expect(applied).toMatchObject({ toStage: 1, releaseNew: true, owner: { choice: 'continue' } });
    expect(applied.owner.reason).toBe('the owner decided to continue at 25% with new work');
    expect(lastWeek(plan, [applied])).toBe(plan.weeks);
  });

  it('continue in the plan’s last week says it wraps up, in the email’s choice and on the week', () => {
    const last: GateDecision = { ...hold, continueEnds: true };

    expect(choiceEffects(plan, last).continue.effect).toBe(
      "Carry on as planned: this was the plan's last week, so the onboarding wraps up now and you get its summary (choose Extend for one more week at 25%).",
    );
    expect(choiceEffects(plan, hold).continue.effect).toContain("next week's batch brings new work");
    expect(ownerAnswer(plan, last, decided('continue')).reason).toBe(
      "the owner decided to carry on as planned: the plan's last week, so it wraps up",
    );
  });

  it('keeps who decided and how (the link, or a reply); a decision recorded without how says nothing of it', () => {
    const byReply = ownerAnswer(plan, hold, { ...decided('abort'), decidedVia: 'email' });
    const unknown = ownerAnswer(plan, hold, decided('abort'));

    expect(byReply).toMatchObject({ by: 'maria@santos-advisory.example', via: 'email' });
    expect(unknown).not.toHaveProperty('via');
  });

  it('extend holds with nothing new and adds a week; so does no decision by the deadline', () => {
    const extended = withOwnerAnswer(hold, ownerAnswer(plan, hold, decided('extend')));
    const timedOut = withOwnerAnswer(
      hold,
      ownerAnswer(plan, hold, { ...waiting, state: 'timed-out', timedOutAt: waiting.dueAt }),
    );
    expect(extended).toMatchObject({
      releaseNew: false,
      owner: { choice: 'extend', by: 'maria@santos-advisory.example' },
    });
    expect(timedOut).toMatchObject({ releaseNew: false, owner: { choice: 'none', at: waiting.dueAt } });
    expect(timedOut.owner.reason).toBe('no decision from the owner in time: hold at 25% by default');
    expect(lastWeek(plan, [extended])).toBe(plan.weeks + 1);
    expect(lastWeek(plan, [timedOut])).toBe(plan.weeks + 1);
  });

  it('abort is recorded with who decided and when', () => {
    expect(ownerAnswer(plan, hold, decided('abort'))).toEqual({
      choice: 'abort',
      at: '2026-12-26T08:00:00.000Z',
      by: 'maria@santos-advisory.example',
      reason: 'the owner aborted the onboarding',
    });
  });
});

describe('decision links', () => {
  const claims = decisionLinkClaims('onb-1', 3, plan.owner.email, 'abort', waiting.dueAt);

  it('carry the action (onboarding, week) and the choice, signed, until the deadline', () => {
    const token = signLinkToken(claims, KEY);
    expect(verifyLinkToken(token, KEY, { purposes: ['decision'], now: new Date(waiting.askedAt) })).toEqual({
      ok: true,
      claims,
    });
    expect(
      verifyLinkToken(token, KEY, { purposes: ['decision'], now: new Date(waiting.dueAt) }),
    ).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(token).not.toMatch(/task-token/);
  });

  it('refuse a changed choice as forged, and a decision without a choice', () => {
    const [payload, signature] = signLinkToken(claims, KEY).split('.') as [string, string];
    const wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const changed = Buffer.from(JSON.stringify({ ...wire, c: 'continue' })).toString('base64url');
    expect(
      verifyLinkToken(`${changed}.${signature}`, KEY, {
        purposes: ['decision'],
        now: new Date(waiting.askedAt),
      }),
    ).toMatchObject({ ok: false, reason: 'forged' });
    expect(() => signLinkToken({ ...claims, choice: undefined }, KEY)).toThrow(
      /choice goes with purpose decision/,
    );
  });
});

describe('the escalation email', () => {
  const links = {
    continue: 'https://api.example/links/c',
    extend: 'https://api.example/links/e',
    abort: 'https://api.example/links/a',
  };

  it('offers the three choices as links, says what each does and what happens without a decision', () => {
    const email = escalationEmail(plan, 3, hold, { links, dueAt: waiting.dueAt, reminder: false });
    expect(email).toMatchObject({ kind: 'escalation', week: 3, role: 'owner', to: [plan.owner.email] });
    expect(email.text).toContain(`Continue:\n${links.continue}`);
    expect(email.text).toContain(`Extend this stage:\n${links.extend}`);
    expect(email.text).toContain(`Abort the onboarding:\n${links.abort}`);
    expect(email.text).toContain('If you have not decided by Wednesday, 30 December 2026 at 15:00');
    expect(email.html).toContain(`href="${links.abort}"`);
  });

  it('says it is a reminder when the owner did not decide last week', () => {
    const email = escalationEmail(plan, 4, hold, { links, dueAt: waiting.dueAt, reminder: true });
    expect(email.subject).toBe(`Reminder, your attention, week 4: ${plan.title}`);
    expect(email.text).toContain('no decision came in time');
  });
});

describe('the decision pages', () => {
  const onboarding = {
    id: 'onb-1',
    status: 'active' as const,
    plan: { ...plan, title: 'Books <& more>' },
    planDigest: 'x',
    createdAt: waiting.askedAt,
    updatedAt: waiting.askedAt,
  };
  const week = { ...weekRecordFixture(plan, 3, 1), decision: hold };
  const claims = decisionLinkClaims('onb-1', 3, plan.owner.email, 'extend', waiting.dueAt);

  it('show the choice with a confirm button, escaping the plan’s words', () => {
    const open = openDecision({ onboarding, week, request: waiting }, claims);
    if (!open.ok) throw new Error('expected an open question');
    const page = decisionConfirmPage(open.context);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post">');
    expect(page.body).toContain('Confirm: Extend this stage');
    expect(page.body).toContain('Books &lt;&amp; more&gt;');
  });

  it('show the first decision to a later click, and say when the deadline passed', () => {
    const decided = {
      ...waiting,
      state: 'decided' as const,
      choice: 'abort' as const,
      decidedAt: waiting.askedAt,
    };
    const open = openDecision({ onboarding, week, request: decided }, claims);
    expect(open).toMatchObject({
      ok: false,
      page: { status: 409, title: 'Already decided: Abort the onboarding' },
    });
    const closed = openDecision({ onboarding, week, request: { ...waiting, state: 'timed-out' } }, claims);
    expect(closed).toMatchObject({ ok: false, page: { status: 410 } });
    expect(settledPage).toBeTypeOf('function');
  });

  it('take no decision for an onboarding that ended', () => {
    const ended = openDecision(
      { onboarding: { ...onboarding, status: 'cancelled' }, week, request: waiting },
      claims,
    );
    expect(ended).toMatchObject({ ok: false, page: { status: 410, title: 'This onboarding has ended' } });
  });
});
