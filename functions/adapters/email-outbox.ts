import type { EmailMessage } from '#core/emails/message';
import type { EmailRecord } from '#core/onboarding';
import type { Clock } from './clock.ts';
import type { SesMailer } from './mailer.ts';
import type { OnboardingStore } from './onboarding-store.ts';

/**
 * Sends a step's emails (one kind, one week) at most once, however often the step is retried:
 * claim the batch in the table, send, record each email with SES's message id in one write. A
 * failed send records what did go out and reopens the claim, so the retry sends only the rest. A
 * crash between sending and recording leaves the claim taken, and nothing is resent: a missing
 * email is better than a duplicate one in someone's inbox.
 */
export class EmailOutbox {
  constructor(
    private readonly store: OnboardingStore,
    private readonly mailer: SesMailer,
    private readonly clock: Clock,
  ) {}

  /** Sends the messages not sent before; returns how many were sent now. */
  async sendOnce(onboardingId: string, messages: readonly EmailMessage[]): Promise<number> {
    const [first] = messages;
    if (!first) return 0;
    const { kind, week } = first;
    if (messages.some((m) => m.kind !== kind || m.week !== week)) {
      throw new Error('One batch of emails is one kind for one week');
    }
    const claimedAt = this.clock.now().toISOString();
    const alreadySent = await this.store.claimSending(onboardingId, kind, week, claimedAt);
    if (!alreadySent) return 0;

    // Sent side by side, as nobody waits on another's email: a batch is a few messages (a
    // check-in's two sides, a handful of references), far below SES's sending rate.
    const outcomes = await Promise.allSettled(
      messages
        .filter((m) => !alreadySent.includes(m.role))
        .map(async ({ role, to, subject, ...message }): Promise<EmailRecord> => {
          const messageId = await this.mailer.send({ role, to, subject, ...message });
          return { kind, week, role, to, subject, messageId, sentAt: this.clock.now().toISOString() };
        }),
    );
    const sent = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const failed = outcomes.find((o) => o.status === 'rejected');
    await this.store.recordSent(
      onboardingId,
      { kind, week, claimedAt, alreadySent, complete: failed === undefined },
      sent,
    );
    if (failed) throw failed.reason;
    return sent.length;
  }
}
