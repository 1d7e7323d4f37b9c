import { clock } from '#adapters/clock';
import { MAX_ANSWERS_KEPT } from '#adapters/onboarding-store';
import type { LinkClaims } from '#core/link-token';
import type { Page } from '#core/pages/layout';
import {
  answersClosedPage,
  openReference,
  readReferenceForm,
  referenceAnswer,
  referenceFormPage,
  referenceFormValues,
  referenceRecordedPage,
} from '#core/pages/reference';
import { logger } from './shared/logger.ts';
import { store } from './shared/store.ts';

/** The reference the link asks, with the onboarding and whether the answers were scored already. */
async function findReference(claims: LinkClaims) {
  const [onboarding, verdict] = await Promise.all([
    store.findOnboarding(claims.onboardingId),
    store.findDueDiligence(claims.onboardingId),
  ]);
  return { onboarding, verdict };
}

/**
 * The page behind a reference's links (see core/pages/reference.ts): the GET shows the form with
 * the clicked score chosen and writes nothing; the POST records the answer on the reference's
 * `REFERENCE#<n>` item (a later one replaces it, the earlier kept in its history), flagged when
 * the reference is at the partner's own domain.
 */
export const referencePage = {
  async show(claims: LinkClaims): Promise<Page> {
    const open = openReference(await findReference(claims), claims);
    if (!open.ok) return open.page;
    const current = (await store.listReferenceAnswers(claims.onboardingId)).find(
      (a) => a.reference === claims.reference,
    );
    return referenceFormPage(open.context, referenceFormValues(current, claims), {
      ...(current ? { current } : {}),
    });
  },

  async submit(claims: LinkClaims, form: URLSearchParams): Promise<Page> {
    const open = openReference(await findReference(claims), claims);
    if (!open.ok) return open.page;
    const read = readReferenceForm(form);
    if (!read.ok) return referenceFormPage(open.context, read.values, { errors: read.errors });
    const answer = referenceAnswer(open.context, read, clock.now().toISOString());
    const written = await store.putReferenceAnswer(claims.onboardingId, answer);
    // The answers were closed for scoring between this page's look and its write.
    if (written === 'closed')
      return answersClosedPage(open.context.partnerName, answer.at, open.context.timeZone);
    if (written === 'too-many-answers') {
      // The answer that stands, shown in the form and named above it.
      const current = (await store.listReferenceAnswers(claims.onboardingId)).find(
        (a) => a.reference === claims.reference,
      );
      return referenceFormPage(open.context, referenceFormValues(current, { ...claims, rating: undefined }), {
        errors: {
          form: `You have answered ${MAX_ANSWERS_KEPT} times, the most one reference may: your last answer stands.`,
        },
        ...(current ? { current } : {}),
      });
    }
    logger.info('reference answered', {
      onboardingId: claims.onboardingId,
      reference: answer.reference,
      independent: answer.independent,
    });
    return referenceRecordedPage(open.context, answer);
  },
};
