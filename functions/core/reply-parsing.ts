import EmailReplyParser from 'email-reply-parser';
import { OWNER_CHOICES, type OwnerChoice } from './owner-decision.ts';
import { COMMENT_MAX_LENGTH } from './pages/feedback.ts';

/**
 * Reading a reply to a check-in email or to the owner's question: what the person wrote above the
 * quoted email (quoted history and signatures removed by email-reply-parser, which knows the
 * quoting of Gmail, Outlook, Apple Mail and a dozen locales), the rating in it and the comment
 * around it, or the owner's decision word; and telling an auto-reply (out of office, vacation)
 * from a person's answer.
 */

/** What a reply says, or why it says nothing that can be recorded. */
export type ReplyAnswer =
  | { ok: true; rating: number; comment?: string }
  /** `no-rating`: no number in any form we read; `rating-out-of-range`: a number, but not 1 to 5. */
  | { ok: false; reason: 'no-rating' }
  | { ok: false; reason: 'rating-out-of-range'; given: number };

/** Why a message is taken for an auto-reply, safe to log. */
export type AutoReplyReason =
  | 'auto-submitted'
  | 'x-autoreply'
  | 'x-autorespond'
  | 'precedence'
  | 'null-sender'
  | 'auto-reply-subject';

/** The text the person wrote: the reply without the quoted message below it and without signatures. */
export function visibleReply(text: string): string {
  const normalized = text.replace(/\r\n?/g, '\n');
  return new EmailReplyParser().read(normalized).getVisibleText().trim();
}

/**
 * Ratings as people write them, each with the rest of the line after it (the comment's start when
 * the rating leads). Case-insensitive; the first found in the text counts. A fraction or "out of"
 * counts only on our scale of 5: "2/3 of the invoices" is not a rating.
 */
const RATING_FORMS: RegExp[] = [
  /(?<![\d/.,])(\d{1,3})\s*\/\s*5(?![\d/])/i,
  /(?<!\d)(\d{1,3})\s+out\s+of\s+5(?!\d)/i,
  /\brating\s*(?:[:=-]|is)?\s*(\d{1,3})(?:\s*(?:\/|out\s+of)\s*5)?(?![\d/])/i,
];
/** A first line that is a number alone, or a number followed by a separator and a comment. */
const LEADING_NUMBER = /^(\d{1,3})(?![.,]\d)[ \t]*(?:[-–—:.,!)][ \t]*|\n\s*|$)/;

/**
 * The rating and comment in a reply's visible text: "4/5", "4 out of 5", "rating: 4" or "Rating 4"
 * anywhere, or a number alone (or followed by a dash, a colon…) at the start of the first line.
 * The comment is the rest of the text: a rating that starts a line is taken out of it, one inside
 * a sentence stays, so the sentence still reads. Comments longer than the feedback's limit are cut.
 */
export function readAnswer(visible: string): ReplyAnswer {
  const text = visible.replace(/\r\n?/g, '\n').trim();
  const found = findRating(text);
  if (!found) return { ok: false, reason: 'no-rating' };
  if (found.rating < 1 || found.rating > 5) {
    return { ok: false, reason: 'rating-out-of-range', given: found.rating };
  }
  const comment = limit(found.comment.replace(/\n{3,}/g, '\n\n').trim());
  return comment ? { ok: true, rating: found.rating, comment } : { ok: true, rating: found.rating };
}

function findRating(text: string): { rating: number; comment: string } | undefined {
  let best: { index: number; length: number; rating: number } | undefined;
  for (const form of RATING_FORMS) {
    const match = form.exec(text);
    if (match && (!best || match.index < best.index)) {
      best = { index: match.index, length: match[0].length, rating: Number(match[1]) };
    }
  }
  const leading = LEADING_NUMBER.exec(text);
  if (leading && (!best || best.index > 0)) {
    return { rating: Number(leading[1]), comment: text.slice(leading[0].length) };
  }
  if (!best) return undefined;
  const lineStart = text.lastIndexOf('\n', best.index - 1) + 1;
  const leadsLine = text.slice(lineStart, best.index).trim() === '';
  if (!leadsLine) return { rating: best.rating, comment: text };
  // Taken out with the separator that follows it ("4/5 - good week" leaves "good week").
  const rest = text.slice(best.index + best.length).replace(/^[ \t]*[-–—:.,!)]?[ \t]*/, '');
  return { rating: best.rating, comment: `${text.slice(0, best.index)}${rest}` };
}

