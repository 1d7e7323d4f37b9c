import type { EmailMessage } from '#core/emails/message';
import type { Clock } from './clock.ts';
import type { SesMailer } from './mailer.ts';
import type { OnboardingStore } from './onboarding-store.ts';

/**
 * Sends each (onboarding, kind, week, role) email at most once, however often a step is retried:
 * claim it in the table, send, record SES's message id. A failed send gives the claim back so the
 * retry sends it; a crash between send and record leaves the claim, and the email is not resent
 * (a missing email is better than a duplicate one in someone's inbox).
 */
export class EmailOutbox {
  constructor(
    private readonly store: OnboardingStore,
    private readonly mailer: SesMailer,
    private readonly clock: Clock,
  ) {}

  /** Sends the messages not sent before; returns how many were sent now. */
  async sendOnce(onboardingId: string, messages: readonly EmailMessage[]): Promise<number> {
    let sent = 0;
    for (const message of messages) {
      const claim = {
        kind: message.kind,
        week: message.week,
        role: message.role,
        to: message.to,
        subject: message.subject,
      };
      if (!(await this.store.claimEmail(onboardingId, claim, this.clock.now().toISOString()))) continue;
      let messageId: string;
      try {
        messageId = await this.mailer.send(message);
      } catch (error) {
        await this.store.releaseEmail(onboardingId, claim);
        throw error;
      }
      await this.store.completeEmail(onboardingId, claim, messageId, this.clock.now().toISOString());
      sent++;
    }
    return sent;
  }
}
