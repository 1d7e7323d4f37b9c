import escapeHtml from 'escape-html';
import type { EmailRecord } from '#core/onboarding';
import type { LinkClicks } from './link-clicks.ts';
import type { Mailbox, ReceivedEmail } from './mailbox.ts';

/**
 * How a scripted person answers a check-in email (or the owner, their question), through the paths
 * people use: a click on the rating link of their score and the confirm page's form (the real link
 * handler), or a reply to the email's Reply-To (the real inbound function). Everything is read from the email they got;
 * nothing is recorded behind the handlers' backs. Called at the execution's virtual time, so the
 * links are checked, and the answers stamped, as at that moment on AWS.
 */

/** What a person says: a rating, an optional comment, and (the owner, on the page) unfinished tasks. */
export interface PersonAnswer {
  rating: number;
  comment?: string;
  unfinishedTaskIds?: readonly string[];
}

/** Who answers: the address the check-in went to, and the name and time zone they write with. */
export interface Person {
  address: string;
  name: string;
  timeZone: string;
}

/** How a side answers its check-ins: the rating links in the email (the default), or a reply. */
export type AnswerPath = 'link' | 'email';

/** The rating link for `rating` in a check-in email's text part ("Rate 4 of 5:" then the URL). */
export function ratingLinkIn(email: ReceivedEmail, rating: number): string {
  const link = new RegExp(`^Rate ${rating} of 5[^\\n]*:\\n(\\S+)`, 'm').exec(email.body.text ?? '')?.[1];
  if (!link) throw new Error(`No "Rate ${rating} of 5" link in "${email.subject}"`);
  return link;
}

/**
 * Clicks the rating link of the answer's score, reads the confirm page (the owner's unfinished
 * tasks must be among its boxes, as a person can only tick what is shown), and confirms it with
 * the comment and the ticked boxes.
 */
export async function answerThroughLink(
  links: LinkClicks,
  email: ReceivedEmail,
  answer: PersonAnswer,
): Promise<void> {
  const link = ratingLinkIn(email, answer.rating);
  const page = await links.click(link);
  if (page.status !== 200) {
    throw new Error(`The "Rate ${answer.rating}" link of "${email.subject}" answered ${page.status}`);
  }
  const boxes = [...page.body.matchAll(/name="unfinished" value="([^"]*)"/g)].map((m) => m[1]);
  const missing = (answer.unfinishedTaskIds ?? []).filter((id) => !boxes.includes(escapeHtml(id)));
  if (missing.length > 0) {
    throw new Error(`The page of "${email.subject}" has no box for ${missing.join(', ')} to tick`);
  }
  const sent = await links.click(link, {
    comment: answer.comment ?? '',
    unfinished: answer.unfinishedTaskIds ?? [],
  });
  const title = /<h1>([^<]*)<\/h1>/.exec(sent.body)?.[1] ?? '';
  if (sent.status !== 200 || !title.startsWith('Thank you')) {
    throw new Error(`Confirming the rating of "${email.subject}" answered ${sent.status}: ${title}`);
  }
}

/**
 * Replies to a check-in email as a person would from Gmail: to its Reply-To, with the rating and
 * comment on top and the check-in quoted below an "On … wrote:" line; delivered through the
 * inbound function as SES receiving would hand it over (local/inbound.ts).
 */
export async function answerByReply(
  mailbox: Mailbox,
  checkin: { email: ReceivedEmail; record: EmailRecord },
  from: Person,
  answer: PersonAnswer,
  at: Date,
): Promise<void> {
  if ((answer.unfinishedTaskIds ?? []).length > 0) {
    // A reply carries a rating and a comment only; the page is where tasks are ticked.
    throw new Error(`A reply to "${checkin.email.subject}" cannot name unfinished tasks: answer by link`);
  }
  // Loaded on the first reply (mail parsing is heavy), after the runtime has set the environment.
  const { deliverLocally } = await import('./inbound.ts');
  const raw = replyMessage(checkin, from, answer, at);
  const { outcome } = await deliverLocally({ mailbox }, Buffer.from(raw, 'utf8'));
  if (outcome.outcome !== 'feedback-recorded') {
    const why = 'reasons' in outcome ? outcome.reasons.join(', ') : 'reason' in outcome ? outcome.reason : '';
    throw new Error(`The reply to "${checkin.email.subject}" was not recorded: ${outcome.outcome} ${why}`);
  }
}

