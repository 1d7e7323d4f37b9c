import { clock } from '#adapters/clock';
import type { StatusTimes } from '#adapters/onboarding-store';
import { cancelledEmails } from '#core/emails/cancelled';
import { OnboardingConflict, TransientError } from '#core/errors';
import type { Onboarding, OnboardingStatus } from '#core/onboarding';
import {
  type Control,
  canStillResume,
  controlOutcome,
  heldWeek,
  pausedTooLateRefusal,
  pausedTooLongRefusal,
  refusal,
} from '#core/onboarding-controls';
import { resumeDeadline } from '#core/run-limit';
import { logger } from './shared/logger.ts';
import { outbox } from './shared/outbox.ts';
import { store } from './shared/store.ts';
import { workflow } from './shared/workflow.ts';

/** What a pause, resume or cancel answers: the onboarding's status after it, and since when. */
export interface ControlResult {
  onboardingId: string;
  status: OnboardingStatus;
  /**
   * When that status began: the pause, the resume, the cancellation (the first, when asked again).
   * Absent for resuming an onboarding that was never paused.
   */
  since?: string;
  /**
   * While paused: until when it can be resumed. The whole run, every extra week included, must end
   * within the year a workflow execution lasts (less a week); a pause still in force then ends it.
   */
  resumeBy?: string;
}

/**
 * Pauses an active onboarding. The week under way finishes (its check-in and the gate's
 * decision); the next batch is not released until the onboarding is resumed. Pausing a paused
 * onboarding answers the same; any other status is an `OnboardingConflict`, an unknown id
 * `OnboardingNotFound`, and nothing is written. So is a pause whose `resumeBy` has passed already
 * (the workflow is still busy with a week, and the release the pause would hold is past its last
 * slot): held, that release could only end the onboarding (`pausedTooLateRefusal`).
 */
export async function pauseOnboarding(onboardingId: string): Promise<ControlResult> {
  const now = clock.now();
  const at = now.toISOString();
  const { onboarding, prepared: resumeBy } = await applyControl(
    onboardingId,
    'pause',
    { pausedAt: at, updatedAt: at },
    {
      // Every read comes before the write: a failure after it would answer an error for a pause that
      // took effect, freeing the request's webhook-id, so a retry could pause again after a resume.
      prepare: async (current, changes) => {
        const resumeBy = resumeDeadline(current, heldWeek(await store.listWeeks(onboardingId)));
        if (changes && !canStillResume(resumeBy, now)) {
          throw new OnboardingConflict(onboardingId, pausedTooLateRefusal(onboardingId, resumeBy));
        }
        return resumeBy;
      },
    },
  );
  return { ...result(onboarding, onboarding.pausedAt), resumeBy };
}

/**
 * Resumes a paused onboarding: the workflow, if it is already waiting at the release, goes on at
 * once (its task token is handed back); a release the pause held past its time moves by whole
 * weeks. Resuming an onboarding resumed already answers the same, and hands back a token an earlier
 * resume could not (so repeating a failed resume completes it); one never paused is a conflict. A pause that lasted until its
 * `resumeBy` cannot be resumed: `OnboardingConflict`, saying why (see `refuseIfPausedTooLong`).
 */
export async function resumeOnboarding(onboardingId: string): Promise<ControlResult> {
  const now = clock.now();
  const at = now.toISOString();
  await refuseIfPausedTooLong(onboardingId, now);
  const { onboarding } = await applyControl(onboardingId, 'resume', { resumedAt: at, updatedAt: at });
  const token = onboarding.pauseToken;
  if (token) {
    // Sent before it is forgotten: if sending fails, the token stays for the next resume to send.
    const delivered = await workflow.sendTaskSuccess(token, { resumed: true });
    await store.clearPauseToken(onboardingId, token);
    logger.info('workflow resumed', { onboardingId, delivered });
  }
  return result(onboarding, onboarding.resumedAt);
}

/**
 * Cancels an onboarding that has not ended: status cancelled, the execution stopped (it ends
 * ABORTED), and owner and partner told by email, once. An execution a start had not begun yet
 * cannot be stopped: when it begins, its first step finds the onboarding cancelled and it ends
 * (SUCCEEDED, at `Cancelled`) having sent nothing. Cancelling again changes and sends
 * nothing more, but stops and tells again whatever an interrupted first cancel left undone.
 * A completed or failed onboarding cannot be cancelled (`OnboardingConflict`).
 */
