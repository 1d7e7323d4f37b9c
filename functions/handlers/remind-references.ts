import { readString } from '#adapters/config';
import { secretFromEnvironment } from '#adapters/secrets';
import { workflowStateSchema } from '#core/onboarding';
import { logger } from './shared/logger.ts';
import { outbox } from './shared/outbox.ts';
import { referenceEmailWithLinks } from './shared/reference-links.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/** Read at cold start: the key only by its ARN (the value is fetched, and cached, when signing). */
const linkKey = secretFromEnvironment(process.env, 'LINK_SECRET_ARN', 'link signing');
const publicUrl = readString(process.env, 'PUBLIC_BASE_URL');
if (!/^https?:\/\/[^\s/]+/.test(publicUrl)) {
  throw new Error(`Environment variable PUBLIC_BASE_URL must be an http(s) URL, got "${publicUrl}"`);
}

const remindInput = workflowStateSchema.extend({
  dueDiligence: workflowStateSchema.shape.dueDiligence.unwrap().required({ dueAt: true }),
});

/**
 * Due diligence, at the reminder time: each reference who has not answered yet gets one
 * reminder with fresh links (the same deadline); those who answered get nothing. Once, however
 * often the step is retried.
 */
export const handler = workflowStep('remind-references', remindInput, async (state) => {
  const { onboardingId } = state;
  const { dueAt } = state.dueDiligence;
  const [{ plan, status }, answers] = await Promise.all([
    store.getOnboarding(onboardingId),
    store.listReferenceAnswers(onboardingId),
  ]);
  // Cancelled meanwhile, the stop not arrived yet: no reference is reminded (see ask-references).
  if (status === 'cancelled') return state;
  const answered = new Set(answers.map((a) => a.reference));
  const key = await linkKey.value();
  const reminders = plan.references.flatMap((_, i) =>
    answered.has(i + 1)
      ? []
      : [referenceEmailWithLinks(plan, { publicUrl, key, reference: i + 1, dueAt, reminder: true })],
  );
  const sent = await outbox.sendOnce(onboardingId, reminders);
  logger.info('references reminded', { onboardingId, silent: reminders.length, sent });
  return state;
});
