import type { Plan } from './plan.ts';
import { stagePercentages } from './ramp.ts';

export interface GateDecision {
  outcome: 'advance' | 'hold';
  fromStage: number;
  toStage: number;
  /** The decision in words, for the emails and the timeline. */
  reason: string;
}

/**
 * The weekly gate. For now every week advances one stage along the ramp and holds at the top;
 * decisions from feedback (hold, step back, ask the owner) build on this shape.
 */
export function decideNextStage(plan: Pick<Plan, 'ramp'>, stage: number): GateDecision {
  const percentages = stagePercentages(plan.ramp);
  const last = percentages.length - 1;
  if (stage >= last) {
    return {
      outcome: 'hold',
      fromStage: stage,
      toStage: last,
      reason: `full volume (${percentages[last]}%) reached`,
    };
  }
  return {
    outcome: 'advance',
    fromStage: stage,
    toStage: stage + 1,
    reason: `advance from ${percentages[stage]}% to ${percentages[stage + 1]}% of the target volume`,
  };
}

/** The onboarding ends once every task is released, or at the plan's last week. */
export function isFinished(plan: Pick<Plan, 'weeks'>, week: number, remainingTasks: number): boolean {
  return remainingTasks === 0 || week >= plan.weeks;
}
