import { describe, expect, it } from 'vitest';
import type { Feedback, WeekFeedback } from '#core/feedback';
import {
  decideNextStage,
  endOfWeek,
  type GateInput,
  type GateOutcome,
  lastWeek,
  type PastWeek,
} from '#core/gate';
import { planFixture, weekRecordFixture } from './fixtures.ts';

// Curve 10, 25, 50, 75, 100; advance at 4, step back below 3, partner at least 3, 80% on time.
const plan = planFixture();

const answer = (role: 'owner' | 'partner', rating: number, unfinishedTaskIds: string[] = []): Feedback => ({
  week: 2,
  role,
  rating,
  unfinishedTaskIds,
  source: 'link',
  at: '2026-12-17T14:00:00Z',
});
/** An earlier week as the gate remembers it: what it decided, from and to which stage. */
const past = (outcome: GateOutcome, fromStage = 1): PastWeek => ({
  outcome,
  fromStage,
  toStage: outcome === 'advance' ? fromStage + 1 : outcome === 'step-back' ? fromStage - 1 : fromStage,
});
const pasts = (...outcomes: GateOutcome[]) => outcomes.map((o) => past(o));

const good: WeekFeedback = { owner: answer('owner', 5), partner: answer('partner', 4) };

function decide(overrides: Partial<GateInput> = {}) {
  return decideNextStage({
    plan,
    stage: 1,
    worked: 4,
    feedback: good,
    history: pasts('advance'),
    ...overrides,
  });
}

