import { kickoffEmails } from '#core/emails/kickoff';
import { workflowStateSchema } from '#core/onboarding';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/**
 * Sends the plan to owner and partner: tasks by priority, the ramp, the dated check-ins. Sends
 * nothing to a cancelled onboarding.
 */
export const handler = workflowStep('kickoff', workflowStateSchema, async (state) => {
  const { plan, status } = await store.getOnboarding(state.onboardingId);
  // Cancelled after Accept, before the cancel's StopExecution arrived: the partner has been told
  // it is cancelled, so no kickoff follows. The stop ends the run; failing that, the release step
  // finds it cancelled and ends it (release: 'cancelled').
  if (status === 'cancelled') return state;
  await outbox.sendOnce(state.onboardingId, kickoffEmails(plan));
  return state;
});
