import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EmailMessage } from '#core/emails/message';
import { callAws } from './aws-errors.ts';
import type { Clock } from './clock.ts';
import type { SesMailer } from './mailer.ts';

/** What the table keeps of the reply to one inbound message: no address, no plan text. */
export interface InboundReplyRecord {
  /** `sending` while claimed, `retry` after a failed send, `sent` once SES took it. */
  state: 'sending' | 'retry' | 'sent';
  /**
   * A plan started or refused; a reply to a check-in recorded as feedback, or not; a reply to the
   * owner's question recorded as their decision, or not.
   */
  outcome:
    | 'started'
    | 'refused'
    | 'feedback-recorded'
    | 'feedback-not-recorded'
    | 'decision-recorded'
    | 'decision-not-recorded';
  /** The onboarding the message started (or found started). */
  onboardingId?: string;
  subject: string;
  claimedAt: string;
  /** SES's message id of the reply. */
  messageId?: string;
  sentAt?: string;
}

/** One item per inbound message, by the digest of its Message-ID; sorts apart from every ONB# item. */
const key = (messageKey: string) => ({ pk: `INBOUND#${messageKey}`, sk: 'REPLY' });

/**
 * Replies to an inbound message at most once, however often it is delivered or its function is
 * retried: the same claim-send-record steps as EmailOutbox, on an item keyed by the message's
 * Message-ID rather than by an onboarding, since a refused plan has no onboarding to hang it on.
 * A failed send reopens the claim so the retry sends it; a crash between sending and recording
 * leaves it claimed, and nothing is resent.
 */
export class InboundReplies {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly mailer: SesMailer,
    private readonly clock: Clock,
  ) {}

  /** Sends the reply unless this message was answered (or is being answered) already; true if sent now. */
  async sendOnce(
    messageKey: string,
    reply: EmailMessage,
    facts: Pick<InboundReplyRecord, 'outcome' | 'onboardingId'>,
  ): Promise<boolean> {
    const claimedAt = this.clock.now().toISOString();
    const claim: InboundReplyRecord = { state: 'sending', subject: reply.subject, claimedAt, ...facts };
    try {
      await callAws(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...key(messageKey), ...claim },
            ConditionExpression: 'attribute_not_exists(pk) OR #state = :retry',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':retry': 'retry' },
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }

    let messageId: string;
    try {
      messageId = await this.mailer.send(reply);
    } catch (error) {
      await this.update(messageKey, { state: 'retry' });
      throw error;
    }
    await this.update(messageKey, { state: 'sent', messageId, sentAt: this.clock.now().toISOString() });
    return true;
  }

  /** The reply recorded for a message, if any. */
  async find(messageKey: string): Promise<InboundReplyRecord | undefined> {
    const { Item } = await callAws(() =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: key(messageKey), ConsistentRead: true })),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...record } = Item;
    return record as InboundReplyRecord;
  }

  private async update(messageKey: string, fields: Partial<InboundReplyRecord>): Promise<void> {
    const entries = Object.entries(fields);
    await callAws(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(messageKey),
          UpdateExpression: `SET ${entries.map(([k]) => `#${k} = :${k}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(entries.map(([k]) => [`#${k}`, k])),
          ExpressionAttributeValues: Object.fromEntries(entries.map(([k, v]) => [`:${k}`, v])),
        }),
      ),
    );
  }
}
