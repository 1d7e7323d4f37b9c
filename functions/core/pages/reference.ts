import escapeHtml from 'escape-html';
import { formatDateTime } from '../calendar.ts';
import {
  type DueDiligenceVerdict,
  isIndependent,
  isReferenceQuestion,
  QUESTION_LABELS,
  questionText,
  REFERENCE_QUESTIONS,
  type ReferenceAnswer,
  type ReferenceQuestion,
  type ReferenceScores,
} from '../due-diligence.ts';
import { epochSeconds, type LinkClaims } from '../link-token.ts';
import { ENDED_STATUSES, type Onboarding } from '../onboarding.ts';
import { type Page, paragraph, problemsList } from './layout.ts';
import { linkProblemPage, notFoundPage, onboardingEndedPage } from './notices.ts';

/**
 * The page behind a reference's links (due diligence): the GET shows the three questions, with
 * the score of the clicked link chosen (and any earlier answer), and writes nothing; the form's
 * POST records the answer. A later answer replaces the earlier one until the deadline.
 */

export const REFERENCE_COMMENT_MAX_LENGTH = 2000;

/** The claims of a reference's link: the form, or one question's score; valid until the deadline. */
export function referenceLinkClaims(
  onboardingId: string,
  reference: number,
  email: string,
  dueAt: string,
  score?: { question: ReferenceQuestion; rating: number },
): LinkClaims {
  return {
    onboardingId,
    week: 0,
    role: 'reference',
    recipient: email,
    purpose: 'reference',
    reference,
    expiresAt: epochSeconds(dueAt),
    ...(score ? { question: score.question, rating: score.rating } : {}),
  };
}

export interface ReferencePageContext {
  reference: number;
  referenceName: string;
  /** Whether the reference counts (not at the partner's own domain). */
  independent: boolean;
  planTitle: string;
  ownerName: string;
  partnerName: string;
  timeZone: string;
  dueAt: string;
}

/**
 * Whether the link's reference can still answer: the context if so, otherwise the page to show
 * (not found, the onboarding ended, or the answers were already scored).
 */
export function openReference(
  found: { onboarding: Onboarding | undefined; verdict: DueDiligenceVerdict | undefined },
  claims: LinkClaims,
): { ok: true; context: ReferencePageContext } | { ok: false; page: Page } {
  if (
    claims.reference === undefined ||
    (claims.question !== undefined && !isReferenceQuestion(claims.question))
  )
    return { ok: false, page: linkProblemPage({ ok: false, reason: 'malformed' }) };
  const { onboarding, verdict } = found;
  const reference = onboarding?.plan.references[claims.reference - 1];
  if (!onboarding || !reference || reference.email.toLowerCase() !== claims.recipient.toLowerCase())
    return { ok: false, page: notFoundPage() };
  const { plan } = onboarding;
  if (verdict)
    return { ok: false, page: answersClosedPage(plan.partner.name, verdict.decidedAt, plan.owner.timeZone) };
  if (ENDED_STATUSES.has(onboarding.status)) return { ok: false, page: onboardingEndedPage(plan.title) };
  return {
    ok: true,
    context: {
      reference: claims.reference,
      referenceName: reference.name,
      independent: isIndependent(reference.email, plan),
      planTitle: plan.title,
      ownerName: plan.owner.name,
      partnerName: plan.partner.name,
      timeZone: plan.owner.timeZone,
      dueAt: new Date(claims.expiresAt * 1000).toISOString(),
    },
  };
}

/** What the form shows: each question's score ('' for none yet) and the comment. */
export type ReferenceFormValues = Record<ReferenceQuestion, string> & { comment: string };

/** The form's values: an earlier answer, with the clicked link's score over it. */
export function referenceFormValues(
  current: ReferenceAnswer | undefined,
  claims: LinkClaims,
): ReferenceFormValues {
  const values: ReferenceFormValues = {
    reliability: current ? String(current.scores.reliability) : '',
    quality: current ? String(current.scores.quality) : '',
    communication: current ? String(current.scores.communication) : '',
    comment: current?.comment ?? '',
  };
  if (claims.question && isReferenceQuestion(claims.question) && claims.rating !== undefined)
    values[claims.question] = String(claims.rating);
  return values;
}

/** What is wrong with a question's answer, the comment, or (`form`) the answer as a whole. */
export type ReferenceFormErrors = Partial<Record<ReferenceQuestion | 'comment' | 'form', string>>;

