import escapeHtml from 'escape-html';
import { formatDateTime } from '../calendar.ts';
import type { Recipient } from '../emails/message.ts';
import { ratingQuestion } from '../emails/weekly.ts';
import type { PlanIssue } from '../errors.ts';
import { type Feedback, type FeedbackInput, feedbackInputSchema } from '../feedback.ts';
import { epochSeconds, type LinkClaims, type LinkRole } from '../link-token.ts';
import { type Onboarding, type WeekRecord, workedTaskIds } from '../onboarding.ts';
import { type Page, paragraph, problemsList } from './layout.ts';
import { notFoundPage, onboardingEndedPage, weekClosedPage } from './notices.ts';

/**
 * The check-in's answer pages: a page with the week's question (a rating from 1 to 5, the owner's
 * unfinished tasks, a comment), and what its form does. It produces exactly the answer
 * `recordFeedback` takes, with source `link` and the link's recipient as who answered.
 *
 * Two kinds of link open it. A one-click rating link (purpose `rate`, one per rating in the
 * check-in email) carries its rating: the page confirms that rating and asks only the rest. The
 * older `feedback` link (one per email, before the ratings) asks the rating on the page; it keeps
 * working for emails already sent.
 */

/** As long as an answer's comment may be (feedbackInputSchema's own limit). */
export const COMMENT_MAX_LENGTH = feedbackInputSchema.shape.comment.unwrap().maxLength ?? 2000;

/** Onboarding statuses in which nobody answers any more. 'cancelled' arrives with pausing and cancelling. */
const STOPPED: ReadonlySet<string> = new Set(['failed', 'cancelled', 'aborted']);

/**
 * The claims of the feedback link in a check-in email: for the week's answer of `recipient`'s
 * side, valid until the week's feedback is due (then the gate decides; a later answer could not
 * count). The partner's email goes to every partner address, so the link names the first.
 */
export function feedbackLinkClaims(
  onboardingId: string,
  week: Pick<WeekRecord, 'week' | 'feedbackDueAt'>,
  recipient: Pick<Recipient, 'to'> & { role: LinkRole },
): LinkClaims {
  const address = recipient.to[0];
  if (!address) throw new Error(`The ${recipient.role} has no address to send a feedback link to`);
  return {
    onboardingId,
    week: week.week,
    role: recipient.role,
    recipient: address,
    purpose: 'feedback',
    expiresAt: epochSeconds(week.feedbackDueAt),
  };
}

/**
 * The claims of one of the five one-click rating links in a check-in email: like the feedback
 * link's (same week, side, address and expiry), with the rating it answers.
 */
export function ratingLinkClaims(
  onboardingId: string,
  week: Pick<WeekRecord, 'week' | 'feedbackDueAt'>,
  recipient: Pick<Recipient, 'to'> & { role: LinkRole },
  rating: number,
): LinkClaims {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new Error(`No rating link for ${rating}`);
  return { ...feedbackLinkClaims(onboardingId, week, recipient), purpose: 'rate', rating };
}

/** What the feedback page shows: whose answer, to which week, and the tasks it can name. */
export interface FeedbackPageContext {
  /** A side's link: references answer on their own page (pages/reference.ts). */
  claims: LinkClaims & { role: 'owner' | 'partner' };
  planTitle: string;
  /** The reader's name (the owner's, or the partner's). */
  name: string;
  otherSide: string;
  timeZone: string;
  week: WeekRecord;
  /** The tasks of the week the owner can report unfinished (none for the partner). */
  tasks: Array<{ id: string; title: string }>;
}

/**
 * Whether the link's week takes answers: the page to show instead when the onboarding is gone or
 * stopped, or the week not found or already decided.
 */
export function openFeedbackWeek(
  found: { onboarding: Onboarding | undefined; week: WeekRecord | undefined },
  claims: LinkClaims,
): { ok: true; context: FeedbackPageContext } | { ok: false; page: Page } {
  const { onboarding, week } = found;
  if (!onboarding || !week || claims.role === 'reference') return { ok: false, page: notFoundPage() };
  const { plan } = onboarding;
  if (STOPPED.has(onboarding.status)) return { ok: false, page: onboardingEndedPage(plan.title) };
  const owner = claims.role === 'owner';
  const timeZone = owner ? plan.owner.timeZone : plan.partner.timeZone;
  if (week.decision) {
    return { ok: false, page: weekClosedPage(week.week, formatDateTime(week.feedbackDueAt, timeZone)) };
  }
  const titles = new Map(plan.tasks.map((t) => [t.id, t.title]));
  return {
    ok: true,
    context: {
      claims: { ...claims, role: claims.role },
      planTitle: plan.title,
      name: owner ? plan.owner.name : plan.partner.name,
      otherSide: owner ? plan.partner.name : plan.owner.name,
      timeZone,
      week,
      tasks: owner ? workedTaskIds(week).map((id) => ({ id, title: titles.get(id) ?? id })) : [],
    },
  };
}

