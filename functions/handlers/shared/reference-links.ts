import { REFERENCE_QUESTIONS, type ReferenceQuestion } from '#core/due-diligence';
import type { ReferenceLinks } from '#core/emails/reference';
import { linkUrl, signLinkToken } from '#core/link-token';
import { referenceLinkClaims } from '#core/pages/reference';

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
