import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { clock } from '#adapters/clock';
import { secretFromEnvironment } from '#adapters/secrets';
import { FeedbackInvalid } from '#core/errors';
import { LINK_PURPOSES, type LinkClaims, type LinkPurpose, verifyLinkToken } from '#core/link-token';
import {
  feedbackFormPage,
  feedbackRecordedPage,
  openFeedbackWeek,
  readFeedbackForm,
  refusedAnswerPage,
  valuesOf,
} from '#core/pages/feedback';
import { PAGE_HEADERS, type Page, renderPage } from '#core/pages/layout';
import { badRequestPage, errorPage, linkProblemPage } from '#core/pages/notices';
import { decisionPage } from './decision-page.ts';
import { recordFeedback } from './record-feedback.ts';
import { referencePage } from './reference-page.ts';
import { HttpProblem, mediaType, requestBody } from './shared/http.ts';
import { logger } from './shared/logger.ts';
import { store } from './shared/store.ts';

/** Read at cold start: the key only by its ARN (the value is fetched, and cached, per request). */
const linkKey = secretFromEnvironment(process.env, 'LINK_SECRET_ARN', 'link signing');

/**
 * What a link of one purpose does: `show` answers the GET and never writes (mail scanners and
 * link previews open links nobody clicked); `submit` answers its page's form.
 */
interface LinkPage {
  show(claims: LinkClaims): Promise<Page>;
  submit(claims: LinkClaims, form: URLSearchParams): Promise<Page>;
}

const feedbackPage: LinkPage = {
  async show(claims) {
    const found = await store.findAnswerToWeek(claims.onboardingId, claims.week, claims.role);
    const open = openFeedbackWeek(found, claims);
    if (!open.ok) return open.page;
    const current = found.answer;
    return feedbackFormPage(open.context, valuesOf(current), { ...(current ? { current } : {}) });
  },

  async submit(claims, form) {
    const found = await store.findOnboardingWeek(claims.onboardingId, claims.week);
    const open = openFeedbackWeek(found, claims);
    if (!open.ok) return open.page;
    const answer = readFeedbackForm(form, claims);
    if (!answer.ok) return feedbackFormPage(open.context, answer.values, { errors: answer.errors });
    try {
      return feedbackRecordedPage(open.context, await recordFeedback(answer.input, found));
    } catch (error) {
      if (error instanceof FeedbackInvalid)
        return refusedAnswerPage(open.context, answer.values, error.issues);
      throw error;
    }
  },
};

/** The page behind each purpose of link (issue 5 adds one-click ratings, decisions, references). */
const PAGES: Record<LinkPurpose, LinkPage> = {
  feedback: feedbackPage,
  // A one-click rating opens the same page, confirming the rating its link carries.
  rate: feedbackPage,
  // The owner's decision when the weekly check asks them (continue, extend this stage, abort).
  decision: decisionPage,
  // A reference's answer about the partner (due diligence, before the kickoff).
  reference: referencePage,
};

/**
 * `GET /links/{token}` and `POST /links/{token}` (API Gateway HTTP API, payload format 2.0): the
 * small pages behind the links in emails. Every outcome is an HTML page; a refused link or an
 * unexpected failure says so plainly, never with internals.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const requestId = event.requestContext.requestId;
  let page: Page;
  try {
    page = await linkPage(event);
  } catch (error) {
    // Addresses can appear in an AWS error's text; the log gets them masked, the page nothing at all.
    logger.error('link page failed', {
      requestId,
      errorName: error instanceof Error ? error.name : typeof error,
      errorDetail: maskAddresses(error instanceof Error ? (error.stack ?? error.message) : String(error)),
    });
    page = errorPage(requestId);
  }
  return {
    statusCode: page.status,
    headers: { ...PAGE_HEADERS, ...(page.status === 405 ? { allow: 'GET, POST' } : {}) },
    body: renderPage(page),
  };
}

async function linkPage(event: APIGatewayProxyEventV2): Promise<Page> {
  const method = event.requestContext.http.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') return badRequestPage(405);
  const check = verifyLinkToken(event.pathParameters?.token ?? '', await linkKey.value(), {
    purposes: LINK_PURPOSES,
    now: clock.now(),
  });
  if (!check.ok) {
    logger.info('link refused', {
      reason: check.reason,
      ...(check.reason === 'expired' ? { onboardingId: check.claims.onboardingId } : {}),
    });
    return linkProblemPage(check);
  }
  const page = PAGES[check.claims.purpose];
  if (method === 'GET') return page.show(check.claims);

  if (mediaType(event.headers ?? {}) !== 'application/x-www-form-urlencoded') return badRequestPage(415);
  let body: string;
  try {
    body = requestBody(event);
  } catch (error) {
    if (error instanceof HttpProblem && error.statusCode === 413) return badRequestPage(413);
    throw error;
  }
  return page.submit(check.claims, new URLSearchParams(body));
}

function maskAddresses(text: string): string {
  return text.replace(/[^\s@"'<>]+@[^\s@"'<>]+/g, '<address>');
}
