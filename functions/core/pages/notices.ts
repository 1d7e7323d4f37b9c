import escapeHtml from 'escape-html';
import type { LinkClaims, LinkPurpose, LinkTokenCheck } from '../link-token.ts';
import { type Page, paragraph } from './layout.ts';

/**
 * The pages that say why a link cannot do what it says. They name no internals: not which check
 * failed beyond what helps the reader, no error text, no stack; an unexpected failure shows only
 * the request id, to quote to whoever runs onramp.
 */

const NOTHING_RECORDED = 'Nothing was recorded.';

/** What an expired link of each purpose was for, and why its time is over. */
const EXPIRED: Record<LinkPurpose, (claims: LinkClaims) => string> = {
  feedback: ({ week }) =>
    `It was the link to answer the check-in of week ${week}, and answers for that week closed when the week was decided.`,
  rate: ({ week, rating }) =>
    `It was the link to rate week ${week} with ${rating} of 5, and answers for that week closed when the week was decided.`,
  decision: ({ week }) =>
    week === 0
      ? 'It was a link to decide whether the onboarding starts after its due diligence, and the time to decide has passed.'
      : `It was a link to decide how the onboarding goes on after week ${week}, and the time to decide has passed: the stage held, as the email said it would. If a later week asks you again, its email brings new links.`,
  reference: () =>
    'It was the link to answer questions about a partner, and the time to answer has passed: the answers were collected.',
};

/** A link whose token was refused. */
export function linkProblemPage(check: Extract<LinkTokenCheck, { ok: false }>): Page {
  if (check.reason === 'expired') {
    return {
      status: 410,
      title: 'This link has expired',
      body: [
        paragraph(EXPIRED[check.claims.purpose](check.claims)),
        paragraph('Each week’s check-in email brings a link of its own.'),
      ].join('\n'),
    };
  }
  return {
    status: 400,
    title: 'This link is not valid',
    body: [
      paragraph(
        'The address may have been cut short or changed on the way. Open the link straight from the email, or copy the whole address into the browser.',
      ),
      paragraph(NOTHING_RECORDED),
    ].join('\n'),
  };
}

/** A genuine link to an onboarding (or a week of it) that the table does not have. */
export function notFoundPage(): Page {
  return {
    status: 404,
    title: 'This onboarding was not found',
    body: [
      paragraph('The onboarding this link belongs to does not exist here (any more).'),
      paragraph(NOTHING_RECORDED),
    ].join('\n'),
  };
}

/** An answer to a week the gate has already decided. */
export function weekClosedPage(week: number, decidedAt: string): Page {
  return {
    status: 410,
    title: `Week ${week} is already decided`,
    body: [
      paragraph(
        `Answers for week ${week} closed on ${decidedAt}, when its check-in was decided, so an answer now could no longer count.`,
      ),
      paragraph(`${NOTHING_RECORDED} Each week’s check-in email brings a link of its own.`),
    ].join('\n'),
  };
}

/** A link of an onboarding that stopped (failed or cancelled): it takes no more answers. */
export function onboardingEndedPage(title: string): Page {
  return {
    status: 410,
    title: 'This onboarding has ended',
    body: [paragraph(`“${title}” has stopped, and takes no more answers.`), paragraph(NOTHING_RECORDED)].join(
      '\n',
    ),
  };
}

/** A request the page's own form would never send (another method, content type, a huge body). */
export function badRequestPage(status: 405 | 413 | 415): Page {
  const why = {
    405: 'Links open with GET, and their forms send with POST.',
    413: 'The answer was too large to read.',
    415: 'Answers are read only as the page’s form sends them.',
  }[status];
  return {
    status,
    title: 'This request cannot be read',
    body: [
      paragraph(why),
      paragraph(`${NOTHING_RECORDED} Open the link from the email and use its form.`),
    ].join('\n'),
  };
}

/** Anything unexpected: the request id to quote, nothing else. */
export function errorPage(requestId: string): Page {
  return {
    status: 500,
    title: 'Something went wrong',
    body: [
      paragraph('Please try again in a few minutes.'),
      `<p>If it keeps happening, tell whoever runs onramp for you this reference: <code>${escapeHtml(requestId)}</code></p>`,
    ].join('\n'),
  };
}
