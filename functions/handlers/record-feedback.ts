import { clock } from '#adapters/clock';
import { MAX_ANSWERS_KEPT, type OnboardingWeek } from '#adapters/onboarding-store';
import { FeedbackInvalid } from '#core/errors';
import { type Feedback, type FeedbackInput, feedbackInputSchema, feedbackIssues } from '#core/feedback';
import { formatPath } from '#core/plan';
import { logger } from './shared/logger.ts';
import { store } from './shared/store.ts';

/**
 * Records one answer to a week's check-in, from whichever way it came (a link, a reply, the API).
 * Accepted while the week is open: released, and not yet decided by the gate. Nothing is written
 * from an invalid answer; every problem is named.
 *
 * `read` is the onboarding and week as the caller has just read them for this request (the page
 * behind a link shows them before its form is sent): the answer is checked against that rather
 * than read again. Without it, or when it is another onboarding's or week's, they are read here.
 */
export async function recordFeedback(input: FeedbackInput, read?: OnboardingWeek): Promise<Feedback> {
  const parsed = feedbackInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new FeedbackInvalid(
      parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  const { onboardingId, week: weekNumber, ...answer } = parsed.data;
  const { onboarding, week } =
    read?.onboarding?.id === onboardingId && read.week?.week === weekNumber
      ? read
      : await store.findOnboardingWeek(onboardingId, weekNumber);
  if (!onboarding)
    throw new FeedbackInvalid([{ path: 'onboardingId', message: `no onboarding "${onboardingId}"` }]);
  const issues = feedbackIssues(weekNumber, week, answer);
  if (issues.length > 0) throw new FeedbackInvalid(issues);

  const feedback: Feedback = { week: weekNumber, ...answer, at: clock.now().toISOString() };
  // Refused, with nothing written, once the gate has closed the week's answers (every answer
  // stored is one the gate reads: store.closeAnswers), or once this side has answered this week as
  // often as an answer item can keep.
  const written = await store.putFeedback(onboardingId, feedback);
  if (written === 'closed') {
    throw new FeedbackInvalid([
      { path: 'week', message: `week ${weekNumber} is closed: the gate is deciding it` },
    ]);
  }
  if (written === 'too-many-answers') {
    throw new FeedbackInvalid([
      {
        path: 'role',
        message: `the ${answer.role} has answered week ${weekNumber} ${MAX_ANSWERS_KEPT} times, the most one side may: the last answer stands`,
      },
    ]);
  }
  logger.info('feedback recorded', {
    onboardingId,
    week: weekNumber,
    role: answer.role,
    source: answer.source,
  });
  return feedback;
}
