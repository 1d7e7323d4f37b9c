import { dueDiligenceSettings, isIndependent, partnerDomains } from './due-diligence.ts';
import type { PlanIssue } from './errors.ts';
import type { ParsedPlan, Plan } from './plan.ts';

/**
 * What the schema cannot say about a plan's references: each is asked once (no address twice),
 * and none is one of the two sides (the owner vouching for the partner, or the partner for
 * itself, is no reference).
 */
export function referenceIssues(
  plan: Pick<ParsedPlan, 'references'> & { owner: { email: string }; partner: { emails: string[] } },
): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const seen = new Map<string, number>();
  const partnerAddresses = new Set(plan.partner.emails.map((e) => e.toLowerCase()));
  plan.references.forEach((reference, i) => {
    const address = reference.email.toLowerCase();
    const path = `references[${i}].email`;
    const first = seen.get(address);
    if (first !== undefined) {
      issues.push({
        path,
        message: `${reference.email} is listed twice (also references[${first}]); ask each reference once`,
      });
      return;
    }
    seen.set(address, i);
    if (address === plan.owner.email.toLowerCase()) {
      issues.push({
        path,
        message: "is the owner's own address; a reference is someone else who has worked with the partner",
      });
    } else if (partnerAddresses.has(address)) {
      issues.push({
        path,
        message:
          "is one of the partner's own addresses (partner.emails); a reference is another client of the partner",
      });
    }
  });
  return issues;
}

/** What the schema cannot say about the due diligence's settings: the reminder comes before the deadline. */
export function dueDiligenceIssues(plan: Pick<ParsedPlan, 'dueDiligence'>): PlanIssue[] {
  const settings = dueDiligenceSettings(plan);
  if (!plan.dueDiligence || settings.reminderAfterDays < settings.answerDays) return [];
  return [
    {
      path: 'dueDiligence.reminderAfterDays',
      message: `${settings.reminderAfterDays} is not before the deadline (dueDiligence.answerDays, ${settings.answerDays}); the reminder must leave time to answer`,
    },
  ];
}

/**
 * What the owner should know before starting: with fewer independent references (not at the
 * partner's own domain) than answers needed, the owner will be asked before the kickoff in any
 * case. A single reference at the partner's domain is no warning: it is asked, and flagged in the
 * owner's email and the timeline.
 */
export function referenceWarnings(plan: Plan): PlanIssue[] {
  if (plan.references.length === 0) return [];
  const independent = plan.references.filter((r) => isIndependent(r.email, plan)).length;
  const { minIndependentAnswers } = dueDiligenceSettings(plan);
  if (independent >= minIndependentAnswers) return [];
  const own = partnerDomains(plan).join(', ');
  return [
    {
      path: 'references',
      message: `${independent} independent reference${independent === 1 ? '' : 's'} listed (those at the partner's own domain, ${own || 'none'}, do not count), ${minIndependentAnswers} answers needed (dueDiligence.minIndependentAnswers): the owner will be asked to decide before the kickoff`,
    },
  ];
}
