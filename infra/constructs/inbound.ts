import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda, LambdaInvocationType, S3 } from 'aws-cdk-lib/aws-ses-actions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RAW_MAIL_PREFIX } from '#adapters/raw-mail-store';
import type { InboundConfig } from '../config.ts';
import type { MailReceivingFunction } from '../edge-manifest.ts';
import { type NeedResources, OnrampFunction } from './onramp-function.ts';

/** Where SES stores each received message (`inbound/<SES message id>`), where the function reads it. */
export const rawMailPrefix = RAW_MAIL_PREFIX;

/** How long raw messages are kept; the onboarding they start lives in the table. */
const rawMailRetention = Duration.days(30);

/**
 * How long a failed event waits in the failure queue: SQS's longest, and shorter than the raw
 * mail's, so the message a failed event names is still in the bucket while it is investigated.
 */
export const failedEventRetention = Duration.days(14);

/**
 * Lambda's retries of an asynchronous event: its default, set here because the handler counts on
 * it (functions/handlers/inbound-mail.ts) and it is safe: a message received again is answered
 * once, by its Message-ID.
 */
export const asyncRetryAttempts = 2;

export interface InboundProps {
  /** The edge manifest's mail-receiving function. */
  entry: MailReceivingFunction;
  config: InboundConfig;
  /** What its needs draw on; the bucket and the inbound configuration are added here. */
  resources: NeedResources;
  logRetention: RetentionDays;
}

/**
 * Starting an onboarding by email: an SES receipt rule for the inbound address that scans the
 * message (spam and virus verdicts, SPF and DKIM for the handler to check), requires TLS, stores
 * the raw message in S3 and then invokes the inbound function, which reads it from there. An
 * event the function still fails on after Lambda's retries goes to the failure queue, where the
 * operator finds it (Monitoring alarms on it) instead of losing it.
 *
 * CloudFormation cannot make a rule set the active one: after the first deploy, run
 * `aws ses set-active-receipt-rule-set --rule-set-name <ReceiptRuleSetName output>`.
 */
export class Inbound extends Construct {
  readonly bucket: Bucket;
  readonly ruleSet: ReceiptRuleSet;
  readonly function: OnrampFunction;
  /**
   * Lambda's on-failure destination for the function: one message per event it gave up on, with
   * the SES event (message id, sender, subject) and the error.
   */
  readonly failures: Queue;

  constructor(scope: Construct, id: string, { entry, config, resources, logRetention }: InboundProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'RawMail', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: false,
      lifecycleRules: [
        { expiration: rawMailRetention, abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // CloudFormation cannot delete a bucket that still holds mail; the lifecycle rule empties a
      // retained one within 30 days, after which it can be deleted by hand.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'No server access logs: only SES writes here (bucket policy bound to this account) and only the inbound function reads, one object per message it logs by SES message id; objects expire after 30 days, and an access-log bucket would hold the same keys longer.',
    });

    this.function = new OnrampFunction(this, entry.id, {
      entry: `functions/handlers/${entry.handler}.ts`,
      logRetention,
    }).bindNeeds(entry.needs, {
      ...resources,
      rawMail: { bucket: this.bucket, prefix: rawMailPrefix },
      inbound: config,
    });

    // SES invokes the function asynchronously and keeps nothing itself: without a destination, an
    // event that fails its retries (a throttled table, SES refusing the reply) is dropped silently.
    this.failures = new Queue(this, 'Failures', {
      // SSE-SQS rather than a KMS key: Lambda writes with the function's role and the operator reads
      // with sqs:ReceiveMessage, neither needing a key grant; the same protection as the raw-mail
      // bucket (S3-managed keys), which holds everything these events name and more.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: failedEventRetention,
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the dead-letter destination: the inbound function's on-failure destination. Nothing consumes it automatically; the operator reads, replays and deletes its messages, and the alarm fires while any are waiting.",
    });
    // Also grants the function's role sqs:SendMessage on the queue, which Lambda checks when the
    // destination is created: the function, and so this configuration, depend on that policy.
    this.function.configureAsyncInvoke({
      onFailure: new SqsDestination(this.failures),
      retryAttempts: asyncRetryAttempts,
    });

    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet', {
      rules: [
        {
          recipients: [config.address],
          // Adds the spam, virus, SPF and DKIM verdicts to the event the function checks.
          scanEnabled: true,
          tlsPolicy: TlsPolicy.REQUIRE,
          // In this order: the message is stored before the function that reads it is invoked.
          actions: [
            new S3({ bucket: this.bucket, objectKeyPrefix: rawMailPrefix }),
            // Asynchronous, so SES does not wait on parsing and replying (a synchronous action
            // has 30 seconds and nothing to gain: the reply goes out by email).
            new Lambda({ function: this.function, invocationType: LambdaInvocationType.EVENT }),
          ],
        },
      ],
    });
  }
}
