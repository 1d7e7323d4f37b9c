import { clock } from '#adapters/clock';
import { failureEmails } from '#core/emails/failure';
import { failedStateSchema } from '#core/onboarding';
import { mailConfig, outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/**
 * Reached from any step's Catch: marks the onboarding failed with the error's name and tells the
 * owner (and the operator). Returns the error for the state machine's Fail state.
 */
export const handler = workflowStep('mark-failed', failedStateSchema, async ({ onboardingId, error }) => {
  const onboarding = await store.findOnboarding(onboardingId);
  if (onboarding) {
    await store.updateProgress(onboardingId, {
      status: 'failed',
      failure: error.Error,
      updatedAt: clock.now().toISOString(),
    });
  }
  await outbox.sendOnce(
    onboardingId,
    failureEmails({
      onboardingId,
      errorName: error.Error,
      plan: onboarding?.plan,
      operatorEmail: mailConfig.operatorEmail,
    }),
  );
  return {
    Error: error.Error,
    Cause: `Onboarding ${onboardingId} failed; the owner and the operator were told.`,
  };
});
