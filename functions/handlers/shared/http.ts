import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The largest request body onramp reads (a plan is at most 350 KB as stored, far less as sent). */
export const MAX_BODY_BYTES = 256 * 1024;

/** A request the edge refuses: the status code and what to tell the caller. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * The request body as text, exactly as it was signed: API Gateway hands binary-looking bodies over
 * in base64. Refuses bodies over MAX_BODY_BYTES before decoding them.
 */
export function requestBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : Buffer.byteLength(raw);
  if (bytes > MAX_BODY_BYTES)
    throw new HttpProblem(413, `The request body is over the limit of ${MAX_BODY_BYTES / 1024} KB`);
  return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

/** The media type of the request, without parameters, lower-cased ('' when absent). */
export function mediaType(headers: APIGatewayProxyEventV2['headers']): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}
