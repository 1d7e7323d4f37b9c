import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';

/** An HTTP API (payload 2.0) event for a route, as API Gateway hands it to the function. */
export function apiEvent(
  routeKey: string,
  request: {
    pathParameters?: Record<string, string>;
    /** As API Gateway passes them: decoded, a repeated name's values joined by commas. */
    queryStringParameters?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
  } = {},
): APIGatewayProxyEventV2 {
  const [method, template] = routeKey.split(' ') as [string, string];
  const rawPath = template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(request.pathParameters?.[name] ?? ''),
  );
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(request.queryStringParameters).toString(),
    headers: { host: 'api.onramp.test', ...request.headers },
    ...(request.queryStringParameters ? { queryStringParameters: request.queryStringParameters } : {}),
    ...(request.pathParameters ? { pathParameters: request.pathParameters } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'api.onramp.test',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

/**
 * What a GET signs in place of a body (it has none): its request line, `GET <rawPath>` and
 * `?<rawQueryString>` when there is a query, as sent.
 */
export function requestLine(event: Pick<APIGatewayProxyEventV2, 'rawPath' | 'rawQueryString'>): string {
  return `GET ${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
}

/**
 * The Standard Webhooks headers for a payload (a body, or a GET's {@link requestLine}), signed with
 * `secret` by the specification's library.
 */
export function signed(
  secret: string,
  payload: string,
  options: { id?: string; at?: Date } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, payload),
  };
}
