import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readString } from './config.ts';
import { tableDefinition } from './table-definition.ts';

/**
 * Where Powertools Idempotency keeps the requests it has seen: the onboarding table (TABLE_NAME),
 * under one partition per use (`IDEMPOTENCY#<use>`), keyed by the request's key in the sort key.
 * Records carry their own expiry, which Powertools checks on read (DynamoDB's TTL only deletes
 * them eventually).
 */
export function idempotencyStoreFromEnvironment(
  env: NodeJS.ProcessEnv,
  use: string,
): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName: readString(env, 'TABLE_NAME'),
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    staticPkValue: `IDEMPOTENCY#${use}`,
    // Not `status`: only onboarding items carry that attribute (the byStatus index lists onboardings).
    statusAttr: 'requestStatus',
    expiryAttr: tableDefinition.timeToLiveAttribute,
    awsSdkV3Client: new DynamoDBClient({}),
  });
}