export async function cancelOnboarding(onboardingId: string): Promise<ControlResult> {
  const at = clock.now().toISOString();
  const { onboarding } = await applyControl(
    onboardingId,
    'cancel',
    { cancelledAt: at, updatedAt: at },
    { removePauseToken: true },
  );
  const cancelledAt = onboarding.cancelledAt ?? at;
  const { stopped } = await workflow.stop(onboardingId, {
    error: 'OnboardingCancelled',
    cause: 'The onboarding was cancelled; its owner and partner are told by email.',
  });
  // Read after the write and the stop, unlike a pause's reads: the emails tell how far the run got,
  // and a failure here only frees the id for a retry, which finds it cancelled and finishes this.
  const weeks = await store.listWeeks(onboardingId);
  const sent = await outbox.sendOnce(onboardingId, cancelledEmails(onboarding.plan, weeks, cancelledAt));
  logger.info('onboarding cancelled', { onboardingId, stopped, emailsSent: sent });
  return result(onboarding, cancelledAt);
}

/**
 * A resume at or after the pause's `resumeBy` would carry the run past the execution's year: it is
 * refused with why. The workflow ends such an onboarding itself when its wait reaches `resumeBy`;
 * if it has not yet (its wait ends a moment later), its token is handed back so it does so now.
 * An onboarding it has ended that way is refused with the same reason rather than just "cancelled".
 */
async function refuseIfPausedTooLong(onboardingId: string, now: Date): Promise<void> {
  const onboarding = await store.getOnboarding(onboardingId);
  const endedByPause = onboarding.status === 'cancelled' && onboarding.cancelReason === 'paused-too-long';
  if (onboarding.status !== 'paused' && !endedByPause) return;
  const resumeBy = resumeDeadline(onboarding, heldWeek(await store.listWeeks(onboardingId)));
  if (!endedByPause && canStillResume(resumeBy, now)) return;
  const token = onboarding.pauseToken;
  if (token) {
    const delivered = await workflow.sendTaskSuccess(token, { resumed: false });
    await store.clearPauseToken(onboardingId, token);
    logger.info('workflow told to end a pause that lasted too long', { onboardingId, delivered });
  }
  throw new OnboardingConflict(onboardingId, pausedTooLongRefusal(onboardingId, resumeBy));
}

/**
 * Applies a control with a conditional write on the status it was read in: if the status moved
 * in between (the workflow completed, another request won), it reads again and decides again.
 * `prepare` runs on the onboarding as read, before the write (`changes`: whether one follows): it
 * does the control's other reads, and may refuse. Its result comes back as `prepared`.
 */
async function applyControl<T = undefined>(
  onboardingId: string,
  control: Control,
  times: StatusTimes,
  options: {
    removePauseToken?: boolean;
    prepare?: (onboarding: Onboarding, changes: boolean) => Promise<T>;
  } = {},
): Promise<{ onboarding: Onboarding; prepared: T | undefined }> {
  const { prepare, ...change } = options;
  for (let attempt = 0; attempt < 3; attempt++) {
    const onboarding = await store.getOnboarding(onboardingId);
    const outcome = controlOutcome(control, onboarding);
    if (outcome.kind === 'refuse') {
      throw new OnboardingConflict(onboardingId, refusal(onboardingId, control, onboarding.status));
    }
    const prepared = await prepare?.(onboarding, outcome.kind === 'change');
    if (outcome.kind === 'same') return { onboarding, prepared };
    const changed = await store.changeStatus(onboardingId, {
      from: onboarding.status,
      to: outcome.to,
      set: times,
      ...change,
    });
    if (changed) {
      logger.info('onboarding status changed', { onboardingId, from: onboarding.status, to: outcome.to });
      return { onboarding: changed, prepared };
    }
  }
  throw new TransientError(`The status of onboarding "${onboardingId}" kept changing; try again`);
}

function result(onboarding: Onboarding, since: string | undefined): ControlResult {
  return { onboardingId: onboarding.id, status: onboarding.status, ...(since ? { since } : {}) };
}
