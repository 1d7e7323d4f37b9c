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
 * After the feedback window: the week ends (core `endOfWeek`): the gate's decision from the
 * week's feedback, or the end of the onboarding. It is recorded on the week once; the workflow
 * learns whether to run another week, wrap up, or first wait for the owner's decision (an
 * escalation: `askOwner`, with how long the wait may last).
 */
export const handler = workflowStep('evaluate', evaluateInput, async (state): Promise<WorkflowState> => {
  const { onboardingId, week, remaining } = state;
  // Every answer, not just this week's: a silence is told with the date of the side's last answer.
  const { onboarding, weeks, feedback } = await store.getOnboardingHistory(onboardingId, 1);
  const { plan } = onboarding;
  const current = weeks.find((w) => w.week === week);
  if (!current) throw new OnboardingNotFound(`${onboardingId} week ${week}`);
  const answers = feedback.filter((f) => f.week === week);

  const end = endOfWeek({
    plan,
    week: current,
    feedback: {
      owner: answers.find((f) => f.role === 'owner'),
      partner: answers.find((f) => f.role === 'partner'),
    },
    history: gateHistory(weeks, week),
    remaining,
  });
  const { decision } = await store.closeWeek(onboardingId, week, end);
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