/** The form's fields as the reader filled them in (or as their current answer has them). */
export interface FeedbackFormValues {
  rating?: string;
  comment: string;
  unfinished: string[];
}

/** Problems with a sent form, by field; `form` for those of the answer as a whole. */
export type FeedbackFormErrors = Partial<Record<'rating' | 'comment' | 'unfinished' | 'form', string[]>>;

/** The form filled in with the side's current answer, if it has one. */
export function valuesOf(current: Feedback | undefined): FeedbackFormValues {
  return current
    ? {
        rating: String(current.rating),
        comment: current.comment ?? '',
        unfinished: current.unfinishedTaskIds,
      }
    : { comment: '', unfinished: [] };
}

/**
 * Reads the sent form into an answer. Catches what a person can get wrong on the page (no rating,
 * a comment too long), in the page's words; everything else is for `recordFeedback` to judge.
 */
export function readFeedbackForm(
  fields: URLSearchParams,
  claims: LinkClaims,
):
  | { ok: true; input: FeedbackInput; values: FeedbackFormValues }
  | {
      ok: false;
      values: FeedbackFormValues;
      errors: FeedbackFormErrors;
    } {
  const { role } = claims;
  // openFeedbackWeek refuses a reference's link before any form is read.
  if (role === 'reference') throw new Error('A reference link has no check-in form');
  // Browsers send a textarea's line breaks as CRLF, but count them as one character for maxlength.
  const comment = (fields.get('comment') ?? '').replace(/\r\n?/g, '\n').trim();
  // A rating link's rating is the one it was sent with: the form cannot change it.
  const rating = claims.rating !== undefined ? String(claims.rating) : (fields.get('rating') ?? '');
  const values: FeedbackFormValues = {
    ...(rating ? { rating } : {}),
    comment,
    unfinished: fields.getAll('unfinished'),
  };
  const errors: FeedbackFormErrors = {};
  if (!/^[1-5]$/.test(rating)) errors.rating = ['Choose a rating from 1 to 5.'];
  if (comment.length > COMMENT_MAX_LENGTH) {
    errors.comment = [
      `Shorten the comment to ${COMMENT_MAX_LENGTH} characters or fewer; it has ${comment.length}.`,
    ];
  }
  if (Object.keys(errors).length > 0) return { ok: false, values, errors };
  return {
    ok: true,
    values,
    input: {
      onboardingId: claims.onboardingId,
      week: claims.week,
      role,
      rating: Number(rating),
      ...(comment ? { comment } : {}),
      unfinishedTaskIds: values.unfinished,
      source: 'link',
      from: claims.recipient,
    },
  };
}

/**
 * The page for an answer `recordFeedback` refused: the week closed meanwhile (the gate decided
 * between the page's read and the write), the onboarding is gone, or the form again with each
 * problem at its field.
 */
export function refusedAnswerPage(
  context: FeedbackPageContext,
  values: FeedbackFormValues,
  issues: readonly PlanIssue[],
): Page {
  if (issues.some((i) => i.path === 'week')) {
    return weekClosedPage(context.week.week, formatDateTime(context.week.feedbackDueAt, context.timeZone));
  }
  if (issues.some((i) => i.path === 'onboardingId')) return notFoundPage();
  const errors: FeedbackFormErrors = {};
  for (const issue of issues) {
    const field =
      issue.path === 'rating' || issue.path === 'comment'
        ? issue.path
        : issue.path.startsWith('unfinishedTaskIds')
          ? 'unfinished'
          : 'form';
    errors[field] = [...(errors[field] ?? []), issue.message];
  }
  return feedbackFormPage(context, values, { errors });
}

/**
 * The question page. With `errors` it is the form sent back (422) with every problem at its
 * field and listed on top; with `current` it says the side has answered and what a new answer does.
 */
