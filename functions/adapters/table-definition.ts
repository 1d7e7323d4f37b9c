/**
 * The table's keys and indexes, declared once as plain data: the CDK stack builds the deployed
 * table from it and the local runtime creates the emulator's table from it, so they cannot drift.
 *
 * Single-table design: every item of an onboarding shares `pk = ONB#<id>`; the sort key says what
 * it is (`ONBOARDING`, `WEEK#03`, `EMAIL#checkin#03#owner`). Only the onboarding item carries
 * `status` and `createdAt`, so the `byStatus` index lists onboardings and nothing else.
 */
export const tableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'byStatus',
      partitionKey: { name: 'status', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
      /**
       * Besides the keys (the table's and the index's, always projected), only what
       * `OnboardingStore.listOnboardings` reads: not ALL, as the onboarding item holds the whole
       * plan (up to 350 KB), which the index would copy on every write and the listing never reads.
       */
      nonKeyAttributes: ['id', 'title', 'updatedAt'],
    },
  ],
  /**
   * Items that only matter for a while (a webhook delivery's record) carry their end, in epoch
   * seconds, here; DynamoDB deletes them some time after. Readers check it themselves: the
   * deletion can come days late, and the local emulator never deletes.
   */
  timeToLiveAttribute: 'expiration',
} as const;

type KeyAttribute = { name: string; type: 'S' };

/** The CreateTable request for the emulator: the same keys and indexes, billed on demand. */
export function createTableRequest(tableName: string) {
  const attributes = new Map<string, KeyAttribute>();
  const add = (key: KeyAttribute) => attributes.set(key.name, key);
  add(tableDefinition.partitionKey);
  add(tableDefinition.sortKey);
  for (const index of tableDefinition.globalSecondaryIndexes) {
    add(index.partitionKey);
    add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes.values()].map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    })),
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: tableDefinition.sortKey.name, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.nonKeyAttributes] },
    })),
  };
}

/**
 * Creates the table as `createTableRequest` describes it, through the SDK's own endpoint
 * configuration: the local runtime's way to make the emulator's table (the stack makes AWS's).
 */
export async function createTable(tableName: string): Promise<void> {
  const { CreateTableCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({});
  try {
    await client.send(new CreateTableCommand(createTableRequest(tableName)));
  } finally {
    client.destroy();
  }
}
