import { clock } from '#adapters/clock';
import { batchEmail } from '#core/emails/weekly';
import { decisionInWords, releasesNewWork, type WeekRecord, workflowStateSchema } from '#core/onboarding';
import { releaseGate } from '#core/onboarding-controls';
import { planBatch } from '#core/ramp';
import { weekSchedule } from '#core/schedule';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/**
 * Releases this week's batch at the stage the gate set: the work carried over from last week,
 * then new tasks by priority up to the cap (none after a hold). Records it once (a retry gets the
 * same batch) and emails it to the partner with last week's decision. Returns when the check-in,
 * the end of the feedback window (the reminder) and the end of its grace period are, for the
 * workflow's Waits, and how many tasks are left.
 * A paused onboarding releases nothing (`release: 'paused'`: the workflow waits for the resume);
 * a release the pause held past its time moves by whole weeks (`rescheduled`, with the new
 * `releaseAt`); a cancelled one stops. A week already released (a retry) goes on regardless.
 */
export const handler = workflowStep('release-batch', workflowStateSchema, async (state) => {
  const { onboardingId, week, stage } = state;
  const { onboarding, weeks } = await store.getOnboardingHistory(onboardingId, 0);
  const { plan } = onboarding;
  if (!weeks.some((w) => w.week === week)) {
    const gate = releaseGate(onboarding, week, clock.now());
    if (gate.release === 'rescheduled') {
      await store.setPausedWeeks(onboardingId, gate.pausedWeeks, clock.now().toISOString());
      return { ...state, release: gate.release, releaseAt: gate.releaseAt };
    }
    if (gate.release !== 'released') return { ...state, release: gate.release };
  }
  const earlier = weeks.filter((w) => w.week < week);
  const previous = earlier.at(-1);
  const releasedBefore = earlier.flatMap((w) => w.tasks.map((t) => t.taskId));
  const schedule = weekSchedule(plan, week, onboarding.pausedWeeks);

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
    remindAt: schedule.remindAt,
    feedbackDueAt: schedule.feedbackDueAt,
  });
  await outbox.sendOnce(onboardingId, [batchEmail(plan, record, decisionInWords(previous?.decision))]);
  return {
    ...state,
    release: 'released' as const,
    checkinAt: record.checkinAt,
    // A week released before reminders existed has none: it is reminded when its answers are due.
    remindAt: record.remindAt ?? record.feedbackDueAt,
    feedbackDueAt: record.feedbackDueAt,
    remaining: plan.tasks.length - releasedBefore.length - record.tasks.length,
  };
});
