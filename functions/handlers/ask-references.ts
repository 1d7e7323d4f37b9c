import { readString } from '#adapters/config';
import { secretFromEnvironment } from '#adapters/secrets';
import { dueDiligenceTimes } from '#core/due-diligence';
import { type WorkflowState, workflowStateSchema } from '#core/onboarding';
import { weekSchedule } from '#core/schedule';
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

const askInput = workflowStateSchema.required({ dueDiligence: true });

/**
 * Due diligence, first step: each reference of the plan gets an email asking about the partner
 * (three one-click scores and a form for a comment), once however often the step is retried. The
 * times count from the day the plan was submitted, as its validation did (so a retry asks with
 * the same deadline); the workflow learns when to remind and when to score, and nothing else.
 */
export const handler = workflowStep('ask-references', askInput, async (state): Promise<WorkflowState> => {
  const { onboardingId } = state;
  const onboarding = await store.getOnboarding(onboardingId);
  const { plan } = onboarding;
  const releaseAt = state.releaseAt ?? weekSchedule(plan, 1, onboarding.pausedWeeks).releaseAt;
  const { remindAt, dueAt } = dueDiligenceTimes(plan, onboarding.createdAt, releaseAt);
  // Cancelled after Accept, before the cancel's StopExecution arrived: nobody is asked about a
  // partner the owner let go. The workflow's times still follow (its Waits need them); the stop
  // ends the run, or failing that the release does, each step on the way sending nothing.
  if (onboarding.status !== 'cancelled') {
    const key = await linkKey.value();
    const emails = plan.references.map((_, i) =>
      referenceEmailWithLinks(plan, { publicUrl, key, reference: i + 1, dueAt, reminder: false }),
    );
    await outbox.sendOnce(onboardingId, emails);
  }
  return { ...state, dueDiligence: { references: plan.references.length, remindAt, dueAt } };
});
