import { clock } from '#adapters/clock';
import { summaryEmail } from '#core/emails/wrap-up';
import { workflowStateSchema } from '#core/onboarding';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/** The end: the owner's summary (volume and ratings week by week), and status completed. */
export const handler = workflowStep('wrap-up', workflowStateSchema, async (state) => {
  const {
    onboarding: { plan },
    weeks,
    feedback,
  } = await store.getOnboardingHistory(state.onboardingId);
  await outbox.sendOnce(state.onboardingId, [summaryEmail(plan, weeks, feedback)]);
  await store.updateProgress(state.onboardingId, {
    status: 'completed',
    updatedAt: clock.now().toISOString(),
  });
  return { onboardingId: state.onboardingId, status: 'completed', weeks: weeks.length };
});
