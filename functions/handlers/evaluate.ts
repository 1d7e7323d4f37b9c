import { escalationEmail } from '#core/emails/escalation';
import { OnboardingNotFound } from '#core/errors';
import { endOfWeek, gateHistory } from '#core/gate';
import { type WorkflowState, workflowStateSchema } from '#core/onboarding';
import { weekSchedule } from '#core/schedule';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

const evaluateInput = workflowStateSchema.required({ remaining: true });

/**
 * After the feedback window: the week ends (core `endOfWeek`): the gate's decision from the
 * week's feedback, or the end of the onboarding. It is recorded on the week once; an escalation
 * is emailed to the owner; the workflow learns whether to run another week or wrap up.
 */
export const handler = workflowStep('evaluate', evaluateInput, async (state): Promise<WorkflowState> => {
  const { onboardingId, week, remaining } = state;
  const { onboarding, weeks, feedback } = await store.getOnboardingHistory(onboardingId, week);
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

  if (decision.outcome === 'escalate')
    await outbox.sendOnce(onboardingId, [escalationEmail(plan, week, decision)]);
  return {
    onboardingId,
    week: week + 1,
    stage: decision.toStage,
    releaseAt: weekSchedule(plan, week + 1, onboarding.pausedWeeks).releaseAt,
    done: false,
  };
});
