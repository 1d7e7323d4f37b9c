/**
 * Text for a terminal: what users wrote (a plan's titles, a reply's comment, a message's subject)
 * is printed by the timeline and the CLI, and a terminal acts on control characters (an escape
 * sequence clears the screen or sets the window's title, a carriage return overwrites the line)
 * and on bidi controls. Each is shown as its code point, `\u{1b}`, instead; line breaks (LF or
 * CRLF) and tabs stay, as a plan's multi-line deliverable may hold them.
 */
const ACTING = /\r(?!\n)|[^\P{Cc}\n\r\t]|[\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

export function printable(text: string): string {
  return text.replace(ACTING, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
