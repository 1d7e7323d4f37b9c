import { checkinEmails } from '#core/emails/weekly';
import { OnboardingNotFound } from '#core/errors';
import { workflowStateSchema } from '#core/onboarding';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/** At the check-in: the meeting reminder and this week's batch, to owner and partner. */
export const handler = workflowStep('send-checkins', workflowStateSchema, async (state) => {
  const [{ plan }, week] = await Promise.all([
    store.getOnboarding(state.onboardingId),
    store.getWeek(state.onboardingId, state.week),
  ]);
  if (!week) throw new OnboardingNotFound(`${state.onboardingId} week ${state.week}`);
  await outbox.sendOnce(state.onboardingId, checkinEmails(plan, week));
  return state;
});
