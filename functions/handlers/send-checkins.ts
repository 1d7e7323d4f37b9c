import { clock } from '#adapters/clock';
import { readEmail, readString } from '#adapters/config';
import { secretFromEnvironment } from '#adapters/secrets';
import { communicationHealth } from '#core/communication-health';
import { checkinEmails, type RatingLink } from '#core/emails/weekly';
import { OnboardingNotFound } from '#core/errors';
import { linkUrl, signLinkToken } from '#core/link-token';
import { decisionInWords, workflowStateSchema } from '#core/onboarding';
import { ratingLinkClaims } from '#core/pages/feedback';
import { outbox } from './shared/outbox.ts';
import { replyAddressingFromEnvironment, withReplyAddresses } from './shared/reply-addressing.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/** Read at cold start: the key only by its ARN (the value is fetched, and cached, when signing). */
const linkKey = secretFromEnvironment(process.env, 'LINK_SECRET_ARN', 'link signing');
const publicUrl = readString(process.env, 'PUBLIC_BASE_URL');
/** The calendar event's organizer: the address the check-ins come from. */
const sender = readEmail(process.env, 'SENDER_EMAIL');
/** The signed Reply-To, when this function has an inbound address (answering by email). */
const replying = replyAddressingFromEnvironment(process.env);
if (!/^https?:\/\/[^\s/]+/.test(publicUrl)) {
  throw new Error(`Environment variable PUBLIC_BASE_URL must be an http(s) URL, got "${publicUrl}"`);
}

/**
 * At the check-in: the meeting reminder (with its calendar event) and this week's batch, to owner
 * and partner, each with five signed one-click rating links to answer how the week went; the
 * owner's also says when the partner was last heard from (the communication health).
 */
export const handler = workflowStep('send-checkins', workflowStateSchema, async (state) => {
  const { onboarding, weeks, feedback } = await store.getOnboardingHistory(state.onboardingId, 1);
  // Cancelled meanwhile, the cancel's stop not arrived yet: nobody is asked about the week; the
  // gate does not decide it, and the next release ends the run (see evaluate).
  if (onboarding.status === 'cancelled') return state;
  const week = weeks.find((w) => w.week === state.week);
  if (!week) throw new OnboardingNotFound(`${state.onboardingId} week ${state.week}`);
  const now = clock.now().toISOString();
  const key = await linkKey.value();
  const ratingLink: RatingLink = (recipient, rating) =>
    linkUrl(publicUrl, signLinkToken(ratingLinkClaims(onboarding.id, week, recipient, rating), key));
  const emails = checkinEmails(onboarding.plan, week, {
    ratingLink,
    sender,
    now,
    lastWeekDecision: decisionInWords(weeks.find((w) => w.week === week.week - 1)?.decision),
    // Asked by the earlier check-ins only: this one has only just asked.
    health: communicationHealth(
      onboarding.plan,
      weeks.filter((w) => w.week < week.week),
      feedback,
      now,
    ),
  });
  await outbox.sendOnce(
    state.onboardingId,
    await withReplyAddresses(replying, onboarding.id, week.week, emails),
  );
  return state;
});
