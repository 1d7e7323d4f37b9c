import { describe, expect, it } from 'vitest';
import {
  type DueDiligenceVerdict,
  dueDiligenceAnswer,
  dueDiligenceVerdict,
  type ReferenceAnswer,
} from '#core/due-diligence';
import type { Onboarding } from '#core/onboarding';
import { type DueDiligenceRecords, onboardingStatusView } from '#core/onboarding-status';
import type { Plan } from '#core/plan';
import { resumeDeadline } from '#core/run-limit';
import { planFixture, weekRecordFixture } from './fixtures.ts';

/**
 * The due diligence in `GET /onboardings/{id}`: for a plan that lists references, where it stands
 * (asking, passed, waiting for the owner, decided, stopped) and its counts and scores, from the
 * answers and the verdict as stored; never who the references are or what they wrote.
 */

const REFERENCES = [
  { name: 'Ana Lima', email: 'ana@lima-books.example', company: 'Lima Books' },
  { name: 'Lee Park', email: 'lee@park-tax.example' },
  // At the partner's own domain: flagged, not counted.
  { name: 'Jo Ledger', email: 'jo@ledgerly.example' },
];
const COMMENTS = ['Reliable, but slow to answer email.', 'Great books, every month on time.', 'The best!'];
const plan: Plan = planFixture({ references: REFERENCES });

/** Submitted on Friday 27 November 2026, 11:00 in Berlin; the plan starts on Monday 7 December. */
const CREATED_AT = '2026-11-27T10:00:00.000Z';
const SCORED_AT = '2026-12-04T10:00:00.000Z';
const DECIDED_AT = '2026-12-04T16:30:00.000Z';

function onboardingWith(status: Onboarding['status'], ofPlan: Plan = plan): Onboarding {
  return {
    id: ofPlan.id,
    status,
    plan: ofPlan,
    planDigest: 'x',
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
  };
}

const answer = (reference: number, scores: [number, number, number]): ReferenceAnswer => ({
  reference,
  scores: { reliability: scores[0], quality: scores[1], communication: scores[2] },
  comment: COMMENTS[reference - 1]!,
  at: '2026-11-30T09:00:00.000Z',
  independent: reference !== 3,
});

const goodAnswers = [answer(1, [4, 4, 4]), answer(2, [5, 4, 4])];
const weakAnswers = [answer(1, [3, 3, 2]), answer(2, [4, 3, 3]), answer(3, [5, 5, 5])];

/** The verdict as the scoring step records it, and with the owner's answer as the decision step adds it. */
const passed = dueDiligenceVerdict(plan, goodAnswers, SCORED_AT);
const weak = dueDiligenceVerdict(plan, weakAnswers, SCORED_AT);
const decided = (choice: 'continue' | 'abort'): DueDiligenceVerdict => ({
  ...weak,
  owner: dueDiligenceAnswer({
    week: 0,
    askedAt: SCORED_AT,
    dueAt: '2026-12-07T10:00:00.000Z',
    state: 'decided',
    choice,
    decidedAt: DECIDED_AT,
    decidedBy: plan.owner.email,
  }),
});
const timedOut: DueDiligenceVerdict = {
  ...weak,
  owner: dueDiligenceAnswer({
    week: 0,
    askedAt: SCORED_AT,
    dueAt: '2026-12-07T10:00:00.000Z',
    state: 'timed-out',
    timedOutAt: '2026-12-07T10:00:00.000Z',
  }),
};

const statusOf = (onboarding: Onboarding, records?: DueDiligenceRecords) =>
  onboardingStatusView(onboarding, [], [], '2026-11-30T12:00:00.000Z', records);

/** Whatever the state, nothing that says who a reference is or what they wrote, nor who decided. */
function expectNoPersonalData(view: unknown): void {
  const json = JSON.stringify(view);
  for (const reference of REFERENCES) {
    expect(json).not.toContain(reference.name);
    expect(json).not.toContain(reference.email);
    if (reference.company) expect(json).not.toContain(reference.company);
  }
  for (const comment of COMMENTS) expect(json).not.toContain(comment);
  expect(json).not.toContain('@');
  expect(json).not.toMatch(/"(comment|name|email|by|scores|reference)"/);
}

describe('the status of an onboarding without references', () => {
  it('has no dueDiligence part', () => {
    const view = statusOf(onboardingWith('active', planFixture()), { answers: [] });

    expect(view).not.toHaveProperty('dueDiligence');
  });
});

