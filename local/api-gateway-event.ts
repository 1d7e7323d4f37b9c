import { isUtf8 } from 'node:buffer';
import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The translation API Gateway's HTTP API (Lambda proxy integration, payload format 2.0) does
 * between HTTP and a Lambda function, so the local HTTP server hands the handlers the events they
 * get on AWS and answers with what AWS would make of their results. No I/O here: the server reads
 * and writes the sockets.
 */

/** An HTTP request as received: what the event is built from. */
export interface ReceivedRequest {
  method: string;
  /** The request target: path and query, still percent-encoded. */
  url: string;
  httpVersion: string;
  /** Header names and values in the order received, repeated names included (Node's `rawHeaders`). */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  /** The server's own address (host:port), used when the request names no Host. */
  serverAddress: string;
  /** When the request arrived (the system clock: requests come from outside any execution). */
  receivedAt: Date;
}

/** The route that matched, as API Gateway names it (`GET /onboardings/{id}`), and its path values. */
export interface MatchedRoute {
  routeKey: string;
  pathParameters?: Record<string, string>;
}

/** What API Gateway sends back to the client. */
export interface HttpResponse {
  statusCode: number;
  /** Repeated headers (set-cookie) are arrays. */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** The Lambda result did not have a shape API Gateway accepts; the client gets a 500. */
export class MalformedLambdaResponse extends Error {
  override name = 'MalformedLambdaResponse';
}

/** The account id local ARNs use; API Gateway puts the API owner's account in the event. */
const LOCAL_ACCOUNT = '000000000000';

/**
 * Content types API Gateway passes to Lambda as text. Every other body, form posts
 * (application/x-www-form-urlencoded) included, arrives base64-encoded with `isBase64Encoded: true`,
 * so a handler has to decode by that flag, locally as on AWS.
 */
const TEXT_TYPES = [
  /^text\//,
  /^application\/json$/,
  /^application\/[\w.+-]+\+json$/,
  /^application\/xml$/,
  /^application\/[\w.+-]+\+xml$/,
  /^application\/javascript$/,
];

/** The event API Gateway's HTTP API builds for a Lambda proxy integration (payload format 2.0). */
export function toApiGatewayEvent(request: ReceivedRequest, route: MatchedRoute): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = splitOnce(request.url, '?');
  const headers = combinedHeaders(request.rawHeaders);
  // Cookies travel in their own field, one entry a cookie; the cookie header is not passed on.
  const cookies = cookiesOf(request.rawHeaders);
  delete headers.cookie;
  const domainName = headers.host ?? request.serverAddress;
  headers.host = domainName;
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = domainName.split(':')[1] ?? '80';
  headers['x-amzn-trace-id'] ??= traceId(request.receivedAt);
  const hasBody = request.body.length > 0;
  // Passed as text only what is text: a compressed body, or one whose bytes are not UTF-8, goes
  // base64-encoded like a binary one. Decoded as UTF-8 it would be changed (U+FFFD for each bad
  // byte), and the handler could only find that its signature no longer matches; as bytes, it can
  // say what is wrong. (API Gateway's documentation names the text types, not what it does with
  // a text type's bytes that are not UTF-8: this keeps them.)
  const asText =
    hasBody && isTextType(headers['content-type']) && !headers['content-encoding'] && isUtf8(request.body);
  if (hasBody) headers['content-length'] = String(request.body.length);

  const query = queryParameters(rawQueryString);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0]!.split(':')[0]!,
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: accessLogTime(request.receivedAt),
      timeEpoch: request.receivedAt.getTime(),
    },
    ...(route.pathParameters && Object.keys(route.pathParameters).length > 0
      ? { pathParameters: route.pathParameters }
      : {}),
    ...(hasBody ? { body: asText ? request.body.toString('utf8') : request.body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !asText,
  };
  return event;
}

/**
 * What API Gateway makes of a Lambda's result (payload format 2.0): a result with a `statusCode`
 * is a response (headers, body, base64 flag, cookies as set-cookie headers); anything else is
 * the body of a 200 JSON response, a string as it is and any other value as JSON.
 */
