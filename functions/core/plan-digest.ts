import { createHash } from 'node:crypto';

/** A digest of a value that does not depend on the order of object keys. */
export function digestOf(value: unknown, encoding: 'base64url' | 'hex' = 'base64url'): string {
  return createHash('sha256').update(canonicalJson(value)).digest(encoding);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
