import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { clock } from '#adapters/clock';
import { idempotencyStoreFromEnvironment } from '#adapters/idempotency';
import { secretFromEnvironment } from '#adapters/secrets';
import { type ControlAction, controlBodyProblem } from '#core/control-request';
import {
  OnboardingConflict,
  OnboardingNotFound,
  OnrampError,
  PlanInvalid,
  TransientError,
} from '#core/errors';
import { listCursorKey, onboardingListView, parseListQuery } from '#core/onboarding-list';
import { onboardingStatusView } from '#core/onboarding-status';
import { slug } from '#core/plan';
import { signatureHeaders, signedPayload, verifyWebhookSignature } from '#core/webhook-signature';
import { cancelOnboarding, pauseOnboarding, resumeOnboarding } from './onboarding-controls.ts';
import { checkBodySize, HttpProblem, jsonResponse, mediaType, utf8RequestBody } from './shared/http.ts';
import { logger } from './shared/logger.ts';
import { store } from './shared/store.ts';
import { startOnboarding } from './start-onboarding.ts';

const signingSecret = secretFromEnvironment(process.env, 'WEBHOOK_SECRET_ARN', 'webhook signing');

/** A signed request that changes something, once its signature has been checked. */
interface Delivery {
  webhookId: string;
  routeKey: string;
  onboardingId?: string;
  body: string;
}

interface Outcome {
  statusCode: number;
  body: Record<string, unknown>;
}

/**
 * A delivery is acted on once per `webhook-id` (Standard Webhooks' idempotency key), for a day:
 * a redelivery gets the first answer again without acting, and the same id on another route,
 * onboarding or body is refused. That also stops a captured request (its id is signed) from being
 * replayed against another onboarding: a change signs its body, not its path.
 */
const deliveries = new IdempotencyConfig({
  eventKeyJmesPath: 'webhookId',
  payloadValidationJmesPath: '[routeKey, onboardingId, body]',
  expiresAfterSeconds: 24 * 60 * 60,
  responseHook: (response) => ({ ...(response as object), redelivered: true }),
});
const actOnce = makeIdempotent(act, {
  persistenceStore: idempotencyStoreFromEnvironment(process.env, 'webhook'),
  config: deliveries,
});

/**
 * The API other systems call: start an onboarding, list onboardings by status, read one's status,
 * pause, resume or cancel it.
 * Every request is signed per Standard Webhooks with the secret in Secrets Manager; an unsigned,
 * forged or stale one is refused before anything is read or written. A signed body that cannot be
 * read as UTF-8 JSON (compressed, in another charset, not UTF-8) is told so before its signature
 * is checked: the library verifies text, so checking such bytes first would tell its sender only
 * that the signature does not match, when the body is what is wrong. Nothing is read or written
 * for it either.
 */
export async function handler(
  event: APIGatewayProxyEventV2,
  context?: Context,
): Promise<APIGatewayProxyResultV2> {
  try {
    checkBodySize(event);
    // An unsigned request is refused as unsigned, whatever its body holds.
    const signing = signatureHeaders(event.headers);
    if (!signing.ok) throw new HttpProblem(401, `The request is not signed as required: ${signing.reason}`);
    const read = event.requestContext.http.method.toUpperCase() === 'GET';
    // A read's body is not read: what it signs is its request line.
    const body = read ? '' : utf8RequestBody(event);
    const secret = await signingSecret.value();
    // Standard Webhooks signs only a body, and a read has none: a GET signs its request line
    // (`GET <rawPath>?<rawQueryString>`, as sent), so the headers of one read cannot read another
    // onboarding, or the listing, while they are fresh (core/webhook-signature.ts, signedPayload).
    const payload = signedPayload({
      method: event.requestContext.http.method,
      rawPath: event.rawPath,
      rawQueryString: event.rawQueryString,
      body,
    });
    const check = verifyWebhookSignature(secret, { headers: signing.headers, payload });
    if (!check.ok) throw new HttpProblem(401, `The request is not signed as required: ${check.reason}`);
    const onboardingId = event.pathParameters?.id;
    // An id no onboarding can have (a 2,000-character one would fail the table's key limit) is
    // not looked up: the answer is the one an unknown id gets, before the store is reached.
    if (onboardingId !== undefined && !slug.safeParse(onboardingId).success)
      return jsonResponse(404, { error: 'OnboardingNotFound', message: notAnOnboardingId(onboardingId) });

    if (event.routeKey === 'GET /onboardings') return jsonResponse(200, await list(event, secret));
    if (event.routeKey === 'GET /onboardings/{id}') return jsonResponse(200, await status(onboardingId!));

    requireJson(event, body);
    // Pause, resume and cancel name their onboarding in the signed body (core/control-request.ts).
    if (onboardingId !== undefined) {
      const action = event.routeKey.split('/').at(-1) as ControlAction;
      const problem = controlBodyProblem(body, onboardingId, action);
      if (problem) throw new HttpProblem(422, problem);
    }
    // With the invocation's deadline known, a delivery cut short by a timeout does not block its id.
    if (context) deliveries.registerLambdaContext(context);
    const delivery = { webhookId: check.webhookId, routeKey: event.routeKey, onboardingId, body };
    const outcome = (await actOnce(delivery)) as Outcome & { redelivered?: boolean };
    const { redelivered, ...answer } = outcome;
    // A redelivered start changes nothing: it gets the onboarding, with 200 rather than 202, and
    // the first answer otherwise as it was, except that it says it created nothing.
    const statusCode = redelivered && answer.statusCode === 202 ? 200 : answer.statusCode;
    const answerBody =
      redelivered && 'created' in answer.body ? { ...answer.body, created: false } : answer.body;
    return jsonResponse(statusCode, answerBody, locationOf(event, answerBody));
  } catch (error) {
    return problemResponse(error, event);
  }
}

