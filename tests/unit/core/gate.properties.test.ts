import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Feedback, WeekFeedback } from '#core/feedback';
import { endOfWeek, type GateOutcome, lastWeek, type PastWeek } from '#core/gate';
import { releasesNewWork, type WeekRecord, workedTaskIds } from '#core/onboarding';
import type { Plan } from '#core/plan';
import { planBatch, stagePercentages } from '#core/ramp';
import { weekSchedule } from '#core/schedule';
import { validatePlan } from '#core/validate-plan';
import { NOW, planInputFixture, taskInputFixture } from './fixtures.ts';

/**
 * Properties of whole runs under any feedback: the workflow's weekly loop (release, answers, end
 * of week) replayed in core, over generated plans and generated answers week after week.
 */

const planArb = fc
  .record({
    efforts: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 25 }),
    priorities: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 25, maxLength: 25 }),
    recurring: fc.array(fc.nat(6), { minLength: 25, maxLength: 25 }),
    extraWeeks: fc.integer({ min: 0, max: 8 }),
    maxExtraWeeks: fc.integer({ min: 0, max: 6 }),
    target: fc.integer({ min: 10, max: 60 }),
  })
  .map(({ efforts, priorities, recurring, extraWeeks, maxExtraWeeks, target }) => {
    const input = planInputFixture({
      ramp: { targetWeeklyVolume: target },
      weeks: 5 + extraWeeks,
      gate: { maxExtraWeeks },
      tasks: efforts.map((effort, i) =>
        taskInputFixture({ id: `t${i}`, effort, priority: priorities[i]!, recurring: recurring[i] === 0 }),
      ),
    });
    const result = validatePlan(input, { now: NOW });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.plan;
  });

/** One side's answer to a week: silence, or a rating (the owner also names unfinished tasks by position). */
const answerArb = fc.option(
  fc.record({ rating: fc.integer({ min: 1, max: 5 }), unfinished: fc.array(fc.nat(30), { maxLength: 3 }) }),
  {
    nil: undefined,
  },
);
const weeksOfAnswersArb = fc.array(fc.record({ owner: answerArb, partner: answerArb }), {
  minLength: 60,
  maxLength: 60,
});

interface Run {
  weeks: Array<WeekRecord & { outcome: GateOutcome | 'finish' }>;
  released: string[];
  history: PastWeek[];
}

/** The workflow's loop, week by week, as the handlers run it. */
type Answers = Array<{
  owner?: { rating: number; unfinished: number[] };
  partner?: { rating: number; unfinished: number[] };
}>;

function run(plan: Plan, answers: Answers): Run {
  const released: string[] = [];
  const history: PastWeek[] = [];
  const weeks: Run['weeks'] = [];
  let stage = 0;
  let carried: string[] = [];
  let releaseNew = true;
  for (let week = 1; week <= 60; week++) {
    const schedule = weekSchedule(plan, week);
    const record: WeekRecord = {
      week,
      ...planBatch(plan, { stage, releasedBefore: released, carried, releaseNew }),
      releasedAt: schedule.releaseAt,
      checkinAt: schedule.checkinAt,
      feedbackDueAt: schedule.feedbackDueAt,
    };
    released.push(...record.tasks.map((t) => t.taskId));
    const worked = workedTaskIds(record);
    const said = answers[week - 1]!;
    const answer = (
      role: Feedback['role'],
      given?: { rating: number; unfinished: number[] },
    ): Feedback | undefined =>
      given && {
        week,
        role,
        rating: given.rating,
        unfinishedTaskIds:
          role === 'owner' && worked.length > 0
            ? given.unfinished.map((i) => worked[i % worked.length]!)
            : [],
        source: 'api',
        at: schedule.checkinAt,
      };
    const feedback: WeekFeedback = {
      owner: answer('owner', said.owner),
      partner: answer('partner', said.partner),
    };
    const end = endOfWeek({
      plan,
      week: record,
      feedback,
      history,
      remaining: plan.tasks.length - released.length,
    });
    weeks.push({ ...record, outcome: end.decision.outcome });
    if (end.done) return { weeks, released, history };
    if (end.decision.outcome === 'finish') throw new Error('a finish that is not done');
    history.push(end.decision);
    stage = end.decision.toStage;
    carried = end.unfinishedTaskIds;
    releaseNew = releasesNewWork(end.decision);
  }
  throw new Error('the run never ended');
}

describe('whole runs under any feedback', () => {
  it('end by the plan’s last week plus the extra weeks its setbacks allow, and never past week 52', () => {
    fc.assert(
      fc.property(planArb, weeksOfAnswersArb, (plan, answers) => {
        const { weeks, history } = run(plan, answers);

        expect(weeks.length).toBeLessThanOrEqual(Math.min(52, plan.weeks + plan.gate.maxExtraWeeks));
        expect(weeks.length).toBeLessThanOrEqual(
          lastWeek(plan, [...history, { outcome: 'advance', fromStage: 0, toStage: 1 }]),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('move the stage at most one step a week, within the curve', () => {
    fc.assert(
      fc.property(planArb, weeksOfAnswersArb, (plan, answers) => {
        const { weeks } = run(plan, answers);
        const last = stagePercentages(plan.ramp).length - 1;

        weeks.forEach((w, i) => {
          expect(w.stage).toBeGreaterThanOrEqual(0);
          expect(w.stage).toBeLessThanOrEqual(last);
          if (i > 0) expect(Math.abs(w.stage - weeks[i - 1]!.stage)).toBeLessThanOrEqual(1);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('release every task at most once, and nothing new in a week after a hold or an escalation', () => {
    fc.assert(
      fc.property(planArb, weeksOfAnswersArb, (plan, answers) => {
        const { weeks, released } = run(plan, answers);

        expect(new Set(released).size).toBe(released.length);
        weeks.forEach((w, i) => {
          const before = weeks[i - 1]?.outcome;
          if (before === 'hold' || before === 'escalate') expect(w.tasks).toEqual([]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('end early only after a good week in which nothing was left', () => {
    fc.assert(
      fc.property(planArb, weeksOfAnswersArb, (plan, answers) => {
        const { weeks, history } = run(plan, answers);
        const lastOne = weeks.at(-1)!;

        if (weeks.length < lastWeek(plan, history)) {
          const said = answers[weeks.length - 1]!;
          expect(said.owner?.rating ?? 0).toBeGreaterThanOrEqual(plan.gate.advanceAt);
          expect(said.partner?.rating ?? 0).toBeGreaterThanOrEqual(plan.gate.partnerAtLeast);
          expect(lastOne.outcome).toBe('finish');
        }
      }),
      { numRuns: 300 },
    );
  });
});
