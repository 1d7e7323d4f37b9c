import escapeHtml from 'escape-html';
import { formatDateTime } from '../calendar.ts';
import { type DueDiligenceVerdict, dueDiligenceChoiceEffects } from '../due-diligence.ts';
import { epochSeconds, type LinkClaims } from '../link-token.ts';
import { ENDED_STATUSES, type Onboarding, type WeekRecord } from '../onboarding.ts';
import { choiceEffects, type DecisionRequest, isOwnerChoice, type OwnerChoice } from '../owner-decision.ts';
import { type Page, paragraph } from './layout.ts';
import { linkProblemPage, notFoundPage, onboardingEndedPage } from './notices.ts';

/**
 * The pages behind the three links of an escalation email (continue, extend this stage, abort):
 * the GET shows the choice and a button to confirm it, and changes nothing; the form's POST
 * records the decision, once. The link carries the action (onboarding and week) and the choice,
 * signed; never the workflow's task token.
 */

/** The claims of one decision link of the escalation about `week`: valid until the deadline. */
export function decisionLinkClaims(
  onboardingId: string,
  week: number,
  owner: string,
  choice: OwnerChoice,
  dueAt: string,
): LinkClaims {
  return {
    onboardingId,
    week,
    role: 'owner',
    recipient: owner,
    purpose: 'decision',
    choice,
    expiresAt: epochSeconds(dueAt),
  };
}

/** What a decision page shows: the question, and the choice its link makes. */
export interface DecisionPageContext {
  choice: OwnerChoice;
  planTitle: string;
  ownerName: string;
  partnerName: string;
  timeZone: string;
  week: number;
  /** Why the owner was asked, in words (the gate's or the due diligence's reason). */
  reason: string;
  /** What the question is about: "after week 3", or "before the kickoff" (week 0, due diligence). */
  about: string;
  /** What happens without a decision by the deadline, and what did happen once it passed. */
  byDefault: { will: string; did: string };
  request: DecisionRequest;
  /** The choices this question offers (the due diligence's has no stage to extend). */
  effects: Partial<ReturnType<typeof choiceEffects>>;
}

/** The question as its pages and replies tell it, without a choice: what was asked, why, and its state. */
export type DecisionQuestion = Omit<DecisionPageContext, 'choice'>;

/** What a page or a reply needs to find a question: read together by the handler. */
export interface QuestionFound {
  onboarding: Onboarding | undefined;
  week: WeekRecord | undefined;
  request: DecisionRequest | undefined;
  /** The due diligence's verdict, for the question of week 0 (before the kickoff). */
  verdict?: DueDiligenceVerdict | undefined;
}

/**
 * Why a question takes no decision now, or not this one:
 * - `not-found`: no such question (or no onboarding);
 * - `not-offered`: a choice the question does not offer (extend, before the kickoff), or none at all;
 * - `settled`: decided already (the first decision wins), or closed at the deadline without one;
 * - `too-late`: its deadline has passed, and the workflow's default is about to apply;
 * - `ended`: the onboarding ended (cancelled, aborted…) while the question was open.
 */
export type DecisionRefusal =
  | { reason: 'not-found' }
  | { reason: 'not-offered' }
  | { reason: 'settled'; question: DecisionQuestion }
  | { reason: 'too-late'; question: DecisionQuestion }
  | { reason: 'ended'; question: DecisionQuestion; status: Onboarding['status'] };

/**
 * Whether the question about `week` still takes a decision: the question if so, otherwise why
 * not. With `now`, a question past its deadline is refused too (a link cannot get there: it
 * expires at the deadline; a reply can).
 */
export function openQuestion(
  found: QuestionFound,
  week: number,
  now?: Date,
): { ok: true; question: DecisionQuestion } | { ok: false; refusal: DecisionRefusal } {
  const { onboarding, request, verdict } = found;
  const asked = onboarding && questionOf(onboarding.plan, week, found.week, verdict);
  if (!onboarding || !request || !asked) return { ok: false, refusal: { reason: 'not-found' } };
  const { plan } = onboarding;
  const question: DecisionQuestion = {
    planTitle: plan.title,
    ownerName: plan.owner.name,
    partnerName: plan.partner.name,
    timeZone: plan.owner.timeZone,
    week: request.week,
    ...asked,
    request,
  };
  if (request.state !== 'waiting') return { ok: false, refusal: { reason: 'settled', question } };
  if (ENDED_STATUSES.has(onboarding.status)) {
    return { ok: false, refusal: { reason: 'ended', question, status: onboarding.status } };
  }
  if (now && now.getTime() >= Date.parse(request.dueAt)) {
    return { ok: false, refusal: { reason: 'too-late', question } };
  }
  return { ok: true, question };
}

/** Whether `choice` is one the question offers. */
export function offersChoice(
  question: Pick<DecisionQuestion, 'effects'>,
  choice: unknown,
): choice is OwnerChoice {
  return isOwnerChoice(choice) && question.effects[choice] !== undefined;
}

/**
 * Whether the link's question still takes a decision: the context if so, otherwise the page to
 * show (not found, ended, already decided, or decided by default at the deadline).
 */
export function openDecision(
  found: QuestionFound,
  claims: LinkClaims,
): { ok: true; context: DecisionPageContext } | { ok: false; page: Page } {
  if (!isOwnerChoice(claims.choice))
    return { ok: false, page: linkProblemPage({ ok: false, reason: 'malformed' }) };
  const open = openQuestion(found, claims.week);
  const question = questionIn(open);
  if (question && !offersChoice(question, claims.choice)) {
    return { ok: false, page: decisionRefusedPage({ reason: 'not-offered' }, claims.choice) };
  }
  if (!open.ok) return { ok: false, page: decisionRefusedPage(open.refusal, claims.choice) };
  return { ok: true, context: { ...open.question, choice: claims.choice } };
}

