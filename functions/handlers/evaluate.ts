import { clock } from '#adapters/clock';
import { decideNextStage, isFinished } from '#core/gate';
import { type WorkflowState, workflowStateSchema } from '#core/onboarding';
import { weekSchedule } from '#core/schedule';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/**
 * After the feedback window: the gate decides next week's stage, the decision is recorded on the
 * week in words, and the workflow learns whether to run another week or wrap up.
 */
export const handler = workflowStep(
  'evaluate',
  workflowStateSchema,
  async (state): Promise<WorkflowState> => {
    const { onboardingId, week, stage } = state;
    const [{ plan }, weeks] = await Promise.all([
      store.getOnboarding(onboardingId),
      store.listWeeks(onboardingId),
    ]);
    const releasedCount = weeks.reduce((n, w) => n + w.tasks.length, 0);
    const done = isFinished(plan, week, releasedCount);
    const decision = decideNextStage(plan, stage);

    await store.setWeekDecision(onboardingId, week, done ? 'all work released: wrap up' : decision.reason);
    if (done) return { onboardingId, week, stage, done: true };

    await store.updateProgress(onboardingId, {
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
  },
);
