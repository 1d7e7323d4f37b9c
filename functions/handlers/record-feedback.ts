import { clock } from '#adapters/clock';
import { FeedbackInvalid } from '#core/errors';
import { type Feedback, type FeedbackInput, feedbackInputSchema } from '#core/feedback';
import { formatPath } from '#core/plan';
import { logger } from './shared/logger.ts';
import { store } from './shared/store.ts';

/**
 * Records one answer to a week's check-in, from whichever way it came (a link, a reply, the API):
 * the onboarding must be active and the week released; unfinished tasks must be tasks of that
 * week, and only the owner names them. Nothing is written from an invalid answer.
 */
export async function recordFeedback(input: FeedbackInput): Promise<Feedback> {
  const parsed = feedbackInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new FeedbackInvalid(
      parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  const { onboardingId, week: weekNumber, ...answer } = parsed.data;
  const { onboarding, week } = await store.getOnboardingWeek(onboardingId, weekNumber);
  if (onboarding.status !== 'active') {
    throw new FeedbackInvalid([
      { path: 'onboardingId', message: `the onboarding is ${onboarding.status}, not active` },
    ]);
  }
  const worked = new Set([
    ...week.tasks.filter((t) => !t.recurring).map((t) => t.taskId),
    ...week.carriedTaskIds,
  ]);
  const issues = answer.unfinishedTaskIds.flatMap((id, i) =>
    worked.has(id)
      ? []
      : [{ path: `unfinishedTaskIds[${i}]`, message: `"${id}" is not a task of week ${weekNumber}` }],
  );
  if (answer.role !== 'owner' && answer.unfinishedTaskIds.length > 0) {
    issues.push({ path: 'unfinishedTaskIds', message: 'only the owner reports unfinished work' });
  }
  if (issues.length > 0) throw new FeedbackInvalid(issues);

  const feedback: Feedback = { week: weekNumber, ...answer, at: clock.now().toISOString() };
  await store.putFeedback(onboardingId, feedback);
  logger.info('feedback recorded', {
    onboardingId,
    week: weekNumber,
    role: answer.role,
    source: answer.source,
  });
  return feedback;
}