describe('the status of an onboarding with references', () => {
  it('while asking, with no answer yet: the references asked, none answered, when answers are due', () => {
    const view = statusOf(onboardingWith('active'), { answers: [] });

    // Asked on Friday 27 November, 11:00 in Berlin: reminded 3 and due 5 business days later.
    expect(view.dueDiligence).toEqual({
      state: 'asking',
      asked: 3,
      answered: 0,
      independentAnswers: 0,
      flaggedAnswers: 0,
      needed: { independentAnswers: 2, average: 3.5 },
      remindAt: '2026-12-02T10:00:00.000Z',
      dueAt: '2026-12-04T10:00:00.000Z',
    });
  });

  it('while asking: counts the answers so far, the flagged one apart, and shows no score before the deadline', () => {
    const view = statusOf(onboardingWith('active'), {
      answers: [answer(1, [2, 2, 2]), answer(3, [5, 5, 5])],
    });

    expect(view.dueDiligence).toMatchObject({
      state: 'asking',
      asked: 3,
      answered: 2,
      independentAnswers: 1,
      flaggedAnswers: 1,
    });
    expect(view.dueDiligence).not.toHaveProperty('verdict');
    expect(view.dueDiligence).not.toHaveProperty('owner');
    expectNoPersonalData(view);
  });

  it('passed: the verdict with its averages, and no question to the owner', () => {
    const view = statusOf(onboardingWith('active'), { answers: goodAnswers, verdict: passed });

    expect(view.dueDiligence).toMatchObject({
      state: 'passed',
      answered: 2,
      independentAnswers: 2,
      flaggedAnswers: 0,
      verdict: {
        outcome: 'pass',
        reason: '2 of 3 references answered: 2 independent, average 4.2 of 5',
        at: SCORED_AT,
        average: 4.17,
        averages: { reliability: 4.5, quality: 4, communication: 4 },
      },
    });
    expect(view.dueDiligence).not.toHaveProperty('owner');
    expectNoPersonalData(view);
  });

  it('waiting for the owner: a weak verdict, and the owner’s decision waiting', () => {
    const view = statusOf(onboardingWith('active'), { answers: weakAnswers, verdict: weak });

    expect(view.dueDiligence).toMatchObject({
      state: 'waiting-for-owner',
      answered: 3,
      independentAnswers: 2,
      flaggedAnswers: 1,
      verdict: { outcome: 'ask-owner', average: 3, at: SCORED_AT },
      owner: { decision: 'waiting' },
    });
    expect(view.dueDiligence?.verdict?.reason).toContain('the independent average 3.0 of 5 is below 3.5');
    expectNoPersonalData(view);
  });

  it('counts from the verdict once scored, not from answers read since', () => {
    const view = statusOf(onboardingWith('active'), { answers: [], verdict: weak });

    expect(view.dueDiligence).toMatchObject({ answered: 3, independentAnswers: 2, flaggedAnswers: 1 });
  });

  it('decided: the owner’s choice, when and why, without who decided', () => {
    const view = statusOf(onboardingWith('active'), { answers: weakAnswers, verdict: decided('continue') });

    expect(view.dueDiligence).toMatchObject({
      state: 'decided',
      verdict: { outcome: 'ask-owner' },
      owner: {
        decision: 'continue',
        at: DECIDED_AT,
        reason: 'the owner decided to go ahead with the kickoff',
      },
    });
    expect(view.dueDiligence?.owner).not.toHaveProperty('by');
    expectNoPersonalData(view);
  });

  it('decided: an abort, and no decision by the deadline, on an onboarding that did not start', () => {
    const aborted = statusOf(onboardingWith('aborted'), { answers: weakAnswers, verdict: decided('abort') });
    const none = statusOf(onboardingWith('aborted'), { answers: weakAnswers, verdict: timedOut });

    expect([aborted.dueDiligence?.state, aborted.dueDiligence?.owner]).toEqual([
      'decided',
      { decision: 'abort', at: DECIDED_AT, reason: 'the owner decided not to start the onboarding' },
    ]);
    expect([none.dueDiligence?.state, none.dueDiligence?.owner]).toEqual([
      'decided',
      {
        decision: 'none',
        at: '2026-12-07T10:00:00.000Z',
        reason: 'no decision from the owner in time: the onboarding does not start',
      },
    ]);
    expectNoPersonalData(aborted);
    expectNoPersonalData(none);
  });

  it('stopped: cancelled while asking, or while the owner was asked, waits for nothing', () => {
    const whileAsking = statusOf(onboardingWith('cancelled'), { answers: [answer(1, [4, 4, 4])] });
    const whileAsked = statusOf(onboardingWith('cancelled'), { answers: weakAnswers, verdict: weak });

    expect(whileAsking.dueDiligence).toMatchObject({ state: 'stopped', answered: 1 });
    expect(whileAsked.dueDiligence).toMatchObject({ state: 'stopped', verdict: { outcome: 'ask-owner' } });
    expect(whileAsked.dueDiligence).not.toHaveProperty('owner');
    expectNoPersonalData(whileAsking);
    expectNoPersonalData(whileAsked);
  });

  it('keeps a passed due diligence as passed after the onboarding ended', () => {
    const view = statusOf(onboardingWith('completed'), { answers: goodAnswers, verdict: passed });

    expect(view.dueDiligence?.state).toBe('passed');
  });

  it('follows the plan’s own thresholds', () => {
    const strict = planFixture({
      references: REFERENCES,
      dueDiligence: { minIndependentAnswers: 1, minAverage: 4, answerDays: 4, reminderAfterDays: 2 },
    });

    const view = statusOf(onboardingWith('active', strict), { answers: [] });

    expect(view.dueDiligence).toMatchObject({
      needed: { independentAnswers: 1, average: 4 },
      remindAt: '2026-12-01T10:00:00.000Z',
      dueAt: '2026-12-03T10:00:00.000Z',
    });
  });
});

describe('the status of a pause and of its end', () => {
  const plain = planFixture();
  const base = { ...onboardingWith('active', plain), pausedAt: '2026-12-10T14:00:00.000Z' };
  const week1 = weekRecordFixture(plain, 1, 0);
  const view = (onboarding: Onboarding) =>
    onboardingStatusView(onboarding, [week1], [], '2026-12-11T10:00:00.000Z');

  it('says until when a paused onboarding can be resumed: the release it holds, moved as far as the run can go', () => {
    const paused = view({ ...base, status: 'paused' });

    expect(paused.resumeBy).toBe(resumeDeadline(base, 2));
    expect(paused).not.toHaveProperty('cancelReason');
  });

  it('says why onramp cancelled one whose pause lasted too long, and nothing about resuming', () => {
    const cancelled = view({
      ...base,
      status: 'cancelled',
      cancelledAt: '2027-10-01T13:00:00.000Z',
      cancelReason: 'paused-too-long',
    });

    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'paused-too-long' });
    expect(cancelled).not.toHaveProperty('resumeBy');
  });
});
