import { clock } from '#adapters/clock';
import { PlanInvalid } from '#core/errors';
import { type WorkflowState, workflowStateSchema } from '#core/onboarding';
import { weekSchedule } from '#core/schedule';
import { validatePlan } from '#core/validate-plan';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

const acceptInput = workflowStateSchema.pick({ onboardingId: true });

/**
 * First step: the stored plan is validated again (as of the day it was submitted, so a start
 * date that has since passed is not an error) and the onboarding becomes active at week 1; a
 * plan that lists references goes through due diligence before its kickoff.
 * An onboarding cancelled before this execution ran ends here (`release: 'cancelled'`).
 */
export const handler = workflowStep(
  'accept',
  acceptInput,
  async ({ onboardingId }): Promise<WorkflowState> => {
    const onboarding = await store.getOnboarding(onboardingId);
    // A cancel that landed between the start's write and its StartExecution found no execution to
    // stop, and told both sides already: nothing is sent, and the run ends as a cancelled release
    // does. Checked before the plan, so a cancelled onboarding never ends as failed.
    if (onboarding.status === 'cancelled') {
      return { onboardingId, week: 1, stage: 0, release: 'cancelled' };
    }
    const result = validatePlan(onboarding.plan, { now: onboarding.createdAt, id: onboarding.id });
    if (!result.ok) throw new PlanInvalid(result.issues);

    await store.updateProgress(onboardingId, {
      status: 'active',
      updatedAt: clock.now().toISOString(),
    });
    const { references } = onboarding.plan;
    return {
      onboardingId,
      week: 1,
      stage: 0,
      releaseAt: weekSchedule(onboarding.plan, 1).releaseAt,
      // The plan lists references: due diligence comes before the kickoff.
      ...(references.length > 0 ? { dueDiligence: { references: references.length } } : {}),
    };
  },
);