/** Why no onboarding has this id, without echoing an id too long to be one. */
function notAnOnboardingId(id: string): string {
  const rule = 'an onboarding id is lowercase letters, digits and dashes, at most 63 characters';
  return id.length > 63
    ? `No onboarding has an id of ${id.length} characters: ${rule}`
    : `No onboarding with id ${JSON.stringify(id)}: ${rule}`;
}

/**
 * Acts on a delivery. What the request itself got wrong (a bad plan, an unknown or finished
 * onboarding) is its answer, kept with its id like a success: a redelivery gets it again, and the
 * id cannot be spent on another onboarding. Only a failure on our side is thrown, which frees the
 * id for the sender's retry.
 */
async function act(delivery: Delivery): Promise<Outcome> {
  try {
    return await perform(delivery);
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) return refusal;
    throw error;
  }
}

async function perform({ routeKey, onboardingId, webhookId, body }: Delivery): Promise<Outcome> {
  switch (routeKey) {
    case 'POST /onboardings': {
      const plan = JSON.parse(body) as unknown;
      const started = await startOnboarding({ plan, deliveryId: webhookId });
      logger.info('onboarding start requested by webhook', {
        onboardingId: started.onboardingId,
        created: started.created,
      });
      return {
        statusCode: started.created ? 202 : 200,
        body: {
          onboardingId: started.onboardingId,
          created: started.created,
          // What `onramp validate` would warn of: the plan started, but may not work out as written.
          ...(started.warnings.length > 0 ? { warnings: started.warnings } : {}),
        },
      };
    }
    case 'POST /onboardings/{id}/pause':
      return { statusCode: 200, body: { ...(await pauseOnboarding(onboardingId!)) } };
    case 'POST /onboardings/{id}/resume':
      return { statusCode: 200, body: { ...(await resumeOnboarding(onboardingId!)) } };
    case 'POST /onboardings/{id}/cancel':
      return { statusCode: 200, body: { ...(await cancelOnboarding(onboardingId!)) } };
    default:
      throw new HttpProblem(404, `No route ${routeKey}`);
  }
}

/** The answer to a request onramp refuses for what it asks (not for how it was sent), if it is one. */
function refusalOf(error: unknown): Outcome | undefined {
  if (error instanceof PlanInvalid)
    return { statusCode: 422, body: { error: 'PlanInvalid', message: error.message, issues: error.issues } };
  if (error instanceof OnboardingNotFound)
    return { statusCode: 404, body: { error: 'OnboardingNotFound', message: error.message } };
  if (error instanceof OnboardingConflict)
    return { statusCode: 409, body: { error: 'OnboardingConflict', message: error.message } };
  return undefined;
}

/** One Query, and one GetItem more for a plan that lists references (its due diligence's verdict). */
async function status(onboardingId: string) {
  const { onboarding, weeks, feedback, referenceAnswers, dueDiligence } =
    await store.getStatusRecords(onboardingId);
  return onboardingStatusView(onboarding, weeks, feedback, clock.now().toISOString(), {
    answers: referenceAnswers,
    verdict: dueDiligence,
  });
}