describe('the weekly gate', () => {
  it('advances one stage when the owner rates the work well, the partner copes and the work is done', () => {
    expect(decide()).toEqual({
      outcome: 'advance',
      fromStage: 1,
      toStage: 2,
      releaseNew: true,
      reason: 'advance from 25% to 50%: the owner rated the work 5/5, the partner the week 4/5',
    });
  });

  it('stays at full volume on a good week at the top stage', () => {
    expect(decide({ stage: 4 })).toMatchObject({
      outcome: 'advance',
      toStage: 4,
      reason: expect.stringMatching(/^stay at full volume/),
    });
  });

  it('holds, releasing nothing new, when the owner rating is below the advance threshold', () => {
    const decision = decide({ feedback: { ...good, owner: answer('owner', 3) } });

    expect(decision).toMatchObject({ outcome: 'hold', toStage: 1, releaseNew: false });
    expect(decision.reason).toBe('hold at 25%: the owner rated the work 3/5 (4 needed to advance)');
  });

  it('holds when too much of the week is unfinished, naming how much', () => {
    const decision = decide({ feedback: { ...good, owner: answer('owner', 5, ['a', 'b']) } });

    expect(decision.outcome).toBe('hold');
    expect(decision.reason).toContain('2 of 4 tasks not finished on time');
  });

  it('holds when the partner finds the week too much, even if the work is good', () => {
    const decision = decide({ feedback: { ...good, partner: answer('partner', 2) } });

    expect(decision.outcome).toBe('hold');
    expect(decision.reason).toContain('the partner rated the week 2/5 (3 needed)');
  });

  it('holds when one side is silent, and says which', () => {
    expect(decide({ feedback: { partner: good.partner } }).reason).toContain('no rating from the owner');
    expect(decide({ feedback: { owner: good.owner } }).reason).toContain('no word from the partner');
  });

  it('steps back a stage, lowering next week’s cap, when the owner rates the work poorly', () => {
    const decision = decide({ stage: 2, feedback: { ...good, owner: answer('owner', 2) } });

    expect(decision).toMatchObject({ outcome: 'step-back', fromStage: 2, toStage: 1, releaseNew: true });
    expect(decision.reason).toBe('step back from 50% to 25%: the owner rated the work 2/5 (below 3)');
  });

  it('holds instead of stepping back at the first stage', () => {
    expect(decide({ stage: 0, feedback: { ...good, owner: answer('owner', 1) } })).toMatchObject({
      outcome: 'hold',
      toStage: 0,
    });
  });

  it('asks the owner when both sides are silent', () => {
    const decision = decide({ feedback: {} });

    expect(decision).toMatchObject({ outcome: 'escalate', toStage: 1, releaseNew: false });
    expect(decision.reason).toBe('ask the owner, no feedback from either side this week: hold at 25%');
  });

  it('asks the owner after two holds in a row', () => {
    const decision = decide({
      history: pasts('advance', 'hold'),
      feedback: { ...good, owner: answer('owner', 3) },
    });

    expect(decision.outcome).toBe('escalate');
    expect(decision.reason).toMatch(
      /^ask the owner, held two weeks in a row \(the owner rated the work 3\/5/,
    );
  });

  it('asks the owner after a step back follows a step back, and still steps back', () => {
    const decision = decide({
      stage: 2,
      history: pasts('step-back'),
      feedback: { ...good, owner: answer('owner', 2) },
    });

    expect(decision).toMatchObject({ outcome: 'escalate', toStage: 1, releaseNew: false });
  });

  it('asks the owner when a step back follows an escalation that stepped back', () => {
    const stepBackThenEscalated: PastWeek = { outcome: 'escalate', fromStage: 3, toStage: 2 };

    const decision = decide({
      stage: 2,
      history: [stepBackThenEscalated],
      feedback: { ...good, owner: answer('owner', 2) },
    });

    expect(decision).toMatchObject({ outcome: 'escalate', toStage: 1 });
  });

  it('counts an escalation that held as a hold', () => {
    const decision = decide({
      history: [past('escalate')],
      feedback: { ...good, owner: answer('owner', 3) },
    });

    expect(decision.reason).toMatch(/held two weeks in a row/);
  });

  it('does not count an escalation the owner continued from as a hold: new work went out', () => {
    const continued: PastWeek = {
      ...past('escalate'),
      owner: { choice: 'continue' },
    };

    const decision = decide({
      history: [continued],
      feedback: { ...good, owner: answer('owner', 3) },
    });

    expect(decision.outcome).toBe('hold');
    expect(decision.reason).not.toMatch(/held two weeks in a row/);
  });

  it('does not call a middling week after an escalated step back a second hold', () => {
    const decision = decide({
      history: [{ outcome: 'escalate', fromStage: 2, toStage: 1 }],
      feedback: { ...good, owner: answer('owner', 3) },
    });

    expect(decision.outcome).toBe('hold');
  });

  it('does not escalate a step back that follows a hold', () => {
    expect(
      decide({ stage: 2, history: pasts('hold'), feedback: { ...good, owner: answer('owner', 2) } }).outcome,
    ).toBe('step-back');
  });

  it('takes its thresholds from the plan', () => {
    const lenient = { ...plan, gate: { ...plan.gate, advanceAt: 3 } };

    expect(decide({ plan: lenient, feedback: { ...good, owner: answer('owner', 3) } }).outcome).toBe(
      'advance',
    );
  });
});

describe('the end of an onboarding', () => {
  it('moves the last week later by one for each setback, up to the plan’s maximum', () => {
    expect(lastWeek(plan, pasts('advance', 'advance'))).toBe(7);
    expect(lastWeek(plan, pasts('advance', 'hold', 'step-back'))).toBe(9);
    expect(lastWeek(plan, pasts('hold', 'hold', 'escalate', 'escalate', 'escalate', 'hold'))).toBe(11);
  });

  const week = (number: number) => weekRecordFixture(plan, number, 1);

  it('ends early after a good week in which every task is handed over and finished', () => {
    const end = endOfWeek({ plan, week: week(3), feedback: good, history: [], remaining: 0 });

    expect(end).toMatchObject({ done: true, decision: { outcome: 'finish' }, unfinishedTaskIds: [] });
  });

  it('does not end early when the owner is silent, even with every task released', () => {
    const end = endOfWeek({
      plan,
      week: week(3),
      feedback: { partner: good.partner },
      history: [],
      remaining: 0,
    });

    expect(end).toMatchObject({ done: false, decision: { outcome: 'hold' } });
  });

  it('carries a week’s work over when the owner does not answer: nothing is taken as handed over', () => {
    const worked = week(3)
      .tasks.filter((t) => !t.recurring)
      .map((t) => t.taskId);

    const end = endOfWeek({
      plan,
      week: week(3),
      feedback: { partner: good.partner },
      history: [],
      remaining: 2,
    });

    expect(worked.length).toBeGreaterThan(0);
    expect(end.unfinishedTaskIds).toEqual(worked);
  });

  it('does not end early while a task is left unfinished, and carries it over', () => {
    const [task] = week(3).tasks.filter((t) => !t.recurring);
    const feedback = { ...good, owner: answer('owner', 5, [task!.taskId, task!.taskId, 'not-this-week']) };

    const end = endOfWeek({ plan, week: week(3), feedback, history: [], remaining: 0 });

    expect(end).toMatchObject({ done: false, unfinishedTaskIds: [task!.taskId] });
  });

  it('asks the owner in the plan’s last week knowing that “continue” would wrap up, and earlier not', () => {
    const last = endOfWeek({ plan, week: week(7), feedback: {}, history: pasts('advance'), remaining: 3 });
    const earlier = endOfWeek({ plan, week: week(5), feedback: {}, history: pasts('advance'), remaining: 3 });

    expect(plan.weeks).toBe(7);
    expect(last).toMatchObject({ done: false, decision: { outcome: 'escalate', continueEnds: true } });
    expect(earlier.decision).toMatchObject({ outcome: 'escalate' });
    expect(earlier.decision).not.toHaveProperty('continueEnds');
  });

  it('ends at the last week whatever was handed over, and says how much was not', () => {
    const end = endOfWeek({ plan, week: week(7), feedback: good, history: pasts('advance'), remaining: 3 });

    expect(end.done).toBe(true);
    expect(end.decision.reason).toBe("the plan's last week: wrap up with 3 tasks not handed over");
  });
});
