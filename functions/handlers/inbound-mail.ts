import { rawMailStoreFromEnvironment } from '#adapters/from-environment';
import { receiveMail } from './receive-mail.ts';
import { logger } from './shared/logger.ts';

/** Built once per function instance, at cold start. */
const rawMail = await rawMailStoreFromEnvironment(process.env);

/**
 * The SES receipt rule's Lambda action (asynchronous invocation): a plan emailed to the inbound
 * address, whose raw message the rule's S3 action stored before. An error is thrown on (Lambda
 * retries the event twice); a message that is dropped or refused is not an error.
 */
export const handler = async (event: unknown): Promise<void> => {
  try {
    await receiveMail(event, rawMail);
  } catch (error) {
    // The name and the stack's first line only: a parser's or AWS's message could quote the mail.
    logger.error('inbound mail failed', {
      errorName: error instanceof Error ? error.name : typeof error,
      errorAt: error instanceof Error ? error.stack?.split('\n')[1]?.trim() : undefined,
    });
    throw error;
  }
};
