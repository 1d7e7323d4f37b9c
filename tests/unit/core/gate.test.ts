import { describe, expect, it } from 'vitest';
import { decideNextStage, isFinished } from '#core/gate';
import { planFixture } from './fixtures.ts';

describe('decideNextStage', () => {
  const plan = planFixture({ ramp: { targetWeeklyVolume: 40, curve: [10, 25, 50, 75, 100], stages: 5 } });

  it('advances from the first stage to the second', () => {
    const decision = decideNextStage(plan, 0);

    expect(decision).toMatchObject({ outcome: 'advance', fromStage: 0, toStage: 1 });
  });

  it('gives the reason for advancing in words, as percentages of the target', () => {
    const decision = decideNextStage(plan, 1);

    expect(decision.reason).toBe('advance from 25% to 50% of the target volume');
  });

  it('advances from the second-to-last stage to the top', () => {
    const decision = decideNextStage(plan, 3);

    expect(decision).toMatchObject({ outcome: 'advance', fromStage: 3, toStage: 4 });
  });

  it('holds at the top stage, saying full volume is reached', () => {
    const decision = decideNextStage(plan, 4);

    expect(decision).toEqual({
      outcome: 'hold',
      fromStage: 4,
      toStage: 4,
      reason: 'full volume (100%) reached',
    });
  });

  it('holds at the top stage when asked about a stage past the end', () => {
    const decision = decideNextStage(plan, 7);

    expect(decision).toMatchObject({ outcome: 'hold', toStage: 4 });
  });

  it('holds at once on a one-stage ramp', () => {
    const decision = decideNextStage(
      planFixture({ ramp: { targetWeeklyVolume: 40, curve: [100], stages: 5 } }),
      0,
    );

    expect(decision).toMatchObject({ outcome: 'hold', toStage: 0 });
  });

  it('follows a named curve', () => {
    const decision = decideNextStage(
      planFixture({ ramp: { targetWeeklyVolume: 40, curve: 'linear', stages: 5 } }),
      0,
    );

    expect(decision.reason).toBe('advance from 20% to 40% of the target volume');
  });
});

describe('isFinished', () => {
  const plan = planFixture({ weeks: 6 });

  it('is not finished while tasks remain and weeks remain', () => {
    expect(isFinished(plan, 2, 1)).toBe(false);
  });

  it('is finished once no task remains, before the last week', () => {
    expect(isFinished(plan, 2, 0)).toBe(true);
  });

  it('is finished at the plan’s last week even with tasks left', () => {
    expect(isFinished(plan, 6, 2)).toBe(true);
  });
});
