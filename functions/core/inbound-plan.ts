import { createHash } from 'node:crypto';
import EmailReplyParser from 'email-reply-parser';
import type { PlanIssue } from './errors.ts';
import { readPlanText } from './validate-plan.ts';

/** One attachment of a received email, as the MIME parser hands it over. */
export interface MailAttachment {
  filename?: string;
  contentType: string;
  /** The bytes as sent: the parser undoes the transfer encoding, not the charset. */
  content: Uint8Array;
  /**
   * The part's headers, as mailparser gives them: `content-type` is `{ value, params }`, and
   * `params.charset` the charset the text is in. Without one, the text is read as UTF-8.
   */
  headers?: ReadonlyMap<string, unknown>;
}

/** The parts of a received email that can hold a plan. */
export interface ReceivedMail {
  attachments: readonly MailAttachment[];
  /** The plain-text body (the parser derives it from the HTML part when there is no text part). */
  text?: string;
}

/** Where the plan in an email was found, and its text. */
export type PlanText =
  | { from: 'attachment'; filename: string; text: string }
  | { from: 'body'; text: string };

/**
 * The plan in an email, as written (parsed YAML or JSON) and where it was found; or the problems
 * to answer with, and where the plan was found when it was.
 */
export type MailPlan =
  | { ok: true; source: PlanText; value: unknown }
  | { ok: false; problems: PlanIssue[]; source?: PlanText };

const PLAN_FILE = /\.(ya?ml|json)$/i;
const PLAN_TYPES = new Set([
  'application/json',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
]);

/** What a sender is told when an email holds no plan: where a plan is read from. */
const WHERE_PLANS_ARE_READ =
  'attach the plan as one .yaml, .yml or .json file (not zipped), or write it as the whole text of the email';

/**
 * Reads the plan in an email: the one attachment named `.yaml`, `.yml` or `.json` (or, without a
 * name, typed as YAML or JSON), decoded in the charset it declares; else the plain-text body
 * without the quoted message of a reply and without the signature. Refuses an email with several
 * plan files (which one is meant?), a plan file that is not text in its charset, and an email
 * whose only attachments are other files (a zip, a PDF) when its text is not a plan either: the
 * sender is told what was not read, rather than that a "Thanks, see attached" is a broken plan.
 */
export function readMailPlan(mail: ReceivedMail): MailPlan {
  const planFiles = mail.attachments.filter(isPlanFile);
  if (planFiles.length > 1) {
    return refuse(`several plan attachments: ${planFiles.map(nameOf).join(', ')}; send one plan per email`);
  }
  const [file] = planFiles;
  if (file) {
    const decoded = decode(file);
    if (!decoded.ok) return refuse(decoded.problem);
    const source: PlanText = {
      from: 'attachment',
      filename: file.filename ?? 'attachment',
      text: decoded.text,
    };
    return withValue(source, readPlanText(decoded.text));
  }

  const others = mail.attachments.map(nameOf);
  const text = planInBody(mail.text ?? '');
  if (!text) return refuse(noPlan(others));
  const read = readPlanText(text);
  // With other files attached, a text that is not a set of fields is a covering note, not a plan.
  if (others.length > 0 && !(read.ok && isFields(read.value))) {
    return refuse(noPlan(others, read.ok ? {} : { problem: read.issues[0]?.message }));
  }
  return withValue({ from: 'body', text }, read);
}

/**
 * The plan a sender wrote in the body: without the quoted message of a reply (the sender
 * answering a "Not started" email with the corrected plan) and without the signature; no-break
 * spaces, which some mail clients indent with and YAML does not take as indentation, as spaces.
 */
function planInBody(text: string): string {
  // The quote is looked for only where one can be, and lines are short enough to look: the reply
  // parser's patterns take time in the square of a line's length (a 200 KB plan of minified JSON
  // on one line took half a minute), and a plan pasted as one long line quotes nothing.
  const unquoted = QUOTE_MARKER.test(text) && !LONG_LINE.test(text) ? withoutQuotedMessage(text) : text;
  return withoutSignature(unquoted)
    .replace(/\u00A0/g, ' ')
    .trim();
}

/** A line a quoted message starts with: a `>` line, or Outlook's separators. */
const QUOTE_MARKER = /^(?:>|-{2,} ?Original Message|_{32}\s*$)/im;
/** A line too long to hand to the reply parser (the quote it would find is shorter). */
const LONG_LINE = /^[^\n]{2000,}$/m;

/**
 * A text without the message a reply quotes, as email-reply-parser finds it: an "On … wrote:"
 * line (in a dozen locales) and the `>` lines under it, an Outlook "-----Original Message-----"
 * block, or Outlook's line of underscores over the quoted message's From, Sent and Subject. Only
 * those are dropped, not everything the parser hides: it takes a `---` line for a signature
 * delimiter, and a YAML document may start with one. A plan's own `>`, a folded scalar's
 * indicator after a key or a line in an indented block scalar, never starts a line, so no part
 * of it is taken for a quote. The parser drops trailing spaces from the lines it keeps.
 */
