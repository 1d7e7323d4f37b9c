import { z } from 'zod';
import { clock } from '#adapters/clock';
import { readString } from '#adapters/config';
import { secretFromEnvironment } from '#adapters/secrets';
import { escalationEmail } from '#core/emails/escalation';
import { OnboardingNotFound } from '#core/errors';
import { linkUrl, signLinkToken } from '#core/link-token';
import { decisionDueAt, OWNER_CHOICES, type OwnerChoice } from '#core/owner-decision';
import { decisionLinkClaims } from '#core/pages/decision';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';
import { workflow } from './shared/workflow.ts';

/** Read at cold start: the key only by its ARN (the value is fetched, and cached, when signing). */
const linkKey = secretFromEnvironment(process.env, 'LINK_SECRET_ARN', 'link signing');
const publicUrl = readString(process.env, 'PUBLIC_BASE_URL');
if (!/^https?:\/\/[^\s/]+/.test(publicUrl)) {
  throw new Error(`Environment variable PUBLIC_BASE_URL must be an http(s) URL, got "${publicUrl}"`);
}

const askInput = z.object({
  onboardingId: z.string().min(1),
  week: z.int().min(1),
  taskToken: z.string().min(1),
});

/**
 * The workflow's wait for the owner's decision (a `.waitForTaskToken` Task, after the gate asked
 * the owner about `week`): keeps the task token under the question's stable action id, then
 * emails the owner the escalation with a signed link per choice (the links carry the action and
 * the choice, never the token). A question settled before this ran (a retried step) gets its
 * token back at once. The token is never logged.
 */
export const handler = workflowStep('ask-owner', askInput, async ({ onboardingId, week, taskToken }) => {
  const { onboarding, weeks } = await store.getOnboardingHistory(onboardingId, 0);
  const { plan } = onboarding;
  const decision = weeks.find((w) => w.week === week)?.decision;
  if (decision?.outcome !== 'escalate')
    throw new OnboardingNotFound(`${onboardingId} question of week ${week}`);
  const dueAt = decisionDueAt(plan, week, onboarding.pausedWeeks);
  const question = await store.askOwner(
    onboardingId,
    { week, askedAt: clock.now().toISOString(), dueAt },
    taskToken,
  );
  if (question.state !== 'waiting') {
    await workflow.sendTaskSuccess(taskToken, { choice: question.choice ?? 'none' });
    return { asked: false };
  }
  const key = await linkKey.value();
  const links = Object.fromEntries(
    OWNER_CHOICES.map((choice) => [
      choice,
      linkUrl(
        publicUrl,
        signLinkToken(decisionLinkClaims(onboardingId, week, plan.owner.email, choice, dueAt), key),
      ),
    ]),
  ) as Record<OwnerChoice, string>;
  // Asked last week too, and nobody decided: this one is the reminder.
  const reminder = weeks.find((w) => w.week === week - 1)?.decision?.owner?.choice === 'none';
  await outbox.sendOnce(onboardingId, [escalationEmail(plan, week, decision, { links, dueAt, reminder })]);
  return { asked: true };
});
