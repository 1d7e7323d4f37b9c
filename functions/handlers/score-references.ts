import { clock } from '#adapters/clock';
import { dueDiligenceVerdict } from '#core/due-diligence';
import { type WorkflowState, workflowStateSchema } from '#core/onboarding';
import { decisionDueAt, decisionTimeoutSeconds } from '#core/owner-decision';
import { logger } from './shared/logger.ts';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';

const scoreInput = workflowStateSchema.required({ dueDiligence: true });

/**
 * Due diligence, at the deadline: the answers are scored (flagged references do not count) and
 * the verdict recorded once (answers after it are refused by the page). A pass goes on to the
 * kickoff; too few independent answers or a weak average first asks the owner (`askOwner` of
 * week 0), until week 1's release (the plan's start at 09:00).
 */
export const handler = workflowStep('score-references', scoreInput, async (state): Promise<WorkflowState> => {
  const { onboardingId } = state;
  const onboarding = await store.getOnboarding(onboardingId);
  const { dueDiligence: _, askOwner: __, ...next } = state;
  // Cancelled meanwhile, the stop not arrived yet: nothing is scored and the owner is not asked;
  // the kickoff sends nothing, and the release ends the run (see ask-references).
  if (onboarding.status === 'cancelled') return next;
  // Closed before they are read: an answer stored before is scored, one after is refused.
  await store.closeReferenceAnswers(
    onboardingId,
    onboarding.plan.references?.length ?? 0,
    clock.now().toISOString(),
  );
  const answers = await store.listReferenceAnswers(onboardingId);
  const verdict = await store.recordDueDiligence(
    onboardingId,
    dueDiligenceVerdict(onboarding.plan, answers, clock.now().toISOString()),
  );
  logger.info('due diligence scored', {
    onboardingId,
    outcome: verdict.outcome,
    independentAnswers: verdict.score.independentAnswers,
  });
  if (verdict.outcome === 'pass') return next;
  const dueAt = decisionDueAt(onboarding.plan, 0, onboarding.pausedWeeks);
  return { ...next, askOwner: { week: 0, timeoutSeconds: decisionTimeoutSeconds(dueAt, clock.now()) } };
});
