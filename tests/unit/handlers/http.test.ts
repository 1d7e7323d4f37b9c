import { describe, expect, it } from 'vitest';
import { checkBodySize, HttpProblem, MAX_BODY_BYTES, utf8RequestBody } from '#handlers/shared/http';

const base64 = (bytes: number) => ({
  body: Buffer.alloc(bytes, 0x20).toString('base64'),
  isBase64Encoded: true,
});
const json = { 'content-type': 'application/json' };

describe('the body size limit', () => {
  // 256 KB is 3 × 87,381 + 1 bytes: its base64 ends in "==", which an estimate from the length counts as bytes.
  it.each([MAX_BODY_BYTES - 2, MAX_BODY_BYTES - 1, MAX_BODY_BYTES])(
    'lets a base64 body of %i bytes through, counted exactly',
    (bytes) => {
      expect(() => checkBodySize(base64(bytes))).not.toThrow();
    },
  );

  it('refuses a base64 body one byte over: 413', () => {
    expect(() => checkBodySize(base64(MAX_BODY_BYTES + 1))).toThrow(
      expect.objectContaining({ statusCode: 413 }) as HttpProblem,
    );
  });

  it('counts a text body in UTF-8 bytes, not characters', () => {
    expect(() =>
      checkBodySize({ body: 'é'.repeat(MAX_BODY_BYTES / 2), isBase64Encoded: false }),
    ).not.toThrow();
    expect(() =>
      checkBodySize({ body: `${'é'.repeat(MAX_BODY_BYTES / 2)}x`, isBase64Encoded: false }),
    ).toThrow(HttpProblem);
  });
});

describe('a body read as UTF-8 JSON', () => {
  const event = (bytes: Buffer, headers: Record<string, string> = json) => ({
    body: bytes.toString('base64'),
    isBase64Encoded: true,
    headers,
  });

  it('is the text exactly as sent, a leading byte order mark kept (the signature covers it)', () => {
    expect(utf8RequestBody(event(Buffer.from('\uFEFF{"title":"Café"}')))).toBe('\uFEFF{"title":"Café"}');
  });

  it.each([
    [
      'bytes that are not UTF-8',
      event(Buffer.from([0x7b, 0xff, 0xc3, 0x7d])),
      400,
      'The body must be UTF-8 JSON: it holds bytes that are not UTF-8',
    ],
    [
      'another charset',
      event(Buffer.from('{}'), { 'content-type': 'application/json; charset="ISO-8859-1"' }),
      415,
      'The body must be UTF-8 JSON: charset iso-8859-1 is not supported',
    ],
    [
      'a compressed body',
      event(Buffer.from('{}'), { ...json, 'content-encoding': 'gzip' }),
      415,
      'Content-Encoding gzip is not supported: send the JSON uncompressed',
    ],
  ])('refuses %s, saying so', (_, request, statusCode, message) => {
    expect(() => utf8RequestBody(request)).toThrow(
      expect.objectContaining({ statusCode, message }) as HttpProblem,
    );
  });

  it('accepts charset utf-8 and Content-Encoding identity', () => {
    const headers = { 'content-type': 'application/json; charset=UTF-8', 'content-encoding': 'identity' };
    expect(utf8RequestBody(event(Buffer.from('{}'), headers))).toBe('{}');
  });
});
