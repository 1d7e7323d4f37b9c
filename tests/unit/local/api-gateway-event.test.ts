import { describe, expect, it } from 'vitest';
import {
  fromLambdaResult,
  gatewayError,
  MalformedLambdaResponse,
  matchRoute,
  type ReceivedRequest,
  routePattern,
  toApiGatewayEvent,
} from '#local/api-gateway-event';

const RECEIVED_AT = new Date('2025-03-12T19:03:58.123Z');

function request(overrides: Partial<ReceivedRequest> = {}): ReceivedRequest {
  return {
    method: 'GET',
    url: '/onboardings/acme-1',
    httpVersion: '1.1',
    rawHeaders: ['Host', '127.0.0.1:4000', 'User-Agent', 'curl/8.5.0'],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    serverAddress: '127.0.0.1:4000',
    receivedAt: RECEIVED_AT,
    ...overrides,
  };
}

const route = { routeKey: 'GET /onboardings/{id}', pathParameters: { id: 'acme-1' } };

describe('the request as API Gateway (payload 2.0) hands it to the function', () => {
  it('carries the version, route, raw path, request context and path parameters', () => {
    const event = toApiGatewayEvent(request(), route);

    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /onboardings/{id}',
      rawPath: '/onboardings/acme-1',
      rawQueryString: '',
      pathParameters: { id: 'acme-1' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: '127.0.0.1:4000',
        domainPrefix: '127',
        http: {
          method: 'GET',
          path: '/onboardings/acme-1',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8.5.0',
        },
        routeKey: 'GET /onboardings/{id}',
        stage: '$default',
        time: '12/Mar/2025:19:03:58 +0000',
        timeEpoch: RECEIVED_AT.getTime(),
      },
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('cookies');
  });

  it('gives every request its own request id', () => {
    const ids = new Set([1, 2, 3].map(() => toApiGatewayEvent(request(), route).requestContext.requestId));

    expect(ids.size).toBe(3);
  });

  it('lower-cases header names and joins a repeated header with commas', () => {
    const event = toApiGatewayEvent(
      request({ rawHeaders: ['Host', 'localhost:4000', 'X-Tag', 'a', 'x-tag', 'b', 'Accept', '*/*'] }),
      route,
    );

    expect(event.headers).toMatchObject({ host: 'localhost:4000', 'x-tag': 'a,b', accept: '*/*' });
    expect(event.requestContext.domainName).toBe('localhost:4000');
  });

  it('adds the forwarding headers API Gateway adds', () => {
    const event = toApiGatewayEvent(request(), route);

    expect(event.headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-port': '4000',
    });
    expect(event.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('decodes query parameters and joins a repeated one with commas, keeping the raw string', () => {
    const event = toApiGatewayEvent(request({ url: '/links/t?week=2&tag=a&tag=b%20c&empty=' }), {
      routeKey: 'GET /links/{token}',
      pathParameters: { token: 't' },
    });

    expect(event.rawPath).toBe('/links/t');
    expect(event.rawQueryString).toBe('week=2&tag=a&tag=b%20c&empty=');
    expect(event.queryStringParameters).toEqual({ week: '2', tag: 'a,b c', empty: '' });
  });

  it('passes a JSON body as text', () => {
    const body = '{"title":"Bookkeeping – Ledgerly"}';
    const event = toApiGatewayEvent(
      request({
        method: 'POST',
        url: '/onboardings',
        rawHeaders: ['Content-Type', 'application/json; charset=utf-8'],
        body: Buffer.from(body),
      }),
      { routeKey: 'POST /onboardings' },
    );

    expect(event.body).toBe(body);
    expect(event.isBase64Encoded).toBe(false);
    expect(event.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it.each(['text/plain', 'text/html; charset=utf-8', 'application/problem+json', 'application/xml'])(
    'passes a %s body as text',
    (contentType) => {
      const event = toApiGatewayEvent(
        request({ method: 'POST', rawHeaders: ['content-type', contentType], body: Buffer.from('hi') }),
        route,
      );

      expect(event).toMatchObject({ body: 'hi', isBase64Encoded: false });
    },
  );

  it.each([
    ['a form post', 'application/x-www-form-urlencoded', Buffer.from('rating=4&comment=good')],
    ['bytes', 'application/octet-stream', Buffer.from([0, 255, 1, 254])],
    ['a body without a content type', undefined, Buffer.from('{}')],
  ])('passes %s base64-encoded, flagged, as API Gateway does', (_, contentType, body) => {
    const event = toApiGatewayEvent(
      request({
        method: 'POST',
        rawHeaders: contentType ? ['Content-Type', contentType] : [],
        body,
      }),
      route,
    );

    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(body);
  });

  it.each([
    [
      'bytes that are not UTF-8',
      ['Content-Type', 'application/json'],
      Buffer.from('{"title":"a\xff\xc3"}', 'latin1'),
    ],
    [
      'Latin-1',
      ['Content-Type', 'application/json; charset=iso-8859-1'],
      Buffer.from('{"title":"Café"}', 'latin1'),
    ],
    [
      'a compressed body',
      ['Content-Type', 'application/json', 'Content-Encoding', 'gzip'],
      Buffer.from('{}'),
    ],
  ])('passes a JSON body of %s base64-encoded, byte for byte, not decoded lossily', (_, rawHeaders, body) => {
    const event = toApiGatewayEvent(request({ method: 'POST', url: '/onboardings', rawHeaders, body }), {
      routeKey: 'POST /onboardings',
    });

    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(body);
  });

  it('moves cookies to their own field, one entry per cookie, and drops the cookie header', () => {
    const event = toApiGatewayEvent(
      request({ rawHeaders: ['Cookie', 'a=1; b=2', 'cookie', 'c=3', 'Host', '127.0.0.1:4000'] }),
      route,
    );

    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(event.headers).not.toHaveProperty('cookie');
  });
});

describe('routes, matched as API Gateway matches them', () => {
  it('takes path parameters from their segments, percent-decoded', () => {
    expect(matchRoute(routePattern('GET /onboardings/{id}'), 'GET', '/onboardings/acme%2D1')).toEqual({
      id: 'acme-1',
    });
    expect(matchRoute(routePattern('POST /onboardings/{id}/pause'), 'POST', '/onboardings/x/pause')).toEqual({
      id: 'x',
    });
  });

  it('does not match another method, a longer or shorter path, or an empty parameter', () => {
    const pattern = routePattern('GET /onboardings/{id}');

    expect(matchRoute(pattern, 'POST', '/onboardings/x')).toBeUndefined();
    expect(matchRoute(pattern, 'GET', '/onboardings/x/pause')).toBeUndefined();
    expect(matchRoute(pattern, 'GET', '/onboardings')).toBeUndefined();
    expect(matchRoute(pattern, 'GET', '/onboardings/')).toBeUndefined();
  });

  it('matches a greedy parameter to the rest of the path, and ANY to every method', () => {
    expect(matchRoute(routePattern('ANY /files/{path+}'), 'DELETE', '/files/a/b.txt')).toEqual({
      path: 'a/b.txt',
    });
  });

  it('matches every request to $default, the catch-all route', () => {
    expect(matchRoute(routePattern('$default'), 'PATCH', '/any/where')).toEqual({});
  });

  it('refuses a route key that is not "METHOD /path"', () => {
    expect(() => routePattern('/onboardings')).toThrow(/METHOD \/path/);
  });
});

describe("the function's result, as API Gateway answers with it", () => {
  it('sends a structured result as it is: status, headers, body', () => {
    const response = fromLambdaResult(
      { statusCode: 202, headers: { 'Content-Type': 'application/json', 'X-Count': 2 }, body: '{"ok":true}' },
      'req-1',
    );

    expect(response.statusCode).toBe(202);
    expect(response.headers).toMatchObject({
      'content-type': 'application/json',
      'x-count': '2',
      'apigw-requestid': 'req-1',
    });
    expect(response.body.toString()).toBe('{"ok":true}');
  });

  it('decodes a base64 body and turns cookies into set-cookie headers', () => {
    const response = fromLambdaResult(
      {
        statusCode: 200,
        body: Buffer.from([1, 2, 3]).toString('base64'),
        isBase64Encoded: true,
        cookies: ['a=1; HttpOnly', 'b=2'],
      },
      'req-1',
    );

    expect([...response.body]).toEqual([1, 2, 3]);
    expect(response.headers['set-cookie']).toEqual(['a=1; HttpOnly', 'b=2']);
  });

  it('makes a 200 JSON response of a result without a status code', () => {
    const object = fromLambdaResult({ message: 'hello' }, 'req-1');
    const text = fromLambdaResult('Hello from Lambda!', 'req-1');

    expect(object).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(object.body.toString()).toBe('{"message":"hello"}');
    expect(text.statusCode).toBe(200);
    expect(text.body.toString()).toBe('Hello from Lambda!');
  });

  it.each([
    ['a status code that is not one', { statusCode: '200' }],
    ['a body that is not a string', { statusCode: 200, body: { a: 1 } }],
    ['a header that is an object', { statusCode: 200, headers: { x: { y: 1 } } }],
    ['cookies that are not strings', { statusCode: 200, cookies: [1] }],
  ])('refuses %s (API Gateway answers 500)', (_, result) => {
    expect(() => fromLambdaResult(result, 'req-1')).toThrow(MalformedLambdaResponse);
  });

  it("answers with API Gateway's own messages and nothing more", () => {
    expect(JSON.parse(gatewayError(404).body.toString())).toEqual({ message: 'Not Found' });
    expect(JSON.parse(gatewayError(500).body.toString())).toEqual({ message: 'Internal Server Error' });
    expect(JSON.parse(gatewayError(413).body.toString())).toEqual({ message: 'Request Entity Too Large' });
  });
});