/**
 * One page of the onboardings with a status, newest first, in one Query on the status index. Bad
 * parameters (a forged or foreign cursor included) are a 400 listing every problem, in the shape
 * of a plan's issues; nothing is read then.
 */
async function list(event: APIGatewayProxyEventV2, secret: string) {
  const cursorKey = listCursorKey(secret);
  const parsed = parseListQuery(event.queryStringParameters, cursorKey);
  if (!parsed.ok)
    throw new HttpProblem(
      400,
      `The query has ${parsed.issues.length} problem${parsed.issues.length === 1 ? '' : 's'}`,
      { issues: parsed.issues },
    );
  const { status, limit, startKey } = parsed.query;
  const page = await store.listOnboardings(status, { limit, ...(startKey ? { startKey } : {}) });
  return onboardingListView(page, { status, cursorKey, statusUrl: (id) => statusUrlOf(event, id) });
}

/** A body must be JSON, and well-formed, before it is acted on. */
function requireJson(event: APIGatewayProxyEventV2, body: string): void {
  if (body === '') throw new HttpProblem(400, 'The request needs a JSON body');
  const type = mediaType(event.headers);
  if (type !== 'application/json')
    throw new HttpProblem(
      415,
      `The body must be application/json, got ${type ? `"${type}"` : 'no content-type'}`,
    );
  // A leading byte order mark is refused rather than skipped. It cannot be stripped before the
  // signature is checked (the signature covers the bytes as sent, BOM included); skipped after, it
  // would make onramp read JSON that JSON.parse, and most parsers, refuse (RFC 8259 forbids
  // sending one). Telling the sender is the fix that works with every receiver.
  if (body.startsWith('\uFEFF'))
    throw new HttpProblem(
      400,
      'The body starts with a byte order mark (EF BB BF): send the JSON without it, as RFC 8259 requires',
    );
  try {
    JSON.parse(body);
  } catch (error) {
    throw new HttpProblem(400, `The body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The status URL of the onboarding a request started or changed. */
function locationOf(event: APIGatewayProxyEventV2, body: Record<string, unknown>): Record<string, string> {
  if (typeof body.onboardingId !== 'string') return {};
  const url = statusUrlOf(event, body.onboardingId);
  body.statusUrl = url;
  return { location: url };
}

/** Where an onboarding's status is read, on the host the request came to. */
function statusUrlOf(event: APIGatewayProxyEventV2, onboardingId: string): string {
  const scheme = event.headers['x-forwarded-proto'] ?? 'https';
  return `${scheme}://${event.requestContext.domainName}/onboardings/${encodeURIComponent(onboardingId)}`;
}

/** What a refused or failed request gets: a status code and a message, never internals. */
function problemResponse(error: unknown, event: APIGatewayProxyEventV2): APIGatewayProxyResultV2 {
  const requestId = event.requestContext.requestId;
  if (error instanceof HttpProblem)
    return jsonResponse(error.statusCode, {
      error: statusName(error.statusCode),
      message: error.message,
      ...error.details,
    });
  const refusal = refusalOf(error);
  if (refusal) return jsonResponse(refusal.statusCode, refusal.body);
  if (error instanceof IdempotencyValidationError)
    return jsonResponse(409, {
      error: 'WebhookIdReused',
      message: 'This webhook-id was already used for a different request; every new request needs a new id',
    });
  if (error instanceof IdempotencyAlreadyInProgressError)
    return jsonResponse(
      409,
      {
        error: 'DeliveryInProgress',
        message: 'A delivery with this webhook-id is still being processed; retry shortly',
      },
      { 'retry-after': '1' },
    );
  if (error instanceof TransientError)
    return jsonResponse(
      503,
      { error: 'Unavailable', message: 'Try again shortly', requestId },
      { 'retry-after': '2' },
    );
  if (error instanceof OnrampError) return jsonResponse(400, { error: error.name, message: error.message });
  logger.error('integration request failed', {
    routeKey: event.routeKey,
    requestId,
    errorName: error instanceof Error ? error.name : typeof error,
  });
  return jsonResponse(500, {
    error: 'InternalError',
    message: 'Something went wrong on our side',
    requestId,
  });
}

function statusName(code: number): string {
  return (
    {
      400: 'BadRequest',
      401: 'Unauthorized',
      404: 'NotFound',
      413: 'PayloadTooLarge',
      415: 'UnsupportedMediaType',
      422: 'UnprocessableContent',
    }[code] ?? 'BadRequest'
  );
}
