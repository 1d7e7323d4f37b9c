import { clock } from '#adapters/clock';
import { batchEmail } from '#core/emails/weekly';
import { releasesNewWork, type WeekRecord, workflowStateSchema } from '#core/onboarding';
import { planBatch } from '#core/ramp';
import { weekSchedule } from '#core/schedule';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/**
 * Releases this week's batch at the stage the gate set: the work carried over from last week,
 * then new tasks by priority up to the cap (none after a hold). Records it once (a retry gets the
 * same batch) and emails it to the partner with last week's decision. Returns when the check-in
 * and the end of the feedback window are, for the workflow's Waits, and how many tasks are left.
 */
export const handler = workflowStep('release-batch', workflowStateSchema, async (state) => {
  const { onboardingId, week, stage } = state;
  const {
    onboarding: { plan },
    weeks,
  } = await store.getOnboardingHistory(onboardingId, 0);
  const earlier = weeks.filter((w) => w.week < week);
  const previous = earlier.at(-1);
  const releasedBefore = earlier.flatMap((w) => w.tasks.map((t) => t.taskId));
  const schedule = weekSchedule(plan, week);

  const record: WeekRecord = await store.putWeek(onboardingId, {
    week,
    ...planBatch(plan, {
      stage,
      releasedBefore,
      carried: previous?.unfinishedTaskIds ?? [],
      releaseNew: releasesNewWork(previous?.decision),
    }),
    releasedAt: clock.now().toISOString(),
    checkinAt: schedule.checkinAt,
    feedbackDueAt: schedule.feedbackDueAt,
  });
  await outbox.sendOnce(onboardingId, [batchEmail(plan, record, previous?.decision?.reason)]);
  return {
    ...state,
    checkinAt: record.checkinAt,
    feedbackDueAt: record.feedbackDueAt,
    remaining: plan.tasks.length - releasedBefore.length - record.tasks.length,
  };
});
