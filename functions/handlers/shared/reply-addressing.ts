import { replyAddressBookFromEnvironment } from '#adapters/from-environment';
import type { ReplyAddressBook } from '#adapters/reply-addresses';
import { type Secret, secretFromEnvironment } from '#adapters/secrets';
import type { EmailMessage } from '#core/emails/message';
import { onboardingRef, replyAddress, replyAddressProblem } from '#core/reply-address';

/**
 * Answering a check-in, or the owner's question, by replying to it: what a function needs to give
 * its emails a signed Reply-To (core/reply-address.ts), or to read one. On only where the function
 * has an inbound address (INBOUND_ADDRESS) and the link key (LINK_SECRET_ARN): a deployment
 * without receiving mail sends them without a Reply-To, and answers come through the links.
 */
export interface ReplyAddressing {
  inboundAddress: string;
  key: Secret;
  book: ReplyAddressBook;
}

/**
 * Read at cold start. Absent variables turn replying off; an inbound address that cannot carry
 * reply addresses (a local part too long for the token) fails the cold start, naming it.
 */
export function replyAddressingFromEnvironment(env: NodeJS.ProcessEnv): ReplyAddressing | undefined {
  const inboundAddress = env.INBOUND_ADDRESS?.trim();
  if (!inboundAddress || !env.LINK_SECRET_ARN?.trim()) return undefined;
  const problem = replyAddressProblem(inboundAddress);
  if (problem) throw new Error(`Environment variable INBOUND_ADDRESS: ${problem}`);
  return {
    inboundAddress,
    key: secretFromEnvironment(env, 'LINK_SECRET_ARN', 'link signing'),
    book: replyAddressBookFromEnvironment(env),
  };
}

/**
 * The week's check-in emails, each with the Reply-To of its side's answer. The onboarding's
 * reference is filed first, so no address is out before the table can resolve it.
 */
export async function withReplyAddresses(
  replying: ReplyAddressing | undefined,
  onboardingId: string,
  week: number,
  messages: EmailMessage[],
): Promise<EmailMessage[]> {
  if (!replying) return messages;
  const key = await replying.key.value();
  await replying.book.remember(onboardingRef(onboardingId, key), onboardingId);
  return messages.map((message) =>
    message.role === 'owner' || message.role === 'partner'
      ? {
          ...message,
          replyTo: [
            replyAddress(
              replying.inboundAddress,
              { onboardingId, week, purpose: 'checkin', role: message.role },
              key,
            ),
          ],
        }
      : message,
  );
}

/**
 * The owner's reply address for the question about `week` (0: the due diligence's), or undefined
 * when replies are off. Filed first, like the check-ins': no address is out before the table can
 * resolve it.
 */
export async function decisionReplyAddress(
  replying: ReplyAddressing | undefined,
  onboardingId: string,
  week: number,
): Promise<string | undefined> {
  if (!replying) return undefined;
  const key = await replying.key.value();
  await replying.book.remember(onboardingRef(onboardingId, key), onboardingId);
  return replyAddress(
    replying.inboundAddress,
    { onboardingId, week, purpose: 'decision', role: 'owner' },
    key,
  );
}
