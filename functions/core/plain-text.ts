/**
 * What user text may hold where it is shown as plain text. HTML is escaped where it is rendered
 * (emails/blocks.ts, pages); plain text has no escaping, so characters that act rather than show
 * are kept out: control characters (a line break in a subject line starts a new header, an escape
 * sequence rewrites a terminal) and the bidirectional embeddings, overrides and isolates, which
 * reorder how the text around them reads ("invoice‮txt.exe").
 */

/** The bidirectional controls that reorder text (U+202A–U+202E, U+2066–U+2069); the marks U+200E/F do not. */
const BIDI_CONTROLS = '\\u202A-\\u202E\\u2066-\\u2069';

/** One line of plain text: no control character at all (no line break or tab) and no bidi control. */
export const ONE_LINE_TEXT = new RegExp(`^[^\\p{Cc}${BIDI_CONTROLS}]*$`, 'u');

/** Plain text over several lines: line breaks and tabs, but no other control character or bidi control. */
export const MULTI_LINE_TEXT = new RegExp(`^(?:[^\\p{Cc}${BIDI_CONTROLS}]|[\\t\\n\\r])*$`, 'u');

const CONTROLS = new RegExp(`[\\p{Cc}${BIDI_CONTROLS}]`, 'gu');

/**
 * Text from a user made into one line, for a subject or a table cell: every control character
 * becomes a space, and runs of spaces one.
 */
export function oneLine(text: string): string {
  return text.replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
}
