import type { OnboardingStore } from '#adapters/onboarding-store';
import { QUESTION_LABELS, REFERENCE_QUESTIONS, type ReferenceScores } from '#core/due-diligence';
import type { EmailKind } from '#core/onboarding';
import type { LinkClicks } from './link-clicks.ts';
import type { Mailbox } from './mailbox.ts';

/** The Waits of the due diligence during which references answer: after the ask, after the reminder. */
export const REFERENCE_WAITS: Readonly<Record<string, 'asked' | 'reminded'>> = {
  WaitForReferenceReminder: 'asked',
  WaitForReferences: 'reminded',
};

/** What a simulated reference says about the partner, or nothing (silence). */
export type ReferenceReply = { scores: ReferenceScores; comment?: string } | undefined;

/**
 * A scenario's references: asked, each may answer; reminded, those still silent may. `reference`
 * is its place in the plan's list, from 1.
 */
export type ReferenceScript = (ask: {
  reference: number;
  phase: 'asked' | 'reminded';
}) => ReferenceReply | Promise<ReferenceReply>;

/**
 * Plays the references of an onboarding as people: each opens the email it received (the ask, or
 * the reminder), clicks its first score's one-click link (the form opens with that score chosen,
 * nothing recorded), then sends the form with all three scores and a comment, through the real
 * link handler, at the execution's time.
 */
export async function answerAsReferences(
  desk: { store: OnboardingStore; mailbox: Mailbox; links: LinkClicks },
  onboardingId: string,
  phase: 'asked' | 'reminded',
  script: ReferenceScript,
): Promise<void> {
  const kind: EmailKind = phase === 'asked' ? 'reference' : 'reference-reminder';
  const records = await desk.store.listEmails(onboardingId, { kind, week: 0 });
  if (records.length === 0) return;
  for (const record of records) {
    const reference = Number(record.role.replace('reference-', ''));
    const reply = await script({ reference, phase });
    if (!reply) continue;
    const email = await desk.mailbox.get(record.messageId);
    const first = REFERENCE_QUESTIONS[0];
    const label = `${QUESTION_LABELS[first]} ${reply.scores[first]} of 5`;
    const link = email?.body.text?.split(`${label}:\n`)[1]?.split(/\s/)[0];
    if (!link) throw new Error(`No "${label}" link in the email to reference ${reference}`);
    const page = await desk.links.click(link);
    if (page.status !== 200) throw new Error(`Reference ${reference}'s link answered ${page.status}`);
    const form: Record<string, string> = Object.fromEntries(
      REFERENCE_QUESTIONS.map((q) => [q, String(reply.scores[q])]),
    );
    if (reply.comment) form.comment = reply.comment;
    const sent = await desk.links.click(link, form);
    if (sent.status !== 200) throw new Error(`Reference ${reference}'s answer was refused (${sent.status})`);
  }
}
