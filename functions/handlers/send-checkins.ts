import { checkinEmails } from '#core/emails/weekly';
import { workflowStateSchema } from '#core/onboarding';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/** At the check-in: the meeting reminder and this week's batch, to owner and partner. */
export const handler = workflowStep('send-checkins', workflowStateSchema, async (state) => {
  const { onboarding, week } = await store.getOnboardingWeek(state.onboardingId, state.week);
  await outbox.sendOnce(state.onboardingId, checkinEmails(onboarding.plan, week));
  return state;
});
