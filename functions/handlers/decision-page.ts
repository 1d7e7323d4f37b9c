import { clock } from '#adapters/clock';
import type { LinkClaims } from '#core/link-token';
import { isOwnerChoice } from '#core/owner-decision';
import { decisionConfirmPage, decisionRecordedPage, openDecision, settledPage } from '#core/pages/decision';
import type { Page } from '#core/pages/layout';
import { logger } from './shared/logger.ts';
import { store } from './shared/store.ts';
import { workflow } from './shared/workflow.ts';

/** The question the link answers, with its onboarding and week, read in two round trips at once. */
async function findQuestion(claims: LinkClaims) {
  const [found, request, verdict] = await Promise.all([
    store.findOnboardingWeek(claims.onboardingId, claims.week),
    store.findDecision(claims.onboardingId, claims.week),
    // Week 0 is the due diligence's question, before the kickoff: its reason is the verdict's.
    claims.week === 0 ? store.findDueDiligence(claims.onboardingId) : undefined,
  ]);
  return { ...found, request, verdict };
}

/**
 * The page behind the decision links of an escalation email (see core/pages/decision.ts): the
 * GET confirms the choice and writes nothing; the POST records it with a conditional write (the
 * first decision wins; the deadline cannot undo it) and hands the waiting workflow its task token
 * with the choice. The token stays in the table: no link, page or log ever carries it.
 */
export const decisionPage = {
  async show(claims: LinkClaims): Promise<Page> {
    const open = openDecision(await findQuestion(claims), claims);
    return open.ok ? decisionConfirmPage(open.context) : open.page;
  },

  async submit(claims: LinkClaims): Promise<Page> {
    const open = openDecision(await findQuestion(claims), claims);
    if (!open.ok) {
      // A decision recorded whose callback failed (the page said so): a second click sends it again.
      await resendIfUndelivered(claims);
      return open.page;
    }
    const { choice } = open.context;
    const at = clock.now().toISOString();
    const { recorded, decision } = await store.decideAsOwner(claims.onboardingId, claims.week, {
      choice,
      by: claims.recipient,
      at,
    });
    if (!decision) throw new Error(`The question of week ${claims.week} vanished while deciding`);
    if (!recorded) return settledPage(open.context, decision);
    logger.info('owner decided', { onboardingId: claims.onboardingId, week: claims.week, choice });
    await handBack(claims, decision.taskToken, choice);
    return decisionRecordedPage(open.context, decision);
  },
};

/**
 * Sends the choice to the waiting workflow, then forgets the token. A task closed already (the
 * deadline passed a moment before) is not an error: the workflow reads the decision from the
 * table when it stops waiting, and the recorded decision stands.
 */
async function handBack(claims: LinkClaims, taskToken: string | undefined, choice: string): Promise<void> {
  if (!taskToken) return;
  const delivered = await workflow.sendTaskSuccess(taskToken, { choice });
  await store.forgetDecisionToken(claims.onboardingId, claims.week, taskToken);
  logger.info('workflow told the decision', { onboardingId: claims.onboardingId, delivered });
}

async function resendIfUndelivered(claims: LinkClaims): Promise<void> {
  const request = await store.findDecision(claims.onboardingId, claims.week);
  if (request?.state === 'decided' && isOwnerChoice(request.choice) && request.taskToken) {
    await handBack(claims, request.taskToken, request.choice);
  }
}
