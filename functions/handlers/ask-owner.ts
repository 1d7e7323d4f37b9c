import { z } from 'zod';
import { clock } from '#adapters/clock';
import { readString } from '#adapters/config';
import { secretFromEnvironment } from '#adapters/secrets';
import { communicationHealth, silentSides } from '#core/communication-health';
import { DUE_DILIGENCE_CHOICES } from '#core/due-diligence';
import { dueDiligenceEmail } from '#core/emails/due-diligence';
import { escalationEmail } from '#core/emails/escalation';
import { OnboardingNotFound } from '#core/errors';
import { linkUrl, signLinkToken } from '#core/link-token';
import type { Onboarding } from '#core/onboarding';
import { decisionDueAt, OWNER_CHOICES, type OwnerChoice } from '#core/owner-decision';
import { decisionLinkClaims } from '#core/pages/decision';
import { outbox } from './shared/outbox.ts';
import { decisionReplyAddress, replyAddressingFromEnvironment } from './shared/reply-addressing.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';
import { workflow } from './shared/workflow.ts';

/** Read at cold start: the key only by its ARN (the value is fetched, and cached, when signing). */
const linkKey = secretFromEnvironment(process.env, 'LINK_SECRET_ARN', 'link signing');
const publicUrl = readString(process.env, 'PUBLIC_BASE_URL');
/** The owner's signed Reply-To, when this function has an inbound address (deciding by email). */
const replying = replyAddressingFromEnvironment(process.env);
if (!/^https?:\/\/[^\s/]+/.test(publicUrl)) {
  throw new Error(`Environment variable PUBLIC_BASE_URL must be an http(s) URL, got "${publicUrl}"`);
}

const askInput = z.object({
  onboardingId: z.string().min(1),
  /** The week asked about; 0: the due diligence, before the kickoff. */
  week: z.int().min(0),
  taskToken: z.string().min(1),
});

/**
 * The workflow's wait for the owner's decision (a `.waitForTaskToken` Task, after the gate asked
 * the owner about `week`): keeps the task token under the question's stable action id, then
 * emails the owner the escalation with a signed link per choice (the links carry the action and
 * the choice, never the token) and, when replies are read, a signed Reply-To of the question's
 * own, so that a one-word reply decides too (receive-reply.ts). A question settled before this
 * ran (a retried step) gets its token back at once. The token is never logged.
 */
export const handler = workflowStep('ask-owner', askInput, async ({ onboardingId, week, taskToken }) => {
  const { onboarding, weeks, feedback } = await store.getOnboardingHistory(onboardingId, 1);
  const { plan } = onboarding;
  if (onboarding.status === 'cancelled') return notAsking(onboarding, week, taskToken);
  if (week === 0) return askBeforeKickoff(onboarding, taskToken);
  const asked = weeks.find((w) => w.week === week);
  const decision = asked?.decision;
  if (!asked || decision?.outcome !== 'escalate')
    throw new OnboardingNotFound(`${onboardingId} question of week ${week}`);
  const dueAt = decisionDueAt(plan, week, onboarding.pausedWeeks);
  const links = await askWithLinks(onboarding, week, dueAt, taskToken, OWNER_CHOICES);
  if (!links) return { asked: false };
  // Asked last week too, and nobody decided: this one is the reminder.
  const reminder = weeks.find((w) => w.week === week - 1)?.decision?.owner?.choice === 'none';
  // Who went quiet this week, and since when: as of the week's deadline, not a later answer.
  const health = communicationHealth(plan, weeks, feedback, asked.feedbackDueAt);
  const silent = silentSides(week, feedback).map((role) => ({ role, lastHeardAt: health[role].lastHeardAt }));
  const replyTo = await decisionReplyAddress(replying, onboardingId, week);
  await outbox.sendOnce(onboardingId, [
    escalationEmail(plan, week, decision, {
      links,
      dueAt,
      reminder,
      silent,
      ...(replyTo ? { replyTo } : {}),
    }),
  ]);
  return { asked: true };
});

/**
 * Cancelled meanwhile, the cancel's stop not arrived yet: the owner is not asked about an
 * onboarding they let go. The question is kept (the next step reads it) and its token handed
 * straight back, undecided: the workflow goes on to its release, which ends it (`Cancelled`).
 */
async function notAsking(
  onboarding: Onboarding,
  week: number,
  taskToken: string,
): Promise<{ asked: boolean }> {
  const dueAt = decisionDueAt(onboarding.plan, week, onboarding.pausedWeeks);
  await store.askOwner(onboarding.id, { week, askedAt: clock.now().toISOString(), dueAt }, taskToken);
  await workflow.sendTaskSuccess(taskToken, { choice: 'none' });
  return { asked: false };
}

/**
 * The due diligence's question (week 0): the references' answers fell short, and the owner
 * decides whether the kickoff goes ahead (continue or abort; there is no stage to extend yet).
 * Kept and answered like the weekly question: the token under DECISION#00, signed links per choice.
 */
async function askBeforeKickoff(onboarding: Onboarding, taskToken: string): Promise<{ asked: boolean }> {
  const { id: onboardingId, plan } = onboarding;
  const [verdict, answers] = await Promise.all([
    store.findDueDiligence(onboardingId),
    store.listReferenceAnswers(onboardingId),
  ]);
  if (verdict?.outcome !== 'ask-owner')
    throw new OnboardingNotFound(`${onboardingId} due diligence question`);
  const dueAt = decisionDueAt(plan, 0, onboarding.pausedWeeks);
  const links = await askWithLinks(onboarding, 0, dueAt, taskToken, DUE_DILIGENCE_CHOICES);
  if (!links) return { asked: false };
  const replyTo = await decisionReplyAddress(replying, onboardingId, 0);
  await outbox.sendOnce(onboardingId, [
    dueDiligenceEmail(plan, verdict, answers, { links, dueAt, ...(replyTo ? { replyTo } : {}) }),
  ]);
  return { asked: true };
}

/**
 * Keeps the week's question with the workflow's task token and signs the owner a link per choice.
 * A question settled meanwhile (decided just before a retried ask) gets its token straight back,
 * with the choice made, and no links: nothing is asked twice.
 */
async function askWithLinks<Choice extends OwnerChoice>(
  { id: onboardingId, plan }: Onboarding,
  week: number,
  dueAt: string,
  taskToken: string,
  choices: readonly Choice[],
): Promise<Record<Choice, string> | undefined> {
  const question = await store.askOwner(
    onboardingId,
    { week, askedAt: clock.now().toISOString(), dueAt },
    taskToken,
  );
  if (question.state !== 'waiting') {
    await workflow.sendTaskSuccess(taskToken, { choice: question.choice ?? 'none' });
    return undefined;
  }
  const key = await linkKey.value();
  const sign = (choice: Choice) =>
    linkUrl(
      publicUrl,
      signLinkToken(decisionLinkClaims(onboardingId, week, plan.owner.email, choice, dueAt), key),
    );
  return Object.fromEntries(choices.map((choice) => [choice, sign(choice)])) as Record<Choice, string>;
}
