import type { WeekFeedback } from './feedback.ts';
import { type RecordedDecision, type WeekRecord, workedTaskIds } from './onboarding.ts';
import type { Plan } from './plan.ts';
import { stagePercentages } from './ramp.ts';

export type GateOutcome = 'advance' | 'hold' | 'step-back' | 'escalate';

export interface GateDecision {
  outcome: GateOutcome;
  fromStage: number;
  toStage: number;
  /** False when next week adds no new work: it carries on with what was released. */
  releaseNew: boolean;
  /** The decision in words, for the emails and the timeline. */
  reason: string;
  /**
   * On an escalation: whether the owner's "continue" would end the onboarding after this week.
   * Continuing takes back the extra week the escalation adds, so in the plan's last week it wraps
   * up; the owner is told so, rather than promised next week's new work.
   */
  continueEnds?: boolean;
}

/**
 * What the gate needs to know of an earlier week's decision (and, when it asked the owner, what
 * they chose).
 */
export type PastWeek = Pick<GateDecision, 'outcome' | 'fromStage' | 'toStage'> & {
  owner?: { choice: string };
};

export interface GateInput {
  plan: Pick<Plan, 'ramp' | 'gate'>;
  /** This week's stage. */
  stage: number;
  /** Tasks the partner worked on this week that could be unfinished (new and carried, not recurring). */
  worked: number;
  feedback: WeekFeedback;
  /** The decisions of earlier weeks, oldest first. */
  history: readonly PastWeek[];
}

/**
 * The weekly gate: from the week's feedback, advance a stage, hold, step back, or ask the owner.
 * The owner's rating of the work decides the direction (thresholds from the plan); the partner's
 * own rating, unfinished work and silence can only hold it back. Two holds in a row, a step back
 * after a step back, or silence from both sides asks the owner.
 */
export function decideNextStage({ plan, stage, worked, feedback, history }: GateInput): GateDecision {
  const percent = stagePercentages(plan.ramp);
  const last = percent.length - 1;
  const at = (s: number) => `${percent[s]}%`;
  const previous = history.at(-1);
  // From what the weeks did, not what they were called: an escalation also holds or steps back.
  const previousSteppedBack = previous !== undefined && previous.toStage < previous.fromStage;
  // A week the owner chose to continue from released new work: it was not held (as lastWeek counts it).
  const previousHeld =
    previous !== undefined &&
    previous.outcome !== 'advance' &&
    previous.toStage === previous.fromStage &&
    previous.owner?.choice !== 'continue';
  const { owner, partner } = feedback;
  const gate = plan.gate;

  if (!owner && !partner) {
    return escalate(stage, `no feedback from either side this week: hold at ${at(stage)}`);
  }

  const problems: string[] = [];
  let stepBack = false;
  if (!owner) {
    problems.push('no rating from the owner');
  } else {
    if (owner.rating < gate.stepBackBelow) {
      stepBack = true;
      problems.push(`the owner rated the work ${owner.rating}/5 (below ${gate.stepBackBelow})`);
    } else if (owner.rating < gate.advanceAt) {
      problems.push(`the owner rated the work ${owner.rating}/5 (${gate.advanceAt} needed to advance)`);
    }
    const unfinished = owner.unfinishedTaskIds.length;
    if (worked > 0 && (worked - unfinished) / worked < gate.onTimeAtLeast) {
      problems.push(`${unfinished} of ${worked} task${worked === 1 ? '' : 's'} not finished on time`);
    }
  }
  if (!partner) {
    problems.push('no word from the partner');
  } else if (partner.rating < gate.partnerAtLeast) {
    problems.push(`the partner rated the week ${partner.rating}/5 (${gate.partnerAtLeast} needed)`);
  }

  if (problems.length === 0) {
    const praise = `the owner rated the work ${owner!.rating}/5, the partner the week ${partner!.rating}/5`;
    if (stage >= last) {
      return {
        outcome: 'advance',
        fromStage: stage,
        toStage: last,
        releaseNew: true,
        reason: `stay at full volume: ${praise}`,
      };
    }
    return {
      outcome: 'advance',
      fromStage: stage,
      toStage: stage + 1,
      releaseNew: true,
      reason: `advance from ${at(stage)} to ${at(stage + 1)}: ${praise}`,
    };
  }

  const why = problems.join('; ');
  if (stepBack && stage > 0) {
    if (previousSteppedBack)
      return escalate(stage - 1, `a second step back in a row (${why}): step back to ${at(stage - 1)}`);
    return {
      outcome: 'step-back',
      fromStage: stage,
      toStage: stage - 1,
      releaseNew: true,
      reason: `step back from ${at(stage)} to ${at(stage - 1)}: ${why}`,
    };
  }
  if (previousHeld) {
    return escalate(stage, `held two weeks in a row (${why}): hold at ${at(stage)}`);
  }
  return {
    outcome: 'hold',
    fromStage: stage,
    toStage: stage,
    releaseNew: false,
    reason: `hold at ${at(stage)}: ${why}`,
  };

  function escalate(toStage: number, reason: string): GateDecision {
    return {
      outcome: 'escalate',
      fromStage: stage,
      toStage,
      releaseNew: false,
      reason: `ask the owner, ${reason}`,
    };
  }
}

