import type { ParkedTask, WaitEvent } from './runner.ts';

/**
 * The Waits of the workflow during which people answer the week's check-in
 * (statemachines/onboarding.asl.json): the feedback window, and the grace period after the reminder.
 */
const FEEDBACK_WAIT = 'WaitForFeedback';
const GRACE_WAIT = 'WaitForGrace';

/** A week's feedback window, held open in real time. */
export interface OpenWindow {
  onboardingId: string;
  week: number;
  /** When, in real time, the workflow goes on to decide the week. */
  closesAt: Date;
  /** The owner's decision is open (the weekly check asked them), rather than the week's feedback. */
  owner?: boolean;
  /** The grace period after the reminder of the silent, rather than the feedback window. */
  grace?: boolean;
}

/**
 * Holds each week's feedback window open for a while in real time, so people can answer a local
 * onboarding through the links in its check-in emails: the execution's clock still jumps to the
 * end of the window, but only after the real pause, and the week is decided from what came in
 * meanwhile. Every other Wait stays instant. Without it a week's window would close in the same
 * millisecond it opened, before anyone could click.
 */
export class RealTimeFeedbackWindows {
  private readonly open = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly seconds: number,
    private readonly onOpen?: (window: OpenWindow) => void,
  ) {
    if (!(seconds > 0)) throw new Error(`A feedback window lasts more than 0 seconds, not ${seconds}`);
  }

  /** For the runner's onWait: returns when the window closes (or the runtime stops). */
  readonly onWait = (wait: WaitEvent): Promise<void> => {
    if (wait.stateName !== FEEDBACK_WAIT && wait.stateName !== GRACE_WAIT) return Promise.resolve();
    const { onboardingId, week } = wait.state as { onboardingId: string; week: number };
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.open.delete(timer);
        resolve();
      }, this.seconds * 1000);
      // A held window never keeps the process alive on its own.
      timer.unref();
      this.open.set(timer, resolve);
      this.onOpen?.({
        onboardingId,
        week,
        closesAt: new Date(Date.now() + this.seconds * 1000),
        ...(wait.stateName === GRACE_WAIT ? { grace: true } : {}),
      });
    });
  };

  /**
   * For the runner's onPark: the owner's decision stays open as long as a feedback window, in real
   * time, for a person to decide through the email's links; then, if nobody did, `expire` lets the
   * execution's time run to the wait's deadline (the default applies). Returns at once: a decision
   * made meanwhile moves the workflow on without waiting for the timer.
   */
  onPark(task: ParkedTask, expire: (until: Date) => unknown): void {
    if (task.stateName !== 'WaitForOwnerDecision' || !task.timeoutAt) return;
    const deadline = task.timeoutAt;
    const timer = setTimeout(() => {
      this.open.delete(timer);
      try {
        expire(deadline);
      } catch {
        // Decided (or stopped) meanwhile: nothing waits any more.
      }
    }, this.seconds * 1000);
    timer.unref();
    // Stopping the runtime drops the timer: nothing is left to expire.
    this.open.set(timer, () => undefined);
    this.onOpen?.({
      onboardingId: task.executionName,
      week: 0,
      closesAt: new Date(Date.now() + this.seconds * 1000),
      owner: true,
    });
  }

  /** Closes every open window at once, so stopping the runtime does not wait for them. */
  close(): void {
    for (const [timer, resolve] of this.open) {
      clearTimeout(timer);
      resolve();
    }
    this.open.clear();
  }
}
