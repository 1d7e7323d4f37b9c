import { clock } from '#adapters/clock';
import { readEmail } from '#adapters/config';
import { failureEmails } from '#core/emails/failure';
import { failedStateSchema } from '#core/onboarding';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/** Who hears of every failure, also when no owner can be told (a plan that could not be read). */
const operatorEmail = readEmail(process.env, 'OPERATOR_EMAIL');

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
      operatorEmail,
    }),
  );
  return {
    Error: error.Error,
    Cause: `Onboarding ${onboardingId} failed; the owner and the operator were told.`,
  };
});
