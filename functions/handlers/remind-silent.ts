import { clock } from '#adapters/clock';
import { readString } from '#adapters/config';
import { secretFromEnvironment } from '#adapters/secrets';
import { communicationHealth, longestSilence, silentSides } from '#core/communication-health';
import { reminderEmails } from '#core/emails/reminder';
import type { RatingLink } from '#core/emails/weekly';
import { OnboardingNotFound } from '#core/errors';
import { linkUrl, signLinkToken } from '#core/link-token';
import { workflowStateSchema } from '#core/onboarding';
import { ratingLinkClaims } from '#core/pages/feedback';
import { outbox } from './shared/outbox.ts';
import { replyAddressingFromEnvironment, withReplyAddresses } from './shared/reply-addressing.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/** Read at cold start: the key only by its ARN (the value is fetched, and cached, when signing). */
const linkKey = secretFromEnvironment(process.env, 'LINK_SECRET_ARN', 'link signing');
const publicUrl = readString(process.env, 'PUBLIC_BASE_URL');
/** The signed Reply-To, when this function has an inbound address: a reminder can be answered by email too. */
const replying = replyAddressingFromEnvironment(process.env);
if (!/^https?:\/\/[^\s/]+/.test(publicUrl)) {
  throw new Error(`Environment variable PUBLIC_BASE_URL must be an http(s) URL, got "${publicUrl}"`);
}

/**
 * When the week's feedback window closes: one reminder to each side that has not answered the
 * check-in (the same five signed rating links, valid until the grace period ends), the
 * communication health recorded on the week, and the onboarding marked at risk while a side is
 * silent beyond the plan's limit (the mark goes once both are heard from). Returns the end of the
 * grace period (`feedbackDueAt`), for the workflow's wait before the gate.
 */
export const handler = workflowStep('remind-silent', workflowStateSchema, async (state) => {
  const { onboardingId } = state;
  const { onboarding, weeks, feedback } = await store.getOnboardingHistory(onboardingId, 1);
  const week = weeks.find((w) => w.week === state.week);
  if (!week) throw new OnboardingNotFound(`${onboardingId} week ${state.week}`);
  // Cancelled meanwhile (the stop not arrived yet): nobody is reminded, nothing is recorded.
  if (onboarding.status === 'cancelled') return { ...state, feedbackDueAt: week.feedbackDueAt };
  const now = clock.now().toISOString();

  const silent = silentSides(week.week, feedback);
  if (silent.length > 0) {
    const key = await linkKey.value();
    const ratingLink: RatingLink = (recipient, rating) =>
      linkUrl(publicUrl, signLinkToken(ratingLinkClaims(onboardingId, week, recipient, rating), key));
    const emails = reminderEmails(onboarding.plan, week, silent, ratingLink);
    await outbox.sendOnce(onboardingId, await withReplyAddresses(replying, onboardingId, week.week, emails));
  }

  const health = communicationHealth(onboarding.plan, weeks, feedback, now);
  const longest = longestSilence(health);
  await store.recordReminder(onboardingId, week.week, {
    at: now,
    reminded: silent,
    atRisk: health.atRisk,
    silentDays: longest?.days ?? null,
    silentRole: longest?.role ?? null,
  });
  if (health.atRisk || onboarding.atRiskSince)
    await store.markAtRisk(onboardingId, health.atRisk ? now : null);
  return { ...state, feedbackDueAt: week.feedbackDueAt };
});
