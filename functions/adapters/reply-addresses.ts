import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { callAws } from './aws-errors.ts';

/**
 * Which onboarding a reply address's reference stands for (see core/reply-address.ts): one item
 * per onboarding, `pk = REPLYTO#<ref>`, written before its first check-in goes out, read when a
 * reply arrives. It sorts apart from every ONB# item and holds only the id.
 */
const key = (ref: string) => ({ pk: `REPLYTO#${ref}`, sk: 'ONBOARDING' });

export class ReplyAddressBook {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Files `ref` under `onboardingId`; writing it again (every week, every retry) changes nothing.
   * A reference already filed under another onboarding (64 bits of HMAC colliding) is an error
   * rather than a silent takeover of the other onboarding's replies.
   */
  async remember(ref: string, onboardingId: string): Promise<void> {
    try {
      await callAws(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...key(ref), onboardingId },
            ConditionExpression: 'attribute_not_exists(pk) OR onboardingId = :id',
            ExpressionAttributeValues: { ':id': onboardingId },
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new Error(`The reply reference of onboarding "${onboardingId}" is taken by another onboarding`);
      }
      throw error;
    }
  }

  /** The onboarding a reference was filed under, if any. */
  async onboardingOf(ref: string): Promise<string | undefined> {
    const { Item } = await callAws(() =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: key(ref), ConsistentRead: true })),
    );
    return typeof Item?.onboardingId === 'string' ? Item.onboardingId : undefined;
  }
}
