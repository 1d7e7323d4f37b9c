import escapeHtml from 'escape-html';
import { formatDateTime } from '../calendar.ts';
import type { GateDecision } from '../gate.ts';
import { epochSeconds, type LinkClaims } from '../link-token.ts';
import type { Onboarding, WeekRecord } from '../onboarding.ts';
import { choiceEffects, type DecisionRequest, isOwnerChoice, type OwnerChoice } from '../owner-decision.ts';
import { type Page, paragraph } from './layout.ts';
import { linkProblemPage, notFoundPage, onboardingEndedPage } from './notices.ts';

/**
 * The pages behind the three links of an escalation email (continue, extend this stage, abort):
 * the GET shows the choice and a button to confirm it, and changes nothing; the form's POST
 * records the decision, once. The link carries the action (onboarding and week) and the choice,
 * signed; never the workflow's task token.
 */

/** Statuses in which an onboarding takes no decision any more. */
const ENDED: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled', 'aborted']);

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
  decision: GateDecision;
  request: DecisionRequest;
  effects: ReturnType<typeof choiceEffects>;
}

/**
 * Whether the link's question still takes a decision: the context if so, otherwise the page to
 * show (not found, ended, already decided, or decided by default at the deadline).
 */
export function openDecision(
  found: {
    onboarding: Onboarding | undefined;
    week: WeekRecord | undefined;
    request: DecisionRequest | undefined;
  },
  claims: LinkClaims,
): { ok: true; context: DecisionPageContext } | { ok: false; page: Page } {
  if (!isOwnerChoice(claims.choice))
    return { ok: false, page: linkProblemPage({ ok: false, reason: 'malformed' }) };
  const { onboarding, week, request } = found;
  const decision = week?.decision;
  if (!onboarding || !request || !decision || decision.outcome !== 'escalate') {
    return { ok: false, page: notFoundPage() };
  }
  const { plan } = onboarding;
  const context: DecisionPageContext = {
    choice: claims.choice,
    planTitle: plan.title,
    ownerName: plan.owner.name,
    partnerName: plan.partner.name,
    timeZone: plan.owner.timeZone,
    week: request.week,
    decision,
    request,
    effects: choiceEffects(plan, decision),
  };
  if (request.state !== 'waiting') return { ok: false, page: settledPage(context, request) };
  if (ENDED.has(onboarding.status)) return { ok: false, page: onboardingEndedPage(plan.title) };
  return { ok: true, context };
}

/** The GET: the choice, what it does, and a button to confirm it. Nothing is recorded yet. */
export function decisionConfirmPage(context: DecisionPageContext): Page {
  const { label, effect } = context.effects[context.choice];
  const e = escapeHtml;
  return {
    status: 200,
    title: `After week ${context.week}: ${label}?`,
    body: [
      paragraph(`Hello ${context.ownerName},`),
      paragraph(
        `the weekly check of “${context.planTitle}” asked for your decision at the end of week ${context.week}: ${context.decision.reason}.`,
      ),
      `<p><strong>${e(label)}</strong>: ${e(effect)}</p>`,
      paragraph(
        `Nothing happens until you confirm. Meant another choice? Use its link in the email instead. ` +
          `Without a decision by ${formatDateTime(context.request.dueAt, context.timeZone)}, the stage holds one more week.`,
      ),
      `<form method="post"><input type="hidden" name="choice" value="${e(context.choice)}">` +
        `<p><button type="submit">Confirm: ${e(label)}</button></p></form>`,
    ].join('\n'),
  };
}

/** The POST that decided: what was recorded and what happens now. */
export function decisionRecordedPage(context: DecisionPageContext, request: DecisionRequest): Page {
  const { label, effect } = context.effects[context.choice];
  return {
    status: 200,
    title: `Decided: ${label}`,
    body: [
      paragraph(
        `Your decision after week ${context.week} of “${context.planTitle}” is recorded (${formatDateTime(request.decidedAt ?? request.askedAt, context.timeZone)}).`,
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
    const { label, effect } = context.effects[request.choice];
    const same = request.choice === context.choice;
    return {
      status: same ? 200 : 409,
      title: `Already decided: ${label}`,
      body: [
        paragraph(
          `The decision after week ${context.week} of “${context.planTitle}” was made on ${when(request.decidedAt)}${request.decidedBy ? ` by ${request.decidedBy}` : ''}: ${label}.`,
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
        `No decision about week ${context.week} of “${context.planTitle}” came by ${when(request.dueAt)}, so the stage held one more week, as the email said it would.`,
      ),
      paragraph('Nothing was recorded. If a later week asks you again, its email brings new links.'),
    ].join('\n'),
  };
}