/**
 * The plan's last week, moved later by one week for every hold, step back or escalation so far,
 * up to `gate.maxExtraWeeks` (validation keeps the sum within 52 weeks). An escalation the owner
 * answered with "continue" goes on as planned: it adds no week.
 */
export function lastWeek(plan: Pick<Plan, 'weeks' | 'gate'>, history: readonly PastWeek[]): number {
  const setbacks = history.filter(
    (past) => past.outcome !== 'advance' && past.owner?.choice !== 'continue',
  ).length;
  return plan.weeks + Math.min(setbacks, plan.gate.maxExtraWeeks);
}

export interface WeekEnd {
  decision: RecordedDecision;
  /** Tasks of the week the owner reported unfinished: carried into the next week. */
  unfinishedTaskIds: string[];
  /** True when the onboarding wraps up after this week. */
  done: boolean;
}

/**
 * The end of a week: the gate's decision from the week's feedback, or the end of the onboarding.
 * It ends early only after a good week in which every task is handed over and nothing is left
 * unfinished; otherwise at its last week (see `lastWeek`), whatever was handed over by then.
 */
export function endOfWeek(input: {
  plan: Pick<Plan, 'ramp' | 'gate' | 'weeks'>;
  week: WeekRecord;
  feedback: WeekFeedback;
  history: readonly PastWeek[];
  /** Tasks never released so far. */
  remaining: number;
}): WeekEnd {
  const { plan, week, feedback, history, remaining } = input;
  const worked = workedTaskIds(week);
  // A silent owner confirmed nothing: the week's work is carried, not taken as handed over.
  const unfinishedTaskIds = [...new Set(feedback.owner?.unfinishedTaskIds ?? worked)].filter((id) =>
    worked.includes(id),
  );
  const owner = feedback.owner && { ...feedback.owner, unfinishedTaskIds };
  const gate = decideNextStage({
    plan,
    stage: week.stage,
    worked: worked.length,
    feedback: { ...feedback, owner },
    history,
  });
  const allHandedOver = remaining === 0 && unfinishedTaskIds.length === 0 && gate.outcome === 'advance';
  if (allHandedOver) {
    return {
      decision: { outcome: 'finish', reason: 'every task handed over and a good last week: wrap up' },
      unfinishedTaskIds,
      done: true,
    };
  }
  if (week.week >= lastWeek(plan, [...history, gate])) {
    const left = remaining + unfinishedTaskIds.length;
    const reason =
      left === 0
        ? `the plan's last week (${gate.reason}): wrap up`
        : `the plan's last week: wrap up with ${left} task${left === 1 ? '' : 's'} not handed over`;
    return { decision: { outcome: 'finish', reason }, unfinishedTaskIds, done: true };
  }
  if (gate.outcome === 'escalate') {
    const continued = { ...gate, owner: { choice: 'continue' } };
    if (week.week >= lastWeek(plan, [...history, continued])) {
      return { decision: { ...gate, continueEnds: true }, unfinishedTaskIds, done: false };
    }
  }
  return { decision: gate, unfinishedTaskIds, done: false };
}

/** The gate's decisions in the weeks before `week`, oldest first. */
export function gateHistory(weeks: readonly WeekRecord[], week: number): PastWeek[] {
  return weeks
    .filter((w) => w.week < week)
    .flatMap((w) => (w.decision && w.decision.outcome !== 'finish' ? [w.decision] : []));
}
