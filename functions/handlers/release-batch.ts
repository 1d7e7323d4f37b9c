import { clock } from '#adapters/clock';
import { batchEmail } from '#core/emails/weekly';
import { type WeekRecord, workflowStateSchema } from '#core/onboarding';
import { planBatch } from '#core/ramp';
import { weekSchedule } from '#core/schedule';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/**
 * Releases this week's batch: fills the stage's cap by priority from what is not yet released,
 * records it (once: a retry gets the same batch), and emails it to the partner. Returns when the
 * check-in and the end of the feedback window are, for the workflow's Waits, and how many tasks
 * are left, for the gate.
 */
export const handler = workflowStep('release-batch', workflowStateSchema, async (state) => {
  const { onboardingId, week, stage } = state;
  const {
    onboarding: { plan },
    weeks: earlier,
  } = await store.getOnboardingWithWeeks(onboardingId);
  const releasedBefore = earlier.filter((w) => w.week < week).flatMap((w) => w.tasks.map((t) => t.taskId));
  const schedule = weekSchedule(plan, week);

  const record: WeekRecord = await store.putWeek(onboardingId, {
    week,
    ...planBatch(plan, stage, releasedBefore),
    releasedAt: clock.now().toISOString(),
    checkinAt: schedule.checkinAt,
    feedbackDueAt: schedule.feedbackDueAt,
  });
  await outbox.sendOnce(onboardingId, [batchEmail(plan, record)]);
  return {
    ...state,
    checkinAt: record.checkinAt,
    feedbackDueAt: record.feedbackDueAt,
    remaining: plan.tasks.length - releasedBefore.length - record.tasks.length,
  };
});