export function feedbackFormPage(
  context: FeedbackPageContext,
  values: FeedbackFormValues,
  options: { errors?: FeedbackFormErrors; current?: Feedback } = {},
): Page {
  const { errors = {}, current } = options;
  const { week, timeZone, claims } = context;
  const e = escapeHtml;
  const scale = ratingQuestion(claims.role, context.otherSide);
  const fixedRating = claims.rating;
  const problems = Object.values(errors).flat();
  const parts: string[] = [
    paragraph(`Hello ${context.name},`),
    paragraph(
      `this is your answer to the check-in of week ${week.week} of “${context.planTitle}”, on ` +
        `${formatDateTime(week.checkinAt, timeZone)}. It decides next week's volume, on ` +
        `${formatDateTime(week.feedbackDueAt, timeZone)}.`,
    ),
  ];
  if (current) {
    parts.push(
      paragraph(
        fixedRating === undefined
          ? `Your side answered on ${formatDateTime(current.at, timeZone)} (shown below). Sending the form again replaces that answer.`
          : `Your side answered on ${formatDateTime(current.at, timeZone)} with ${current.rating} of 5. Confirming replaces that answer.`,
      ),
    );
  }
  parts.push(problemsList(problems));
  parts.push('<form method="post">');

  const ratingError = fieldError('rating', errors.rating);
  if (fixedRating !== undefined) {
    parts.push(
      `<p>${e(`${scale.question}? Your rating: `)}<strong>${fixedRating} of 5${e(meaningOf(fixedRating, scale))}</strong></p>`,
      '<p class="hint">Meant another rating? Use that rating’s link in the email instead.</p>',
    );
  } else {
    parts.push(
      `<fieldset${ratingError ? ' aria-describedby="rating-error"' : ''}>` +
        `<legend>${e(`${scale.question}?`)}</legend>${ratingError}` +
        [1, 2, 3, 4, 5]
          .map(
            (n) =>
              `<label class="choice" for="rating-${n}"><input type="radio" id="rating-${n}" name="rating" value="${n}"` +
              `${n === 1 ? ' required' : ''}${values.rating === String(n) ? ' checked' : ''}> ${n}${e(meaningOf(n, scale))}</label>`,
          )
          .join('') +
        '</fieldset>',
    );
  }

  if (context.tasks.length > 0) {
    const unfinishedError = fieldError('unfinished', errors.unfinished);
    parts.push(
      `<fieldset aria-describedby="unfinished-hint${unfinishedError ? ' unfinished-error' : ''}">` +
        '<legend>Which tasks are not finished?</legend>' +
        '<p class="hint" id="unfinished-hint">Tick the tasks that are not done; they are carried into next week. Leave all unticked if everything is finished.</p>' +
        unfinishedError +
        context.tasks
          .map(
            (task, i) =>
              `<label class="choice" for="unfinished-${i}"><input type="checkbox" id="unfinished-${i}" name="unfinished" ` +
              `value="${e(task.id)}"${values.unfinished.includes(task.id) ? ' checked' : ''}> ${e(task.title)}</label>`,
          )
          .join('') +
        '</fieldset>',
    );
  }

  const commentError = fieldError('comment', errors.comment);
  parts.push(
    '<p><label class="field" for="comment">Comment (optional)</label></p>' +
      `<p class="hint" id="comment-hint">What went well, what did not: up to ${COMMENT_MAX_LENGTH} characters.</p>` +
      commentError +
      `<textarea id="comment" name="comment" rows="5" maxlength="${COMMENT_MAX_LENGTH}" ` +
      `aria-describedby="comment-hint${commentError ? ' comment-error' : ''}">${e(values.comment)}</textarea>`,
    `<p><button type="submit">${fixedRating === undefined ? 'Send my answer' : 'Confirm my rating'}</button></p>`,
    '</form>',
  );
  return {
    status: problems.length > 0 ? 422 : 200,
    title:
      fixedRating === undefined
        ? `Week ${week.week}: how did it go?`
        : `You rate week ${week.week}: ${fixedRating}/5`,
    body: parts.join('\n'),
  };
}

/** The page after a recorded answer: what was recorded, and until when it can change. */
export function feedbackRecordedPage(context: FeedbackPageContext, feedback: Feedback): Page {
  const e = escapeHtml;
  const scale = ratingQuestion(context.claims.role, context.otherSide);
  const meaning = meaningOf(feedback.rating, scale);
  const titles = new Map(context.tasks.map((t) => [t.id, t.title]));
  const rows: Array<[string, string]> = [[scale.question, `${feedback.rating} of 5${meaning}`]];
  if (context.claims.role === 'owner') {
    rows.push([
      'Tasks not finished',
      feedback.unfinishedTaskIds.map((id) => titles.get(id) ?? id).join(', ') ||
        'none: everything is finished',
    ]);
  }
  rows.push(['Comment', feedback.comment ?? 'none']);
  return {
    status: 200,
    title: 'Thank you: your answer is recorded',
    body: [
      paragraph(`Your answer to the check-in of week ${feedback.week} of “${context.planTitle}”:`),
      `<dl>${rows.map(([term, value]) => `<dt>${e(term)}</dt><dd>${e(value)}</dd>`).join('')}</dl>`,
      paragraph(
        `It counts when the week is decided, on ${formatDateTime(context.week.feedbackDueAt, context.timeZone)}. ` +
          'Until then you can open the link in the email again to change it.',
      ),
    ].join('\n'),
  };
}

/** The words for the ends of the scale: " (poor)" for 1, " (excellent)" for 5, nothing between. */
function meaningOf(rating: number, scale: { low: string; high: string }): string {
  return rating === 1 ? ` (${scale.low})` : rating === 5 ? ` (${scale.high})` : '';
}

function fieldError(field: string, messages: string[] | undefined): string {
  if (!messages || messages.length === 0) return '';
  return `<p class="error" id="${field}-error">${messages.map((m) => escapeHtml(m)).join('<br>')}</p>`;
}
