import { kickoffEmails } from '#core/emails/kickoff';
import { workflowStateSchema } from '#core/onboarding';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/** Sends the plan to owner and partner: tasks by priority, the ramp, the dated check-ins. */
export const handler = workflowStep('kickoff', workflowStateSchema, async (state) => {
  const { plan } = await store.getOnboarding(state.onboardingId);
  await outbox.sendOnce(state.onboardingId, kickoffEmails(plan));
  return state;
});
