import { clock } from '#adapters/clock';
import { communicationHealth, silentSides } from '#core/communication-health';
import { silenceEmail } from '#core/emails/escalation';
import { OnboardingNotFound } from '#core/errors';
import { endOfWeek, gateHistory } from '#core/gate';
import { type WorkflowState, workflowStateSchema } from '#core/onboarding';
import { decisionDueAt, decisionTimeoutSeconds } from '#core/owner-decision';
import { weekSchedule } from '#core/schedule';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

const evaluateInput = workflowStateSchema.required({ remaining: true });

/**
 * Decides the week from its answers and records the decision, once. The week's answers are
 * closed first (store.closeAnswers), then read: an answer stored before is weighed, one that comes
 * after is refused (record-feedback), so none is told "recorded" and left out. A week decided
 * already (a retried step) keeps its first decision.
 */
async function closeWeek(onboardingId: string, week: number, remaining: number) {
  await store.closeAnswers(onboardingId, week, clock.now().toISOString());
  // Every answer, not just this week's: a silence is told with the date of the side's last answer.
  const history = await store.getOnboardingHistory(onboardingId, 1);
  const current = history.weeks.find((w) => w.week === week);
  if (!current) throw new OnboardingNotFound(`${onboardingId} week ${week}`);
  const answers = history.feedback.filter((f) => f.week === week);
  const owner = answers.find((f) => f.role === 'owner');
  const partner = answers.find((f) => f.role === 'partner');
  const end = endOfWeek({
    plan: history.onboarding.plan,
    week: current,
    feedback: { owner, partner },
    history: gateHistory(history.weeks, week),
    remaining,
  });
  const weighed = { ...(owner ? { owner: owner.at } : {}), ...(partner ? { partner: partner.at } : {}) };
  const { decision } = await store.closeWeek(onboardingId, week, { ...end, weighed });
  return { ...history, current, decision };
}

/**
 * After the feedback window: the week ends (core `endOfWeek`): the gate's decision from the
 * week's feedback, or the end of the onboarding. It is recorded on the week once; the workflow
 * learns whether to run another week, wrap up, or first wait for the owner's decision (an
 * escalation: `askOwner`, with how long the wait may last).
 */
export const handler = workflowStep('evaluate', evaluateInput, async (state): Promise<WorkflowState> => {
  const { onboardingId, week, remaining } = state;
  const { onboarding, weeks, feedback, current, decision } = await closeWeek(onboardingId, week, remaining);
  const { plan } = onboarding;
  // Cancelled meanwhile, the cancel's stop not arrived yet: nobody is told of the week or asked
  // about it, and no wrap-up follows; the next release ends the run (`Cancelled`).
  if (onboarding.status === 'cancelled') {
    const releaseAt = weekSchedule(plan, week + 1, onboarding.pausedWeeks).releaseAt;
    return {
      onboardingId,
      week: week + 1,
      stage: decision.outcome === 'finish' ? current.stage : decision.toStage,
      releaseAt,
      done: false,
    };
  }
  if (decision.outcome === 'finish')
    return { onboardingId, week, stage: current.stage, remaining, done: true };
  // The escalation names the silent itself; otherwise a silent partner is told to the owner now.
  const silent = silentSides(week, feedback);
  if (decision.outcome !== 'escalate' && silent.includes('partner')) {
    const health = communicationHealth(plan, weeks, feedback, clock.now().toISOString());
    const named = silent.map((role) => ({ role, lastHeardAt: health[role].lastHeardAt }));
    await outbox.sendOnce(onboardingId, [silenceEmail(plan, week, decision, named)]);
  }

  const askOwner =
    decision.outcome === 'escalate'
      ? {
          week,
          timeoutSeconds: decisionTimeoutSeconds(
            decisionDueAt(plan, week, onboarding.pausedWeeks),
            clock.now(),
          ),
        }
      : undefined;
  return {
    onboardingId,
    week: week + 1,
    stage: decision.toStage,
    releaseAt: weekSchedule(plan, week + 1, onboarding.pausedWeeks).releaseAt,
    done: false,
    ...(askOwner ? { askOwner } : {}),
  };
});
