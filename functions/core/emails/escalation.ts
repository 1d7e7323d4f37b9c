import type { GateDecision } from '../gate.ts';
import type { Plan } from '../plan.ts';
import { renderBlocks } from './blocks.ts';
import { type EmailMessage, ownerOf } from './message.ts';

/** The gate asks the owner: what went wrong, and what happens until they act. */
export function escalationEmail(plan: Plan, week: number, decision: GateDecision): EmailMessage {
  const owner = ownerOf(plan);
  const subject = `Your attention, week ${week}: ${plan.title}`;
  return {
    kind: 'escalation',
    week,
    role: 'owner',
    to: owner.to,
    subject,
    ...renderBlocks(subject, [
      { type: 'paragraph', text: `Hello ${owner.name},` },
      {
        type: 'paragraph',
        text: `the onboarding of ${plan.partner.name} needs you. At the end of week ${week} the weekly check: ${decision.reason}.`,
      },
      {
        type: 'paragraph',
        text:
          'Until things improve, nothing new is handed over: next week carries on with the work already released. ' +
          `Talk to ${plan.partner.name}, and answer next week's check-in.`,
      },
    ]),
  };
}
