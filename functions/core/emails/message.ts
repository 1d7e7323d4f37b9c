import type { EmailKind, Role, WeekRecord } from '../onboarding.ts';
import type { Plan, Task } from '../plan.ts';
import type { ListItem } from './blocks.ts';

/** A rendered email, ready for the mailer; `week` 0 is before the first week. */
export interface EmailMessage {
  kind: EmailKind;
  week: number;
  role: Role;
  to: string[];
  replyTo?: string[];
  subject: string;
  text: string;
  html: string;
  /** Files sent with the email (the check-in's calendar invitation). */
  attachments?: EmailAttachment[];
}

/** A file attached to an email: text content (an .ics), sent as is. */
export interface EmailAttachment {
  filename: string;
  /** The media type, e.g. `text/calendar`. */
  contentType: string;
  content: string;
}

export interface Recipient {
  role: Role;
  name: string;
  to: string[];
  timeZone: string;
}

export function ownerOf(plan: Plan): Recipient {
  return { role: 'owner', name: plan.owner.name, to: [plan.owner.email], timeZone: plan.owner.timeZone };
}

export function partnerOf(plan: Plan): Recipient {
  return {
    role: 'partner',
    name: plan.partner.name,
    to: plan.partner.emails,
    timeZone: plan.partner.timeZone,
  };
}

/**
 * The tasks handed over by the latest week: released, and not left unfinished (or not confirmed
 * done) at its gate, as the summary, the abort and the cancel emails count them.
 */
export function handedOverTaskIds(weeks: readonly WeekRecord[]): Set<string> {
  const unfinished = new Set(weeks.at(-1)?.unfinishedTaskIds ?? []);
  return new Set(weeks.flatMap((w) => w.tasks.map((t) => t.taskId)).filter((id) => !unfinished.has(id)));
}

export function quantity(value: number, unit: string): string {
  return `${value} ${value === 1 ? unit.replace(/s$/, '') : unit}`;
}

/** A task as the partner needs it: what to deliver and when it counts as done. */
export function taskItem(
  task: Pick<Task, 'title' | 'priority' | 'effort' | 'deliverable' | 'acceptanceCriteria' | 'recurring'>,
  unit: string,
): ListItem {
  return {
    title: `P${task.priority} · ${task.title} (${quantity(task.effort, unit)}${task.recurring ? ' every week' : ''})`,
    details: [`Deliverable: ${task.deliverable}`, `Accepted when: ${task.acceptanceCriteria.join('; ')}`],
  };
}
