import { REFERENCE_QUESTIONS, type ReferenceQuestion } from '#core/due-diligence';
import type { EmailMessage } from '#core/emails/message';
import { type ReferenceLinks, referenceEmail } from '#core/emails/reference';
import { linkUrl, signLinkToken } from '#core/link-token';
import { referenceLinkClaims } from '#core/pages/reference';
import type { Plan } from '#core/plan';

/** The signed links of one reference's email: the form, and a one-click score per question. */
export function referenceLinks(
  publicUrl: string,
  key: string,
  ask: { onboardingId: string; reference: number; email: string; dueAt: string },
): ReferenceLinks {
  const link = (score?: { question: ReferenceQuestion; rating: number }) =>
    linkUrl(
      publicUrl,
      signLinkToken(referenceLinkClaims(ask.onboardingId, ask.reference, ask.email, ask.dueAt, score), key),
    );
  const scores = Object.fromEntries(
    REFERENCE_QUESTIONS.map((question) => [
      question,
      [1, 2, 3, 4, 5].map((rating) => link({ question, rating })),
    ]),
  ) as Record<ReferenceQuestion, string[]>;
  return { form: link(), scores };
}

/** The email asking reference number `reference` (1-based) of the plan, or reminding them, with their signed links. */
export function referenceEmailWithLinks(
  plan: Plan,
  ask: { publicUrl: string; key: string; reference: number; dueAt: string; reminder: boolean },
): EmailMessage {
  const { email } = plan.references[ask.reference - 1]!;
  const { publicUrl, key, reference, dueAt, reminder } = ask;
  return referenceEmail(plan, {
    reference,
    links: referenceLinks(publicUrl, key, { onboardingId: plan.id, reference, email, dueAt }),
    dueAt,
    reminder,
  });
}
