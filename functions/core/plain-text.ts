/**
 * What user text may hold where it is shown as plain text. HTML is escaped where it is rendered
 * (emails/blocks.ts, pages); plain text has no escaping, so characters that act rather than show
 * are kept out: control characters (a line break in a subject line starts a new header, an escape
 * sequence rewrites a terminal) and the bidirectional embeddings, overrides and isolates, which
 * reorder how the text around them reads ("invoice‮txt.exe").
 */

/** The bidirectional controls that reorder text (U+202A–U+202E, U+2066–U+2069); the marks U+200E/F do not. */
const BIDI_CONTROLS = '\\u202A-\\u202E\\u2066-\\u2069';

/**
 * One line of plain text: no control character at all (no line break or tab), no line or
 * paragraph separator (U+2028, U+2029) and no bidi control. Whitespace around it is allowed, as
 * the schema trims it first (the published JSON Schema, which cannot trim, checks the same way).
 */
export const ONE_LINE_TEXT = new RegExp(`^\\s*[^\\p{Cc}\\u2028\\u2029${BIDI_CONTROLS}]*\\s*$`, 'u');

/** Plain text over several lines: line breaks and tabs, but no other control character or bidi control. */
export const MULTI_LINE_TEXT = new RegExp(`^(?:[^\\p{Cc}${BIDI_CONTROLS}]|[\\t\\n\\r])*$`, 'u');

const LINE_BREAKING = new RegExp(`[\\p{Cc}\\u2028\\u2029${BIDI_CONTROLS}]`, 'gu');

/**
 * Text from a user made into one line, for a subject or a table cell: every control character
 * and line separator becomes a space, and runs of spaces one (other spaces, such as a no-break or
 * an ideographic one, are kept).
 */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKING, ' ').replace(/ {2,}/g, ' ').trim();
}
