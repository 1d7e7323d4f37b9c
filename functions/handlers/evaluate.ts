import { clock } from '#adapters/clock';
import { escalationEmail } from '#core/emails/escalation';
import { decideNextStage, type GateOutcome, isFinished } from '#core/gate';
import { type RecordedDecision, type WorkflowState, workflowStateSchema } from '#core/onboarding';
import { weekSchedule } from '#core/schedule';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

const evaluateInput = workflowStateSchema.required({ remaining: true });

/**
 * After the feedback window: the gate reads the week's feedback and decides next week's stage;
 * the decision and the unfinished work are recorded on the week; an escalation is emailed to the
 * owner. Then the workflow learns whether to run another week or wrap up.
 */
export const handler = workflowStep('evaluate', evaluateInput, async (state): Promise<WorkflowState> => {
  const { onboardingId, week, stage, remaining } = state;
  const { onboarding, weeks, feedback } = await store.getWeekContext(onboardingId, week);
  const { plan } = onboarding;
  const current = weeks.find((w) => w.week === week);
  const history = weeks
    .filter((w) => w.week < week)
    .map((w) => w.decision?.outcome)
    .filter((o): o is GateOutcome => o !== undefined && o !== 'finish');

  const worked = [
    ...(current?.tasks.filter((t) => !t.recurring).map((t) => t.taskId) ?? []),
    ...(current?.carriedTaskIds ?? []),
  ];
  const unfinished = (feedback.owner?.unfinishedTaskIds ?? []).filter((id) => worked.includes(id));
  const gate = decideNextStage({ plan, stage, worked: worked.length, feedback, history });
  const done = isFinished(plan, week, { remaining, unfinished: unfinished.length }, [
    ...history,
    gate.outcome,
  ]);
  const decision: RecordedDecision = done
    ? { outcome: 'finish', reason: finishReason(remaining, unfinished.length) }
    : gate;

  await store.closeWeek(onboardingId, week, decision, unfinished);
  if (done) return { onboardingId, week, stage, remaining, done: true };

  if (gate.outcome === 'escalate') await outbox.sendOnce(onboardingId, [escalationEmail(plan, week, gate)]);
  await store.updateProgress(onboardingId, {
    week: week + 1,
    stage: gate.toStage,
    updatedAt: clock.now().toISOString(),
  });
  return {
    onboardingId,
    week: week + 1,
    stage: gate.toStage,
    releaseAt: weekSchedule(plan, week + 1).releaseAt,
    done: false,
  };
});

function finishReason(remaining: number, unfinished: number): string {
  if (remaining === 0 && unfinished === 0) return 'all work released and finished: wrap up';
  const left = remaining + unfinished;
  return `the plan's last week: wrap up with ${left} task${left === 1 ? '' : 's'} not handed over`;
}
