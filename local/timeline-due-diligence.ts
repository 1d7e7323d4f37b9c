import { formatDateTime } from '#core/calendar';
import {
  type DueDiligenceVerdict,
  isIndependent,
  REFERENCE_QUESTIONS,
  type ReferenceAnswer,
} from '#core/due-diligence';
import type { EmailRecord } from '#core/onboarding';
import { CHOICE_LABELS } from '#core/owner-decision';
import type { Plan } from '#core/plan';
import { decidedVia } from './timeline-words.ts';

/** What the due diligence wrote: the references' answers and the verdict (absent until scored). */
export interface DueDiligenceRecord {
  answers: ReferenceAnswer[];
  verdict?: DueDiligenceVerdict | undefined;
}

/**
 * The due diligence before the kickoff, for the timeline: who was asked (flagged references
 * marked), who was reminded, each answer, the verdict, and what the owner decided when asked.
 */
export function dueDiligenceLines(
  plan: Plan,
  emails: readonly EmailRecord[],
  record: DueDiligenceRecord,
  mail: (list: EmailRecord[]) => string[],
): string[] {
  if (plan.references.length === 0) return [];
  const tz = plan.owner.timeZone;
  const of = (kind: EmailRecord['kind']) => emails.filter((e) => e.kind === kind && e.week === 0);
  const asked = of('reference');
  const out = [`Due diligence${asked[0] ? `   ${formatDateTime(asked[0].sentAt, tz)}` : ''}`];
  plan.references.forEach((reference, i) => {
    const flag = isIndependent(reference.email, plan) ? '' : "  ⚑ partner's own domain: not counted";
    out.push(
      `      reference ${i + 1}: ${reference.name}${reference.company ? ` (${reference.company})` : ''}${flag}`,
    );
  });
  out.push(...mail(asked));
  const reminded = of('reference-reminder');
  if (reminded[0]) out.push(`      reminded ${formatDateTime(reminded[0].sentAt, tz)}`, ...mail(reminded));
  for (const answer of [...record.answers].sort((a, b) => a.at.localeCompare(b.at))) {
    const scores = REFERENCE_QUESTIONS.map((q) => `${q} ${answer.scores[q]}`).join(', ');
    out.push(
      `      reference ${answer.reference} answered ${formatDateTime(answer.at, tz)}: ${scores}` +
        `${answer.independent ? '' : ' (flagged)'}${answer.comment ? ` "${answer.comment}"` : ''}`,
    );
  }
  const { verdict } = record;
  if (!verdict) return [...out, '      not scored yet'];
  out.push(
    `      verdict ${formatDateTime(verdict.decidedAt, tz)}: ${verdict.outcome === 'pass' ? 'pass' : 'ask the owner'}: ${verdict.reason}`,
  );
  const question = of('escalation');
  if (question[0]) out.push(`      owner asked ${formatDateTime(question[0].sentAt, tz)}`, ...mail(question));
  const owner = verdict.owner;
  if (owner) {
    out.push(
      owner.choice === 'none'
        ? `      no decision by ${formatDateTime(owner.at, tz)}: not started`
        : `      owner decided ${formatDateTime(owner.at, tz)}${decidedVia(owner)}: ${CHOICE_LABELS[owner.choice].toLowerCase()}`,
    );
  }
  out.push(...mail(of('aborted')));
  return out;
}
