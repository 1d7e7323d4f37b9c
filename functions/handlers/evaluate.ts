import { clock } from '#adapters/clock';
import { decideNextStage, isFinished } from '#core/gate';
import { type WorkflowState, workflowStateSchema } from '#core/onboarding';
import { weekSchedule } from '#core/schedule';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

const evaluateInput = workflowStateSchema.required({ remaining: true });

/**
 * After the feedback window: the gate decides next week's stage, the decision is recorded on the
 * week in words, and the workflow learns whether to run another week or wrap up (every task
 * released, or the plan's last week).
 */
export const handler = workflowStep('evaluate', evaluateInput, async (state): Promise<WorkflowState> => {
  const { onboardingId, week, stage, remaining } = state;
  const { plan } = await store.getOnboarding(onboardingId);
  const done = isFinished(plan, week, remaining);
  const decision = decideNextStage(plan, stage);

  await store.setWeekDecision(onboardingId, week, done ? finalDecision(remaining) : decision.reason);
  if (done) return { onboardingId, week, stage, remaining, done: true };

  await store.updateProgress(onboardingId, {
    week: week + 1,
    stage: decision.toStage,
    updatedAt: clock.now().toISOString(),
  });
  return {
    onboardingId,
    week: week + 1,
    stage: decision.toStage,
    releaseAt: weekSchedule(plan, week + 1).releaseAt,
    done: false,
  };
});

function finalDecision(remaining: number): string {
  return remaining === 0
    ? 'all work released: wrap up'
    : `the plan's last week: wrap up with ${remaining} task${remaining === 1 ? '' : 's'} not released`;
}