/** The question an opening found, open or not (undefined: none found). */
export function questionIn(open: ReturnType<typeof openQuestion>): DecisionQuestion | undefined {
  if (open.ok) return open.question;
  return 'question' in open.refusal ? open.refusal.question : undefined;
}

/** The page for a link whose choice was refused (see DecisionRefusal). */
export function decisionRefusedPage(refusal: DecisionRefusal, choice: OwnerChoice): Page {
  switch (refusal.reason) {
    case 'not-found':
      return notFoundPage();
    case 'not-offered':
      return linkProblemPage({ ok: false, reason: 'malformed' });
    case 'ended':
      return onboardingEndedPage(refusal.question.planTitle);
    case 'settled':
    case 'too-late':
      return settledPage({ ...refusal.question, choice }, refusal.question.request);
  }
}

/** The weekly gate's question about `week`, or the due diligence's before the kickoff (week 0). */
function questionOf(
  plan: Onboarding['plan'],
  weekNumber: number,
  week: WeekRecord | undefined,
  verdict: DueDiligenceVerdict | undefined,
): Pick<DecisionPageContext, 'reason' | 'about' | 'byDefault' | 'effects'> | undefined {
  if (weekNumber === 0) {
    if (verdict?.outcome !== 'ask-owner') return undefined;
    return {
      reason: `the due diligence of “${plan.title}” asked for your decision before the kickoff: ${verdict.reason}`,
      about: 'before the kickoff',
      byDefault: { will: 'the onboarding does not start', did: 'the onboarding did not start' },
      effects: dueDiligenceChoiceEffects(plan),
    };
  }
  const decision = week?.decision;
  if (decision?.outcome !== 'escalate') return undefined;
  return {
    reason: `the weekly check of “${plan.title}” asked for your decision at the end of week ${weekNumber}: ${decision.reason}`,
    about: `after week ${weekNumber}`,
    byDefault: { will: 'the stage holds one more week', did: 'the stage held one more week' },
    effects: choiceEffects(plan, decision),
  };
}

/** The GET: the choice, what it does, and a button to confirm it. Nothing is recorded yet. */
export function decisionConfirmPage(context: DecisionPageContext): Page {
  const { label, effect } = effectOf(context, context.choice);
  const e = escapeHtml;
  const about = context.about.charAt(0).toUpperCase() + context.about.slice(1);
  return {
    status: 200,
    title: `${about}: ${label}?`,
    body: [
      paragraph(`Hello ${context.ownerName},`),
      paragraph(`${context.reason}.`),
      `<p><strong>${e(label)}</strong>: ${e(effect)}</p>`,
      paragraph(
        `Nothing happens until you confirm. Meant another choice? Use its link in the email instead. ` +
          `Without a decision by ${formatDateTime(context.request.dueAt, context.timeZone)}, ${context.byDefault.will}.`,
      ),
      `<form method="post"><input type="hidden" name="choice" value="${e(context.choice)}">` +
        `<p><button type="submit">Confirm: ${e(label)}</button></p></form>`,
    ].join('\n'),
  };
}

/** The POST that decided: what was recorded and what happens now. */
export function decisionRecordedPage(context: DecisionPageContext, request: DecisionRequest): Page {
  const { label, effect } = effectOf(context, context.choice);
  return {
    status: 200,
    title: `Decided: ${label}`,
    body: [
      paragraph(
        `Your decision ${context.about} of “${context.planTitle}” is recorded (${formatDateTime(request.decidedAt ?? request.askedAt, context.timeZone)}).`,
      ),
      paragraph(effect),
      paragraph('A decision is final: the other links of the email now show this one.'),
    ].join('\n'),
  };
}

/**
 * A question decided already (this link or another of the email, the first decision wins), or
 * closed at the deadline with no decision: what happened, and that this click changed nothing.
 */
export function settledPage(context: Omit<DecisionPageContext, 'request'>, request: DecisionRequest): Page {
  const when = (instant: string | undefined) => formatDateTime(instant ?? request.dueAt, context.timeZone);
  if (request.state === 'decided' && request.choice) {
    const { label, effect } = effectOf(context, request.choice);
    const same = request.choice === context.choice;
    return {
      status: same ? 200 : 409,
      title: `Already decided: ${label}`,
      body: [
        paragraph(
          `The decision ${context.about} of “${context.planTitle}” was made on ${when(request.decidedAt)}${request.decidedBy ? ` by ${request.decidedBy}` : ''}: ${label}.`,
        ),
        paragraph(effect),
        paragraph(same ? 'Nothing more to do.' : 'The first decision stands; this link changed nothing.'),
      ].join('\n'),
    };
  }
  return {
    status: 410,
    title: 'The time to decide has passed',
    body: [
      paragraph(
        `No decision ${context.about} of “${context.planTitle}” came by ${when(request.dueAt)}, so ${context.byDefault.did}, as the email said it would.`,
      ),
      paragraph('Nothing was recorded. If a later week asks you again, its email brings new links.'),
    ].join('\n'),
  };
}

/** A choice's label and effect; a question offers only its own choices (openDecision checks). */
function effectOf(
  context: Pick<DecisionPageContext, 'effects'>,
  choice: OwnerChoice,
): { label: string; effect: string } {
  const effect = context.effects[choice];
  if (!effect) throw new Error(`The question offers no choice "${choice}"`);
  return effect;
}
