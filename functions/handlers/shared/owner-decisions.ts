import { clock } from '#adapters/clock';
import type { OnboardingWeek, StoredDecision } from '#adapters/onboarding-store';
import type { DueDiligenceVerdict } from '#core/due-diligence';
import type { Onboarding, WeekRecord } from '#core/onboarding';
import { type DecisionChannel, isOwnerChoice, type OwnerChoice } from '#core/owner-decision';
import {
  type DecisionQuestion,
  type DecisionRefusal,
  offersChoice,
  openQuestion,
  questionIn,
} from '#core/pages/decision';
import { logger } from './logger.ts';
import { store } from './store.ts';
import { workflow } from './workflow.ts';

/** The question about `week`, with its onboarding and week, as stored (the task token included). */
export interface StoredQuestion {
  onboarding: Onboarding | undefined;
  week: WeekRecord | undefined;
  request: StoredDecision | undefined;
  verdict?: DueDiligenceVerdict | undefined;
}

/**
 * Reads the question about `week` in two round trips at once (three for the due diligence's), or
 * one fewer when the caller read the onboarding and its week already (`known`).
 */
export async function findQuestion(
  onboardingId: string,
  week: number,
  known?: OnboardingWeek,
): Promise<StoredQuestion> {
  const [found, request, verdict] = await Promise.all([
    known ?? store.findOnboardingWeek(onboardingId, week),
    store.findDecision(onboardingId, week),
    // Week 0 is the due diligence's question, before the kickoff: its reason is the verdict's.
    week === 0 ? store.findDueDiligence(onboardingId) : undefined,
  ]);
  return { ...found, request, verdict };
}

/** One decision, however it came: the confirm page of a signed link, or a reply to the question's email. */
export interface OwnerDecisionAttempt {
  onboardingId: string;
  week: number;
  /** As given: whether it is a choice, and one this question offers, is checked here. */
  choice: unknown;
  /** The owner's address the decision came through (the link's recipient, the reply's sender). */
  by: string;
  /** The way it came: the confirm page of the link, or a reply. */
  via: DecisionChannel;
}

export type OwnerDecisionResult =
  | { recorded: true; choice: OwnerChoice; question: DecisionQuestion; request: StoredDecision }
  | { recorded: false; refusal: DecisionRefusal };

/**
 * Records the owner's decision and hands the waiting workflow its task token with the choice: the
 * one path for links and replies alike. Refused, without writing, when the question is not found,
 * does not offer the choice, is settled, past its deadline, or its onboarding ended. The write is
 * conditional (the first decision wins; the deadline cannot undo it), so a decision racing another
 * one is refused as settled. The token stays in the table: no link, page, email or log carries it.
 */
export async function decideAsOwner(
  attempt: OwnerDecisionAttempt,
  found?: StoredQuestion,
): Promise<OwnerDecisionResult> {
  const { onboardingId, week } = attempt;
  const now = clock.now();
  const question = found ?? (await findQuestion(onboardingId, week));
  const open = openQuestion(question, week, now);
  const asked = questionIn(open);
  if (!isOwnerChoice(attempt.choice) || (asked && !offersChoice(asked, attempt.choice))) {
    return { recorded: false, refusal: { reason: 'not-offered' } };
  }
  if (!open.ok) {
    // A decision recorded whose callback failed (its page or reply said so): trying again sends it.
    await resendIfUndelivered(onboardingId, question.request);
    return { recorded: false, refusal: open.refusal };
  }
  const { choice } = attempt;
  const { recorded, decision } = await store.decideAsOwner(onboardingId, week, {
    choice,
    by: attempt.by,
    via: attempt.via,
    at: now.toISOString(),
  });
  if (!decision) throw new Error(`The question of week ${week} vanished while deciding`);
  if (!recorded) {
    return {
      recorded: false,
      refusal: { reason: 'settled', question: { ...open.question, request: decision } },
    };
  }
  logger.info('owner decided', { onboardingId, week, choice });
  await handBack(onboardingId, week, decision.taskToken, choice);
  return { recorded: true, choice, question: { ...open.question, request: decision }, request: decision };
}

/**
 * Sends the choice to the waiting workflow, then forgets the token. A task closed already (the
 * deadline passed a moment before) is not an error: the workflow reads the decision from the
 * table when it stops waiting, and the recorded decision stands.
 */
async function handBack(
  onboardingId: string,
  week: number,
  taskToken: string | undefined,
  choice: OwnerChoice,
): Promise<void> {
  if (!taskToken) return;
  const delivered = await workflow.sendTaskSuccess(taskToken, { choice });
  await store.forgetDecisionToken(onboardingId, week, taskToken);
  logger.info('workflow told the decision', { onboardingId, delivered });
}

async function resendIfUndelivered(onboardingId: string, request: StoredDecision | undefined): Promise<void> {
  if (request?.state === 'decided' && isOwnerChoice(request.choice) && request.taskToken) {
    await handBack(onboardingId, request.week, request.taskToken, request.choice);
  }
}
