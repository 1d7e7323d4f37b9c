import { clock } from '#adapters/clock';
import { cancelledEmails } from '#core/emails/cancelled';
import { batchEmail } from '#core/emails/weekly';
import { TransientError } from '#core/errors';
import {
  decisionInWords,
  type Onboarding,
  releasesNewWork,
  type WeekRecord,
  workflowStateSchema,
} from '#core/onboarding';
import { releaseGate, resumeCheckSeconds } from '#core/onboarding-controls';
import { planBatch } from '#core/ramp';
import { resumeDeadline } from '#core/run-limit';
import { weekSchedule } from '#core/schedule';
import { logger } from './shared/logger.ts';
import { outbox } from './shared/outbox.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

/**
 * Releases this week's batch at the stage the gate set: the work carried over from last week,
 * then new tasks by priority up to the cap (none after a hold). Records it once (a retry gets the
 * same batch) and emails it to the partner with last week's decision. Returns when the check-in,
 * the end of the feedback window (the reminder) and the end of its grace period are, for the
 * workflow's Waits, and how many tasks are left.
 * A paused onboarding releases nothing (`release: 'paused'`: the workflow waits for the resume,
 * at most until `resumeBy`); a release the pause held past its time moves by whole weeks
 * (`rescheduled`, with the new `releaseAt`); a cancelled one stops. A pause that lasted until
 * `resumeBy`, or a move that would carry the run past the execution's year, cancels the onboarding
 * (`paused-too-long`), tells both sides, and stops (`release: 'cancelled'`). A week already
 * released (a retry) goes on regardless, unless the onboarding was cancelled meanwhile.
 */
export const handler = workflowStep('release-batch', workflowStateSchema, async (input) => {
  // What the wait for a resume needed is set again below if the onboarding is still paused.
  const { resumeBy: _, resumeCheckSeconds: __, ...state } = input;
  const { onboardingId, week, stage } = state;
  const { onboarding, weeks } = await store.getOnboardingHistory(onboardingId, 0);
  const { plan } = onboarding;
  const released = weeks.some((w) => w.week === week);
  // A retry after a cancel landed (its stop not arrived yet): the week is recorded, and its batch
  // is not sent to an onboarding that has ended.
  if (released && onboarding.status === 'cancelled') return { ...state, release: 'cancelled' as const };
  if (!released) {
    const now = clock.now();
    const gate = releaseGate(onboarding, week, now);
    switch (gate.release) {
      case 'rescheduled':
        await store.setPausedWeeks(onboardingId, gate.pausedWeeks, now.toISOString());
        return { ...state, release: gate.release, releaseAt: gate.releaseAt };
      case 'paused':
        return {
          ...state,
          release: gate.release,
          resumeBy: gate.resumeBy,
          resumeCheckSeconds: resumeCheckSeconds(gate.resumeBy, now),
        };
      case 'paused-too-long':
        await endPausedTooLong(onboarding, weeks, gate.resumeBy, now.toISOString());
        return { ...state, release: 'cancelled' as const };
      case 'cancelled':
        // A retry of a step that ended it here, and did not get to tell both sides.
        if (onboarding.cancelReason === 'paused-too-long') {
          await tellPausedTooLong(onboarding, weeks, resumeDeadline(onboarding, week));
        }
        return { ...state, release: gate.release };
    }
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

/**
 * Ends an onboarding whose pause lasted until `resumeBy` (or whose resume came too late): rather
 * than let AWS cut the execution off at its one-year limit, with nobody told and the table still
 * saying paused, it is cancelled with its reason, both sides are told, and the workflow ends at
 * `Cancelled` (SUCCEEDED: a limit reached, not a failure). Written only from the status it was
 * read in: if a resume or a cancel landed meanwhile, the step is retried and looks again.
 */
async function endPausedTooLong(
  onboarding: Onboarding,
  weeks: readonly WeekRecord[],
  resumeBy: string,
  at: string,
): Promise<void> {
  const ended = await store.changeStatus(onboarding.id, {
    from: onboarding.status,
    to: 'cancelled',
    set: { cancelledAt: at, cancelReason: 'paused-too-long', updatedAt: at },
    removePauseToken: true,
  });
  if (!ended) {
    throw new TransientError(`The status of onboarding "${onboarding.id}" changed as its pause ran out`);
  }
  logger.info('onboarding cancelled: paused too long', { onboardingId: onboarding.id, resumeBy });
  await tellPausedTooLong(ended, weeks, resumeBy);
}

/** Both sides told once why the onboarding ended (a retry sends nothing twice). */
async function tellPausedTooLong(
  onboarding: Onboarding,
  weeks: readonly WeekRecord[],
  resumeBy: string,
): Promise<void> {
  const cancelledAt = onboarding.cancelledAt ?? clock.now().toISOString();
  await outbox.sendOnce(
    onboarding.id,
    cancelledEmails(onboarding.plan, weeks, cancelledAt, { pausedAt: onboarding.pausedAt, resumeBy }),
  );
}
