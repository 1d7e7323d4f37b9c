import { createHash } from 'node:crypto';

/** One attachment of a received email, as the MIME parser hands it over. */
export interface MailAttachment {
  filename?: string;
  contentType: string;
  content: Uint8Array;
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

const PLAN_FILE = /\.(ya?ml|json)$/i;
const PLAN_TYPES = new Set([
  'application/json',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
]);

/**
 * The plan in an email: the first attachment named `.yaml`, `.yml` or `.json` (or, without a
 * name, typed as YAML or JSON), else the plain-text body without its signature. Undefined when
 * there is neither.
 */
export function findPlanText(mail: ReceivedMail): PlanText | undefined {
  const attachment = mail.attachments.find((a) =>
    a.filename ? PLAN_FILE.test(a.filename) : PLAN_TYPES.has(a.contentType.toLowerCase()),
  );
  if (attachment) {
    const text = new TextDecoder('utf-8').decode(attachment.content).replace(/^\uFEFF/, '');
    return { from: 'attachment', filename: attachment.filename ?? 'attachment', text };
  }
  const body = withoutSignature(mail.text ?? '')
    // Some mail clients indent plain text with no-break spaces, which YAML does not take as indentation.
    .replace(/\u00A0/g, ' ')
    .trim();
  return body ? { from: 'body', text: body } : undefined;
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
