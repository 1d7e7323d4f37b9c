import { clock } from '#adapters/clock';
import { PlanInvalid, type PlanIssue } from '#core/errors';
import type { Onboarding } from '#core/onboarding';
import { slug } from '#core/plan';
import { digestOf } from '#core/plan-digest';
import { validatePlan } from '#core/validate-plan';
import { logger } from './shared/logger.ts';
import { store } from './shared/store.ts';
import { workflow } from './shared/workflow.ts';

export interface StartRequest {
  /** The plan as written (parsed YAML or JSON), before defaults: its digest decides what "the same plan" is. */
  plan: unknown;
  /** Overrides the plan's own id. */
  onboardingId?: string;
  /**
   * The id of the message that carried the plan (a webhook-id, an email's Message-ID). When the
   * plan has no id of its own, the onboarding's id is derived from it rather than from the plan, so
   * a redelivery of that message is the same onboarding, and the same id with another plan a conflict.
   */
  deliveryId?: string;
}

export interface StartResult {
  onboardingId: string;
  /** False when this onboarding existed already with the same plan: nothing new was started. */
  created: boolean;
  executionArn: string;
  /** What the plan asks that may not work out (as `onramp validate` warns): it started all the same. */
  warnings: PlanIssue[];
}

/**
 * Starts an onboarding: validate the plan (nothing is written from an invalid one), persist it
 * with a conditional write, start the workflow execution named by its id. Safe to repeat: the
 * same id with the same plan returns the same onboarding; with another plan, OnboardingConflict.
 * The plan stays in the table; the execution gets only the id.
 */
export async function startOnboarding({
  plan: input,
  onboardingId,
  deliveryId,
}: StartRequest): Promise<StartResult> {
  // The id names the execution (letters, digits, dashes; at most 80) and the table's items.
  const id = onboardingId === undefined ? undefined : slug.safeParse(onboardingId);
  if (id && !id.success)
    throw new PlanInvalid([{ path: 'onboardingId', message: id.error.issues[0]!.message }]);
  const now = clock.now().toISOString();
  const result = validatePlan(input, {
    now,
    ...(onboardingId ? { id: onboardingId } : {}),
    ...(deliveryId ? { idFrom: { deliveryId } } : {}),
  });
  if (!result.ok) throw new PlanInvalid(result.issues);
  const { plan, warnings } = result;

  const draft: Onboarding = {
    id: plan.id,
    status: 'pending',
    plan,
    planDigest: digestOf(input),
    createdAt: now,
    updatedAt: now,
  };
  const { created, onboarding } = await store.createOnboarding(draft);
  // Start while the onboarding is pending, even when it existed: an earlier start may have
  // stopped between the write and the execution, and the execution name makes this safe. Once it
  // has run, a resubmission starts nothing (Step Functions frees a name 90 days after it closes);
  // nor does one after a cancel. A cancel that lands after this read, before the start, finds no
  // execution to stop: the execution starts, and Accept, finding it cancelled, ends it at once.
  if (onboarding.status !== 'pending') {
    logger.info('onboarding start requested again', { onboardingId: plan.id, status: onboarding.status });
    return {
      onboardingId: onboarding.id,
      created,
      executionArn: workflow.executionArn(onboarding.id),
      warnings,
    };
  }
  const { started, executionArn } = await workflow.start(onboarding.id);
  logger.info('onboarding start requested', { onboardingId: plan.id, created, started });
  return { onboardingId: onboarding.id, created, executionArn, warnings };
}
