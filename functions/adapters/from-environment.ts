import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clock } from './clock.ts';
import { readEmail, readString } from './config.ts';
import { EmailOutbox } from './email-outbox.ts';
import { InboundReplies } from './inbound-replies.ts';
import { SesMailer } from './mailer.ts';
import { OnboardingStore } from './onboarding-store.ts';
import type { S3RawMailStore } from './raw-mail-store.ts';
import { ReplyAddressBook } from './reply-addresses.ts';
import { WorkflowClient } from './workflow-client.ts';

/**
 * The adapters as a function builds them at cold start: SDK clients with the SDK's own endpoint
 * and credential resolution (so `AWS_ENDPOINT_URL_*` points them at the local emulators), and the
 * names they need from the environment. Each reads only its own variables, so a function is
 * configured with exactly what it uses.
 *
 * The SES and Step Functions clients cache their middleware (`cacheMiddleware`): the handler
 * chain of each command is built once per client, not at every call. The DynamoDB document
 * client cannot (lib-dynamodb refuses the option), so its calls keep building it.
 */

/** The onboarding table (TABLE_NAME). */
export function onboardingStoreFromEnvironment(env: NodeJS.ProcessEnv): OnboardingStore {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return new OnboardingStore(db, readString(env, 'TABLE_NAME'));
}

/** Sending email from the SES identity in SENDER_EMAIL, at most once per step. */
export function emailOutboxFromEnvironment(env: NodeJS.ProcessEnv, store: OnboardingStore): EmailOutbox {
  return new EmailOutbox(
    store,
    new SesMailer(new SESv2Client({ cacheMiddleware: true }), readEmail(env, 'SENDER_EMAIL')),
    clock,
  );
}

/** Starting the state machine in STATE_MACHINE_ARN. */
export function workflowClientFromEnvironment(env: NodeJS.ProcessEnv): WorkflowClient {
  return new WorkflowClient(new SFNClient({ cacheMiddleware: true }), readString(env, 'STATE_MACHINE_ARN'));
}

/**
 * The raw messages SES receiving stores in the bucket RAW_MAIL_BUCKET. Asynchronous because the
 * S3 client is imported here only when asked for: every function and the local runtime load this
 * module, and only the inbound function needs S3 (about 150 ms of import at each local boot).
 */
export async function rawMailStoreFromEnvironment(env: NodeJS.ProcessEnv): Promise<S3RawMailStore> {
  const bucket = readString(env, 'RAW_MAIL_BUCKET');
  const [{ S3Client }, { S3RawMailStore }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('./raw-mail-store.ts'),
  ]);
  return new S3RawMailStore(new S3Client({}), bucket);
}

/** Replying to inbound mail from the SES identity in SENDER_EMAIL, once per message (TABLE_NAME). */
export function inboundRepliesFromEnvironment(env: NodeJS.ProcessEnv): InboundReplies {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const mailer = new SesMailer(new SESv2Client({ cacheMiddleware: true }), readEmail(env, 'SENDER_EMAIL'));
  return new InboundReplies(db, readString(env, 'TABLE_NAME'), mailer, clock);
}

/** Which onboarding a reply address stands for (TABLE_NAME). */
export function replyAddressBookFromEnvironment(env: NodeJS.ProcessEnv): ReplyAddressBook {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return new ReplyAddressBook(db, readString(env, 'TABLE_NAME'));
}