/** The POST's form read: three scores 1 to 5 and an optional comment, or what is wrong. */
export function readReferenceForm(
  form: URLSearchParams,
):
  | { ok: true; scores: ReferenceScores; comment?: string }
  | { ok: false; values: ReferenceFormValues; errors: ReferenceFormErrors } {
  const values = {
    reliability: form.get('reliability') ?? '',
    quality: form.get('quality') ?? '',
    communication: form.get('communication') ?? '',
    // A browser sends each line break as CRLF, which its maxlength counts as one character.
    comment: (form.get('comment') ?? '').replace(/\r\n?/g, '\n').trim(),
  };
  const errors: ReferenceFormErrors = {};
  const scores = {} as ReferenceScores;
  for (const question of REFERENCE_QUESTIONS) {
    const value = values[question];
    if (!/^[1-5]$/.test(value)) errors[question] = `${QUESTION_LABELS[question]}: choose a score from 1 to 5`;
    else scores[question] = Number(value);
  }
  if (values.comment.length > REFERENCE_COMMENT_MAX_LENGTH)
    errors.comment = `The comment is ${values.comment.length} characters; at most ${REFERENCE_COMMENT_MAX_LENGTH}`;
  if (Object.keys(errors).length > 0) return { ok: false, values, errors };
  return { ok: true, scores, ...(values.comment ? { comment: values.comment } : {}) };
}

/** The answer to record from a valid form. */
export function referenceAnswer(
  context: ReferencePageContext,
  form: { scores: ReferenceScores; comment?: string },
  at: string,
): ReferenceAnswer {
  return {
    reference: context.reference,
    scores: form.scores,
    ...(form.comment ? { comment: form.comment } : {}),
    at,
    independent: context.independent,
  };
}

/** The GET (and a POST with problems): the three questions and the comment. */
export function referenceFormPage(
  context: ReferencePageContext,
  values: ReferenceFormValues,
  options: { errors?: ReferenceFormErrors; current?: ReferenceAnswer } = {},
): Page {
  const { errors = {}, current } = options;
  const e = escapeHtml;
  const parts = [
    paragraph(`Hello ${context.referenceName},`),
    paragraph(
      `${context.ownerName} asks how working with ${context.partnerName} went. Your answer goes to ${context.ownerName} only. ` +
        `Answers count until ${formatDateTime(context.dueAt, context.timeZone)}.`,
    ),
  ];
  if (current) {
    parts.push(
      paragraph(
        `You answered on ${formatDateTime(current.at, context.timeZone)} (shown below). Sending the form again replaces that answer.`,
      ),
    );
  }
  const problems = Object.values(errors);
  parts.push(problemsList(problems));
  parts.push('<form method="post">');
  for (const question of REFERENCE_QUESTIONS) {
    const error = errors[question]
      ? `<p class="error" id="${question}-error">${e(errors[question])}</p>`
      : '';
    parts.push(
      `<fieldset${error ? ` aria-describedby="${question}-error"` : ''}>` +
        `<legend>${e(`${QUESTION_LABELS[question]}: ${questionText(question, context.partnerName)}`)}</legend>${error}` +
        [1, 2, 3, 4, 5]
          .map(
            (n) =>
              `<label class="choice" for="${question}-${n}"><input type="radio" id="${question}-${n}" name="${question}" value="${n}"` +
              `${n === 1 ? ' required' : ''}${values[question] === String(n) ? ' checked' : ''}> ${n}${n === 1 ? ' (poor)' : n === 5 ? ' (excellent)' : ''}</label>`,
          )
          .join('') +
        '</fieldset>',
    );
  }
  const commentError = errors.comment ? `<p class="error" id="comment-error">${e(errors.comment)}</p>` : '';
  parts.push(
    '<p><label class="field" for="comment">Comment (optional)</label></p>' +
      `<p class="hint">Anything ${e(context.ownerName)} should know: up to ${REFERENCE_COMMENT_MAX_LENGTH} characters.</p>` +
      commentError +
      `<textarea id="comment" name="comment" rows="5" maxlength="${REFERENCE_COMMENT_MAX_LENGTH}">${e(values.comment)}</textarea>`,
    '<p><button type="submit">Send my answer</button></p>',
    '</form>',
  );
  return {
    status: problems.length > 0 ? 400 : 200,
    title: `About ${context.partnerName}`,
    body: parts.join('\n'),
  };
}

/** The POST that recorded the answer. */
export function referenceRecordedPage(context: ReferencePageContext, answer: ReferenceAnswer): Page {
  const scores = REFERENCE_QUESTIONS.map((q) => `${QUESTION_LABELS[q]} ${answer.scores[q]} of 5`).join(', ');
  return {
    status: 200,
    title: 'Thank you',
    body: [
      paragraph(`Your answer about ${context.partnerName} is recorded: ${scores}.`),
      paragraph(
        `Changed your mind? Any link of the email opens this form again until ${formatDateTime(context.dueAt, context.timeZone)}; a new answer replaces this one.`,
      ),
    ].join('\n'),
  };
}

/** A link opened after the answers were scored. */
export function answersClosedPage(partnerName: string, decidedAt: string, timeZone: string): Page {
  return {
    status: 410,
    title: 'The answers are in',
    body: [
      paragraph(
        `The answers about ${partnerName} were collected on ${formatDateTime(decidedAt, timeZone)}, so an answer now could no longer count.`,
      ),
      paragraph('Nothing was recorded. Thank you all the same.'),
    ].join('\n'),
  };
}