/**
 * Replies to the owner's question (the escalation email, or the due diligence's before the
 * kickoff) as a person would from Gmail: the choice's word alone on the first line, as the email
 * asks, above the quoted question; delivered through the inbound function like a check-in reply.
 */
export async function decideByReply(
  mailbox: Mailbox,
  question: { email: ReceivedEmail; record: EmailRecord },
  from: Person,
  choice: string,
  at: Date,
): Promise<void> {
  const { deliverLocally } = await import('./inbound.ts');
  const raw = replyWithText(question, from, choice.toUpperCase(), at);
  const { outcome } = await deliverLocally({ mailbox }, Buffer.from(raw, 'utf8'));
  if (outcome.outcome !== 'decision-recorded') {
    const why = 'reasons' in outcome ? outcome.reasons.join(', ') : 'reason' in outcome ? outcome.reason : '';
    throw new Error(`The reply to "${question.email.subject}" decided nothing: ${outcome.outcome} ${why}`);
  }
}

/**
 * The raw reply (RFC 5322, plain text, UTF-8): Gmail's layout, which the inbound function's reply
 * parser reads as it reads real Gmail replies (tests/fixtures/mail/replies/gmail-owner.eml).
 */
export function replyMessage(
  original: { email: ReceivedEmail; record: EmailRecord },
  from: Person,
  answer: PersonAnswer,
  at: Date,
): string {
  return replyWithText(
    original,
    from,
    `${answer.rating}/5${answer.comment ? ` - ${answer.comment}` : ''}`,
    at,
  );
}

/** A reply in Gmail's layout whose own text is `text`, above the quoted original. */
function replyWithText(
  { email, record }: { email: ReceivedEmail; record: EmailRecord },
  from: Person,
  text: string,
  at: Date,
): string {
  const to = email.replyTo[0];
  if (!to) throw new Error(`"${email.subject}" has no Reply-To to answer`);
  const domain = from.address.split('@')[1] ?? 'localhost';
  // SES names a sent message <its id @ the region's domain>: a mail client threads the reply on it.
  const original = `<${email.messageId}@email.amazonses.com>`;
  const sentAt = new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: from.timeZone,
  })
    .format(new Date(record.sentAt))
    .replace(/^(\w+),? (\d+ \w+ \d+),? (.*)$/, '$1, $2 at $3');
  const quoted = (email.body.text ?? '')
    .replace(/\r\n?/g, '\n')
    .trimEnd()
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'));
  const body = [
    text,
    '',
    `On ${sentAt}, onramp <${email.from.replace(/^.*<|>$/g, '')}> wrote:`,
    '',
    ...quoted,
    '',
  ];
  return [
    `From: ${displayName(from.name)} <${from.address}>`,
    `To: <${to}>`,
    `Subject: ${ascii(email.subject) ? `Re: ${email.subject}` : encodedWord(`Re: ${email.subject}`)}`,
    `Date: ${at.toUTCString().replace(/GMT$/, '+0000')}`,
    `Message-ID: <reply.${record.messageId}.${at.getTime()}@${domain}>`,
    `In-Reply-To: ${original}`,
    `References: ${original}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="UTF-8"',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...body,
  ].join('\r\n');
}

/** A name for the From header: quoted when ASCII, else an RFC 2047 encoded word (a name with accents). */
function displayName(name: string): string {
  return ascii(name) ? `"${name.replace(/["\\]/g, '')}"` : encodedWord(name);
}

function ascii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function encodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}
