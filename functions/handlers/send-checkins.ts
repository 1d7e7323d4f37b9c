import { readString } from '#adapters/config';
import { secretFromEnvironment } from '#adapters/secrets';
import { checkinEmails, type FeedbackLink } from '#core/emails/weekly';
import { linkUrl, signLinkToken } from '#core/link-token';
import { workflowStateSchema } from '#core/onboarding';
import { feedbackLinkClaims } from '#core/pages/feedback';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/** Read at cold start: the key only by its ARN (the value is fetched, and cached, when signing). */
const linkKey = secretFromEnvironment(process.env, 'LINK_SECRET_ARN', 'link signing');
const publicUrl = readString(process.env, 'PUBLIC_BASE_URL');
if (!/^https?:\/\/[^\s/]+/.test(publicUrl)) {
  throw new Error(`Environment variable PUBLIC_BASE_URL must be an http(s) URL, got "${publicUrl}"`);
}

/**
 * At the check-in: the meeting reminder and this week's batch, to owner and partner, each with a
 * signed link to answer how the week went.
 */
export const handler = workflowStep('send-checkins', workflowStateSchema, async (state) => {
  const { onboarding, week } = await store.getOnboardingWeek(state.onboardingId, state.week);
  const key = await linkKey.value();
  const feedbackLink: FeedbackLink = (recipient) =>
    linkUrl(publicUrl, signLinkToken(feedbackLinkClaims(onboarding.id, week, recipient), key));
  await outbox.sendOnce(state.onboardingId, checkinEmails(onboarding.plan, week, feedbackLink));
  return state;
});
