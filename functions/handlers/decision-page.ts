import type { LinkClaims } from '#core/link-token';
import { isOwnerChoice } from '#core/owner-decision';
import {
  decisionConfirmPage,
  decisionRecordedPage,
  decisionRefusedPage,
  openDecision,
} from '#core/pages/decision';
import type { Page } from '#core/pages/layout';
import { linkProblemPage } from '#core/pages/notices';
import { decideAsOwner, findQuestion } from './shared/owner-decisions.ts';

/**
 * The page behind the decision links of an escalation email (see core/pages/decision.ts): the
 * GET confirms the choice and writes nothing; the POST records it through the same path as a
 * reply to the email (shared/owner-decisions.ts: the first decision wins; the deadline cannot undo
 * it) and hands the waiting workflow its task token with the choice. The token stays in the
 * table: no link, page or log ever carries it.
 */
export const decisionPage = {
  async show(claims: LinkClaims): Promise<Page> {
    const open = openDecision(await findQuestion(claims.onboardingId, claims.week), claims);
    return open.ok ? decisionConfirmPage(open.context) : open.page;
  },

  async submit(claims: LinkClaims): Promise<Page> {
    if (!isOwnerChoice(claims.choice)) return linkProblemPage({ ok: false, reason: 'malformed' });
    const result = await decideAsOwner({
      onboardingId: claims.onboardingId,
      week: claims.week,
      choice: claims.choice,
      by: claims.recipient,
      via: 'link',
    });
    if (!result.recorded) return decisionRefusedPage(result.refusal, claims.choice);
    return decisionRecordedPage({ ...result.question, choice: result.choice }, result.request);
  },
};
