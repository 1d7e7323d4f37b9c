import { clock } from '#adapters/clock';
import { dueDiligenceAnswer } from '#core/due-diligence';
import { abortedEmails } from '#core/emails/aborted';
import { notStartedEmail } from '#core/emails/due-diligence';
import type { EmailMessage } from '#core/emails/message';
import { OnboardingNotFound } from '#core/errors';
import { gateHistory, lastWeek } from '#core/gate';
import { type Onboarding, type WorkflowState, workflowStateSchema } from '#core/onboarding';
import { type DecisionRequest, ownerAnswer, withOwnerAnswer } from '#core/owner-decision';
import { logger } from './shared/logger.ts';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

const applyInput = workflowStateSchema.required({ askOwner: true });

/**
 * After the wait for the owner (answered, or timed out at the deadline): the table says what
 * came of it, as the first of the owner's decision and the deadline recorded it there. It is
 * recorded on the week once: continue (new work next week, no extra week), extend this stage
 * (hold one more week, nothing new), none by the deadline (the same hold; the next week's
 * escalation is a reminder), or abort (status aborted, both sides told, the workflow ends).
 */
export const handler = workflowStep(
  'apply-owner-decision',
  applyInput,
  async (state): Promise<WorkflowState> => {
    const { onboardingId, askOwner } = state;
    const { week } = askOwner;
    const question = await store.settleDecision(onboardingId, week, clock.now().toISOString());
    const { onboarding, weeks } = await store.getOnboardingHistory(onboardingId, 0);
    const next = { onboardingId, week: state.week, stage: state.stage, releaseAt: state.releaseAt };
    // Cancelled while the owner was asked (the stop not arrived yet): the cancel has ended it and
    // told both sides. Nothing is recorded as the owner's answer, and the run goes on to the
    // release, which ends it at Cancelled (from week 0 through the kickoff, which sends nothing).
    if (onboarding.status === 'cancelled') {
      logger.info('owner decision not applied: the onboarding is cancelled', { onboardingId, week });
      return week === 0 ? next : { ...next, done: false };
    }
    if (week === 0) return applyBeforeKickoff(next, onboarding, question);
    const asked = weeks.find((w) => w.week === week);
    if (asked?.decision?.outcome !== 'escalate') throw new OnboardingNotFound(`${onboardingId} week ${week}`);
    const decision = await store.recordOwnerAnswer(
      onboardingId,
      week,
      withOwnerAnswer(asked.decision, ownerAnswer(onboarding.plan, asked.decision, question)),
    );
    const choice = decision.owner?.choice ?? 'none';
    logger.info('owner decision applied', { onboardingId, week, choice });
    if (choice === 'abort') {
      const at = decision.owner?.at ?? clock.now().toISOString();
      await abort(onboarding, at, abortedEmails(onboarding.plan, weeks, week, at));
      return { ...next, done: true, aborted: true };
    }
    // "Continue" takes back the extra week the escalation had added: the last week may be this one.
    const decided = weeks.map((w) => (w.week === week ? { ...w, decision } : w));
    return { ...next, done: week >= lastWeek(onboarding.plan, gateHistory(decided, week + 1)) };
  },
);

/**
 * Aborts the onboarding: status aborted (from active, or paused meanwhile), and both sides told,
 * once. One cancelled meanwhile stays cancelled: the cancel has told them already.
 */
async function abort(onboarding: Onboarding, at: string, emails: EmailMessage[]): Promise<void> {
  let status = onboarding.status;
  for (let attempt = 0; attempt < 3 && (status === 'active' || status === 'paused'); attempt++) {
    const changed = await store.changeStatus(onboarding.id, {
      from: status,
      to: 'aborted',
      set: { abortedAt: at, updatedAt: clock.now().toISOString() },
    });
    status = changed?.status ?? (await store.getOnboarding(onboarding.id)).status;
  }
  if (status !== 'aborted') {
    logger.info('abort found the onboarding ended already', { onboardingId: onboarding.id, status });
    return;
  }
  await outbox.sendOnce(onboarding.id, emails);
}

/**
 * The due diligence's question (week 0), answered or timed out: recorded on the verdict once.
 * Continue goes on to the kickoff; abort, or no decision by the deadline, does not start the
 * onboarding (status aborted; only the owner is told: the partner has had no kickoff).
 */
async function applyBeforeKickoff(
  next: WorkflowState,
  onboarding: Onboarding,
  question: DecisionRequest,
): Promise<WorkflowState> {
  const { owner } = await store.recordDueDiligenceAnswer(onboarding.id, dueDiligenceAnswer(question));
  const choice = owner?.choice ?? 'none';
  logger.info('owner decision applied', { onboardingId: onboarding.id, week: 0, choice });
  if (choice === 'continue') return next;
  const at = owner?.at ?? clock.now().toISOString();
  await abort(onboarding, at, [notStartedEmail(onboarding.plan, owner?.reason ?? 'no decision', at)]);
  return { ...next, done: true, aborted: true };
}