function limit(comment: string): string {
  return comment.length <= COMMENT_MAX_LENGTH ? comment : `${comment.slice(0, COMMENT_MAX_LENGTH - 1)}…`;
}

/** Why a reply to the owner's question decides nothing; `read` is its first line, as read. */
export type DecisionNotRead =
  /** Nothing written above the quoted email. */
  | { reason: 'empty' }
  /**
   * The first line does not start with a choice's word, goes on past it ("Abort would be a
   * mistake"), or asks something ("Continue?").
   */
  | { reason: 'unclear'; read: string }
  /** The first paragraph names more than one choice ("continue or abort"); `read` is the paragraph. */
  | { reason: 'ambiguous'; read: string; named: OwnerChoice[] }
  /** A choice this question does not offer (extend, before the kickoff). */
  | { reason: 'not-offered'; read: string; choice: OwnerChoice };

/** What a reply to the owner's question says: one choice it offers, or why it decides nothing. */
export type DecisionReading = { ok: true; choice: OwnerChoice } | { ok: false; why: DecisionNotRead };

/** Words that may come before the choice's ("Please abort", "OK, continue"); never a negation. */
const COURTESIES: ReadonlySet<string> = new Set(['please', 'ok', 'okay', 'yes']);
const MAX_COURTESIES = 2;
/**
 * Words that may complete the choice's word up to the end of its clause ("Extend this stage",
 * "Abort the onboarding now, please"): an order and its object, nothing that could turn the word
 * into the subject of a sentence ("Abort would be a mistake", "Continue is not an option").
 */
const COMPLETIONS: ReadonlySet<string> = new Set([
  ...COURTESIES,
  'now',
  'the',
  'this',
  'it',
  'onboarding',
  'stage',
  'week',
  'one',
  'more',
  'another',
  'by',
  'a',
  'immediately',
  'thanks',
]);
/** What ends the choice's clause: anything after it is a comment ("Abort - they never answer"). */
const CLAUSE_END = /[.,;:!*()\-–—]/;
/**
 * How a comment takes the choice back or holds it: a clause of it that opens with one of these
 * ("Abort — wait", "Continue, unless Ana objects", "Abort. Never mind", "Abort, if they miss
 * Friday")…
 */