export function withoutQuotedMessage(text: string): string {
  const fragments = new EmailReplyParser().read(text.replace(/\r\n?/g, '\n')).getFragments();
  return fragments
    .filter((f) => !f.isQuoted() && !(f.isSignature() && OUTLOOK_SEPARATOR.test(f.getContent())))
    .map((f) => f.getContent())
    .join('\n');
}

/** The line Outlook writes above the headers of the message a reply quotes. */
const OUTLOOK_SEPARATOR = /^_{32}\n/;

function isPlanFile(a: MailAttachment): boolean {
  return a.filename ? PLAN_FILE.test(a.filename) : PLAN_TYPES.has(a.contentType.toLowerCase());
}

function nameOf(a: MailAttachment): string {
  return a.filename ?? `an unnamed ${a.contentType} attachment`;
}

/**
 * An attachment's text in the charset its Content-Type declares, UTF-8 when it declares none; a
 * byte sequence that is not text in that charset is refused, not read with replacement characters
 * (a name or a criterion would be stored garbled). A UTF-8 byte order mark is dropped.
 */
function decode(file: MailAttachment): { ok: true; text: string } | { ok: false; problem: string } {
  const charset = charsetOf(file);
  const name = nameOf(file);
  const decoder = decoderFor(charset ?? 'utf-8');
  if (!decoder) {
    return {
      ok: false,
      problem: `${name} declares the charset "${charset}", which is not one we can read; save the plan as UTF-8 and send it again`,
    };
  }
  try {
    const text = decoder.decode(file.content);
    return { ok: true, text: decoder.encoding === 'windows-1252' ? windows1252(text) : text };
  } catch {
    const declared = charset
      ? `${charset} text, the charset it declares`
      : 'UTF-8 text (it declares no charset)';
    return {
      ok: false,
      problem: `${name} is not ${declared}; save the plan as UTF-8 and send it again`,
    };
  }
}

/**
 * Windows-1252's characters for the bytes 0x80 to 0x9F, by byte: its curly quotes, dashes and
 * euro sign. Five bytes it leaves undefined stand for themselves, as in the Encoding Standard.
 */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

/**
 * Text decoded as windows-1252, the charset Windows editors save in (and the one "iso-8859-1" and
 * "us-ascii" name too), with bytes 0x80 to 0x9F as their characters: Node since 20.18.3 and
 * 22.13.0 decodes them as Latin-1, into control characters (nodejs/node#60888). A no-op where
 * Node decodes them right.
 */
function windows1252(text: string): string {
  return text.replace(/[\u0080-\u009F]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

/** A decoder that throws on bytes that are not text in the charset; undefined for an unknown charset. */
function decoderFor(charset: string) {
  try {
    return new TextDecoder(charset, { fatal: true });
  } catch {
    return undefined;
  }
}

function charsetOf(file: MailAttachment): string | undefined {
  const contentType = file.headers?.get('content-type');
  if (typeof contentType !== 'object' || contentType === null || !('params' in contentType)) return undefined;
  const { params } = contentType as { params?: Record<string, unknown> };
  const charset = params?.charset;
  return typeof charset === 'string' && charset.trim() ? charset.trim() : undefined;
}

/** Whether a parsed text is a set of fields, as a plan is, rather than a sentence or a list. */
function isFields(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * "No plan found", naming the attachments that are not plan files; `body` says whether the email
 * has a text (which is then not a plan) and, when it is not valid YAML, where.
 */
function noPlan(others: readonly string[], body?: { problem?: string }): string {
  const files =
    others.length <= 1
      ? `${others[0]} is not a plan file`
      : `${others.slice(0, -1).join(', ')} and ${others.at(-1)} are not plan files`;
  const text = body ? `the text of the email is not a plan${body.problem ? ` (${body.problem})` : ''}` : '';
  const why = [others.length > 0 ? files : '', text].filter(Boolean).join(', and ');
  return `no plan found: ${why ? `${why}; ` : ''}${WHERE_PLANS_ARE_READ}`;
}

function refuse(message: string): MailPlan {
  return { ok: false, problems: [{ path: '', message }] };
}

function withValue(
  source: PlanText,
  read: { ok: true; value: unknown } | { ok: false; issues: PlanIssue[] },
): MailPlan {
  return read.ok ? { ok: true, source, value: read.value } : { ok: false, problems: read.issues, source };
}

/** The text above the last signature delimiter line (`-- `), or all of it when there is none. */
export function withoutSignature(text: string): string {
  const lines = text.split(/\r?\n/);
  // Some clients trim the delimiter's trailing space; a YAML document never has a bare `--` line.
  const delimiter = lines.findLastIndex((line) => line === '-- ' || line === '--');
  return (delimiter >= 0 ? lines.slice(0, delimiter) : lines).join('\n');
}

/**
 * A Message-ID without the angle brackets and space around it, which do not make it another
 * message. It is the delivery id an emailed plan starts with: a plan without an id of its own
 * gets one derived from it (see startOnboarding), so a redelivered message finds the onboarding
 * it started instead of starting another.
 */
export function normalizeMessageId(messageId: string): string {
  return messageId.trim().replace(/^<(.*)>$/, '$1');
}

/** A Message-ID as a table key: hashed, because a Message-ID holds a host name and often an address. */
export function messageKey(messageId: string): string {
  return createHash('sha256').update(normalizeMessageId(messageId)).digest('hex');
}