export function fromLambdaResult(result: unknown, requestId: string): HttpResponse {
  const base = { 'apigw-requestid': requestId };
  if (!isStructured(result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return {
      statusCode: 200,
      headers: { ...base, 'content-type': 'application/json' },
      body: Buffer.from(body, 'utf8'),
    };
  }
  const { statusCode, headers = {}, body = '', isBase64Encoded = false, cookies = [] } = result;
  if (!Number.isInteger(statusCode) || (statusCode as number) < 100 || (statusCode as number) > 599)
    throw new MalformedLambdaResponse(`statusCode must be an HTTP status, not ${JSON.stringify(statusCode)}`);
  if (typeof body !== 'string') throw new MalformedLambdaResponse('body must be a string');
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    throw new MalformedLambdaResponse('headers must be an object of strings');
  if (!Array.isArray(cookies) || cookies.some((c) => typeof c !== 'string'))
    throw new MalformedLambdaResponse('cookies must be an array of strings');
  const out: Record<string, string | string[]> = { ...base };
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (!['string', 'number', 'boolean'].includes(typeof value))
      throw new MalformedLambdaResponse(`header ${name} must be a string, number or boolean`);
    out[name.toLowerCase()] = String(value);
  }
  if (cookies.length > 0) out['set-cookie'] = cookies as string[];
  return {
    statusCode: statusCode as number,
    headers: out,
    body: Buffer.from(body, isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}

/** API Gateway's own answers, which never say more than this. */
export function gatewayError(
  statusCode: 404 | 413 | 500 | 503,
  requestId: string = randomUUID(),
): HttpResponse {
  const message = {
    404: 'Not Found',
    413: 'Request Entity Too Large',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  }[statusCode];
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'apigw-requestid': requestId },
    body: Buffer.from(JSON.stringify({ message }), 'utf8'),
  };
}

/** A route (`POST /onboardings/{id}/pause`, or `$default`) as a matcher of method and path. */
export interface RoutePattern {
  routeKey: string;
  method: string;
  segments: string[];
}

export function routePattern(routeKey: string): RoutePattern {
  // The catch-all route: whatever no other route matches.
  if (routeKey === '$default') return { routeKey, method: 'ANY', segments: [] };
  const match = /^([A-Z]+|ANY) (\/\S*)$/.exec(routeKey);
  if (!match) throw new Error(`Route "${routeKey}" is not of the form "METHOD /path"`);
  return { routeKey, method: match[1]!, segments: match[2]!.split('/').slice(1) };
}

/**
 * The path parameters of `rawPath` if it matches the route, as API Gateway matches: segment by
 * segment, `{name}` taking one non-empty segment, `{name+}` the rest of the path; values
 * percent-decoded. Undefined when it does not match.
 */
export function matchRoute(
  pattern: RoutePattern,
  method: string,
  rawPath: string,
): Record<string, string> | undefined {
  if (pattern.method !== 'ANY' && pattern.method !== method) return undefined;
  if (pattern.routeKey === '$default') return {};
  const segments = rawPath.split('/').slice(1);
  const parameters: Record<string, string> = {};
  for (const [i, part] of pattern.segments.entries()) {
    const name = /^\{(\w+)(\+?)\}$/.exec(part);
    if (name?.[2] === '+') {
      const rest = segments.slice(i).join('/');
      if (rest.length === 0) return undefined;
      parameters[name[1]!] = decode(rest);
      return parameters;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    if (name) {
      if (segment.length === 0) return undefined;
      parameters[name[1]!] = decode(segment);
    } else if (segment !== part) {
      return undefined;
    }
  }
  return segments.length === pattern.segments.length ? parameters : undefined;
}

function isStructured(result: unknown): result is {
  statusCode: unknown;
  headers?: unknown;
  body?: unknown;
  isBase64Encoded?: unknown;
  cookies?: unknown;
} {
  return typeof result === 'object' && result !== null && 'statusCode' in result;
}

function isTextType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return TEXT_TYPES.some((pattern) => pattern.test(type));
}

/** Header names lower-cased; a header sent more than once is one value, joined with commas. */
function combinedHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

function cookiesOf(rawHeaders: readonly string[]): string[] {
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'cookie') continue;
    for (const cookie of rawHeaders[i + 1]!.split(';')) if (cookie.trim()) cookies.push(cookie.trim());
  }
  return cookies;
}

/** Query parameters decoded, a repeated name's values joined with commas; undefined when there are none. */
function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString.length === 0) return undefined;
  const parameters: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (pair.length === 0) continue;
    const [name = '', value = ''] = splitOnce(pair, '=').map(decode);
    parameters[name] = parameters[name] === undefined ? value : `${parameters[name]},${value}`;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function splitOnce(text: string, separator: string): string[] {
  const at = text.indexOf(separator);
  return at === -1 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the time format of API Gateway's request context. */
function accessLogTime(at: Date): string {
  // Not toLocaleString: building an Intl formatter per request costs more than the rest of the event.
  const month = MONTHS[at.getUTCMonth()];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(at.getUTCDate())}/${month}/${at.getUTCFullYear()}:${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;
}

/** An X-Ray trace header, as API Gateway adds to every request it forwards. */
function traceId(at: Date): string {
  const seconds = Math.floor(at.getTime() / 1000).toString(16);
  return `Root=1-${seconds}-${randomBytes(12).toString('hex')}`;
}
