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

type BodyEvent = Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>;

/**
 * Refuses a body over MAX_BODY_BYTES (413) from its length alone, before anything decodes it. A
 * base64 body's size is exact: three bytes a four characters, less one a padding `=`.
 */
export function checkBodySize(event: BodyEvent): void {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.byteLength(raw, 'base64') : Buffer.byteLength(raw);
  if (bytes > MAX_BODY_BYTES)
    throw new HttpProblem(413, `The request body is over the limit of ${MAX_BODY_BYTES / 1024} KB`);
}

/**
 * The request body as text (API Gateway hands binary-looking bodies over in base64), for a form
 * post: bytes that are not UTF-8 become U+FFFD. Refuses bodies over MAX_BODY_BYTES before
 * decoding them. A body that is signed or parsed as JSON is read with {@link utf8RequestBody}.
 */
export function requestBody(event: BodyEvent): string {
  checkBodySize(event);
  return event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
}

/** Throws on the first byte that is not UTF-8; keeps a leading byte order mark (it was sent). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The request body exactly as sent, as UTF-8 text, for a body that is signed and read as JSON.
 * Refuses (after the size, 413) a compressed body or one declared in another charset (415) and
 * bytes that are not UTF-8 (400), saying so: decoded lossily they would only fail the signature,
 * and the sender would be told its signature is wrong.
 */
export function utf8RequestBody(event: BodyEvent & Pick<APIGatewayProxyEventV2, 'headers'>): string {
  checkBodySize(event);
  const raw = event.body ?? '';
  if (raw === '') return '';
  const encoding = (event.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity')
    throw new HttpProblem(415, `Content-Encoding ${encoding} is not supported: send the JSON uncompressed`);
  const charset = charsetOf(event.headers);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    throw new HttpProblem(415, `The body must be UTF-8 JSON: charset ${charset} is not supported`);
  if (!event.isBase64Encoded) return raw;
  try {
    return strictUtf8.decode(Buffer.from(raw, 'base64'));
  } catch {
    throw new HttpProblem(400, 'The body must be UTF-8 JSON: it holds bytes that are not UTF-8');
  }
}

/** The media type of the request, without parameters, lower-cased ('' when absent). */
export function mediaType(headers: APIGatewayProxyEventV2['headers']): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The content type's charset parameter, lower-cased and unquoted; undefined when it has none. */
function charsetOf(headers: APIGatewayProxyEventV2['headers']): string | undefined {
  for (const parameter of (headers['content-type'] ?? '').split(';').slice(1)) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset') return value.trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return undefined;
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
