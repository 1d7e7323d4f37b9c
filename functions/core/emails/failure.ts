import type { Plan } from '../plan.ts';
import { type Block, renderBlocks } from './blocks.ts';
import type { EmailMessage } from './message.ts';

/**
 * The workflow stopped on an error. The operator's email goes first: if the owner's address is
 * the one SES refuses (often the very reason a step failed), the operator has still been told. The owner hears it when the plan could be read; the operator
 * always does (a plan that failed to load has no owner address to write to). Only the error's name
 * is shown: causes can hold internals.
 */
export function failureEmails(input: {
  onboardingId: string;
  errorName: string;
  plan?: Plan;
  operatorEmail: string;
}): EmailMessage[] {
  const { onboardingId, errorName, plan, operatorEmail } = input;
  const title = plan?.title ?? onboardingId;
  const subject = `Stopped: ${title}`;
  const body = (name: string): Block[] => [
    { type: 'paragraph', text: `Hello ${name},` },
    {
      type: 'paragraph',
      text: `the onboarding "${title}" (id ${onboardingId}) stopped on an error: ${errorName}. No further work is released and no further emails are sent for it.`,
    },
    {
      type: 'paragraph',
      text: 'The execution of the same name in the Step Functions console shows the step that failed.',
    },
  ];
  const messages: EmailMessage[] = [
    {
      kind: 'failure',
      week: 0,
      role: 'operator',
      to: [operatorEmail],
      subject,
      ...renderBlocks(subject, body('operator')),
    },
  ];
  if (plan) {
    messages.push({
      kind: 'failure',
      week: 0,
      role: 'owner',
      to: [plan.owner.email],
      subject,
      ...renderBlocks(subject, body(plan.owner.name)),
    });
  }
  return messages;
}