const TAKE_BACK_OPENERS: ReadonlySet<string> = new Set([
  'wait',
  'unless',
  'if',
  'maybe',
  'perhaps',
  'actually',
  'hold',
  'scratch',
  'ignore',
  'just',
  'never',
  'except',
  'sorry',
]);
/** …or that ends with one of these ("Abort, or rather not", "Abort - nope")… */
const TAKE_BACK_ENDINGS: ReadonlySet<string> = new Set(['no', 'not', 'nope', 'nah', 'wait']);
/** …or that says nothing else ("No.", "Not yet", "Don't"). A reason may say no ("they did not deliver"). */
const TAKE_BACK_ALONE: ReadonlySet<string> = new Set(['no', 'not', 'nope', 'nah', 'yet', 'wait']);
const DONT_ALONE = /^\s*(?:don['’]?t|do not)\s*$/i;
/** Where a comment's clauses end. */
const CLAUSE_BREAK = /[.,;:!?…*()\-–—\n]/;
/** How much of the first line an answer quotes back. */
const READ_MAX_LENGTH = 120;

/**
 * The owner's decision in a reply's visible text. The first non-empty line must start with the
 * word of one choice the question offers (CONTINUE, EXTEND or ABORT, in any letter case; after at
 * most a "please", "OK" or "yes"), completed by nothing but an object or a courtesy up to the end
 * of its clause ("Extend this stage", "Abort, please: they never answer"). The rest of the first
 * paragraph is a comment, which may give a reason ("they did not deliver") but must not take the
 * choice back ("wait, no", "unless…", "never mind"), ask anything ("?"), or name another choice.
 * The paragraph, not the line, as mail programs wrap a long line, and an HTML-only reply arrives
 * as text wrapped at 80 columns: "Continue for now, but … we will have to abort" stays one thought.
 * Below the paragraph anything may follow. Deliberately strict, as a decision cannot be taken
 * back: "I would not abort", "Abort would be a mistake", "Abort — wait, no" or "continue or
 * abort?" decide nothing, and the owner is told how to reply. No list of words catches every
 * change of mind ("Abort - only if Tom agrees" decides); a refusal costs a second reply.
 */
export function readDecision(visible: string, offered: readonly OwnerChoice[]): DecisionReading {
  const lines = visible
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim());
  const start = lines.findIndex((l) => l.length > 0);
  if (start < 0) return { ok: false, why: { reason: 'empty' } };
  const line = lines[start]!;
  const blank = lines.indexOf('', start);
  const paragraph = lines.slice(start, blank < 0 ? undefined : blank).join(' ');
  const quoted = (text: string) =>
    text.length <= READ_MAX_LENGTH ? text : `${text.slice(0, READ_MAX_LENGTH - 1)}…`;
  const read = quoted(line);
  const named = OWNER_CHOICES.filter((choice) => wordsOf(paragraph).some((w) => w.word === choice));
  if (named.length > 1) return { ok: false, why: { reason: 'ambiguous', read: quoted(paragraph), named } };
  const words = wordsOf(line);
  let lead = 0;
  while (lead < MAX_COURTESIES && lead < words.length - 1 && COURTESIES.has(words[lead]!.word)) lead++;
  const first = words[lead];
  const choice = OWNER_CHOICES.find((c) => c === first?.word);
  const rest = line.slice(first?.end ?? 0);
  const clauseEnd = rest.search(CLAUSE_END);
  const clause = clauseEnd < 0 ? rest : rest.slice(0, clauseEnd);
  if (!first || !choice || !wordsOf(clause).every((w) => COMPLETIONS.has(w.word))) {
    return { ok: false, why: { reason: 'unclear', read } };
  }
  const comment = [rest, ...lines.slice(start + 1, blank < 0 ? undefined : blank)].join('\n');
  if (comment.includes('?') || takesBack(comment)) {
    return { ok: false, why: { reason: 'unclear', read: quoted(paragraph) } };
  }
  if (!offered.includes(choice)) return { ok: false, why: { reason: 'not-offered', read, choice } };
  return { ok: true, choice };
}

/** Whether a comment after the choice takes it back or holds it (see TAKE_BACK_OPENERS). */
function takesBack(comment: string): boolean {
  return comment.split(CLAUSE_BREAK).some((clause) => {
    const words = wordsOf(clause).map((w) => w.word);
    if (words.length === 0) return false;
    return (
      DONT_ALONE.test(clause) ||
      TAKE_BACK_OPENERS.has(words[0]!) ||
      TAKE_BACK_ENDINGS.has(words.at(-1)!) ||
      words.every((word) => TAKE_BACK_ALONE.has(word))
    );
  });
}

function wordsOf(text: string): Array<{ word: string; end: number }> {
  return [...text.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => ({
    word: m[0].toLowerCase(),
    end: m.index + m[0].length,
  }));
}

/**
 * Subjects auto-replies are sent with, in the languages of the reply parser's locales; checked
 * after a `Re:`/`AW:` prefix too, as some responders keep one. The phrase must end the subject or
 * precede a colon (`Out of Office: …`): "out of office hours" is a person's topic.
 */
const AUTO_REPLY_SUBJECT =
  /^\s*(?:(?:re|aw|sv|antw|réf|rif)\s*:\s*)*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|away from (?:the )?office|on vacation|vacation reply|abwesenheitsnotiz|automatische antwort|réponse automatique|absence du bureau|respuesta automática|fuera de la oficina|risposta automatica|fuori ufficio|resposta automática|ausente)(?=\s*(?:[:(\-–]|auto|$))/i;

/**
 * Why a message is an auto-reply, or undefined for one a person wrote: RFC 3834's Auto-Submitted
 * (anything but `no`), the X-Autoreply / X-Autorespond headers some responders set, a Precedence
 * of auto_reply, bulk, junk or list, an empty envelope sender (`Return-Path: <>`, as bounces and
 * many responders use), or an out-of-office subject. An auto-reply is never feedback, and never
 * answered: two responders would answer each other forever.
 */
export function autoReplyReason(
  header: (name: string) => string | undefined,
  subject: string,
): AutoReplyReason | undefined {
  const value = (name: string) => header(name)?.trim().toLowerCase();
  const autoSubmitted = value('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto-submitted';
  if (value('x-autoreply')) return 'x-autoreply';
  if (value('x-autorespond')) return 'x-autorespond';
  const precedence = value('precedence');
  if (precedence && ['auto_reply', 'bulk', 'junk', 'list'].includes(precedence)) return 'precedence';
  if (value('return-path') === '<>') return 'null-sender';
  if (AUTO_REPLY_SUBJECT.test(subject)) return 'auto-reply-subject';
  return undefined;
}
