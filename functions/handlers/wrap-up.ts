import { clock } from '#adapters/clock';
import { summaryEmail } from '#core/emails/wrap-up';
import { workflowStateSchema } from '#core/onboarding';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/**
 * The end: the owner's summary (volume and ratings week by week), and status completed. One
 * cancelled since the gate decided (its stop not arrived yet) has ended already: nothing is sent
 * or written, and the run ends with the status the cancel set.
 */
export const handler = workflowStep('wrap-up', workflowStateSchema, async (state) => {
  const {
    onboarding: { plan, status },
    weeks,
    feedback,
  } = await store.getOnboardingHistory(state.onboardingId);
  if (status === 'cancelled') return { onboardingId: state.onboardingId, status, weeks: weeks.length };
  await outbox.sendOnce(state.onboardingId, [summaryEmail(plan, weeks, feedback)]);
  const completed = await store.updateProgress(state.onboardingId, {
    status: 'completed',
    updatedAt: clock.now().toISOString(),
  });
  // A cancel that landed during this step keeps its status, and the run's output says so.
  return {
    onboardingId: state.onboardingId,
    status: completed ? ('completed' as const) : ('cancelled' as const),
    weeks: weeks.length,
  };
});
