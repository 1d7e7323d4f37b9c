import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { OnboardingStore } from '#adapters/onboarding-store';
import { createTableRequest, tableDefinition } from '#adapters/table-definition';

const [byStatus] = tableDefinition.globalSecondaryIndexes;
/** What a Query on the index can give back: the table's keys, the index's keys, and the projected attributes. */
const projected: string[] = [
  tableDefinition.partitionKey.name,
  tableDefinition.sortKey.name,
  byStatus.partitionKey.name,
  byStatus.sortKey.name,
  ...byStatus.nonKeyAttributes,
];

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => ddb.reset());

/** The Query `OnboardingStore.listOnboardings` sends for a page of active onboardings. */
async function listingQuery(): Promise<QueryCommandInput> {
  ddb.on(QueryCommand).resolves({ Items: [] });
  const store = new OnboardingStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    'onboardings',
  );
  await store.listOnboardings('active', { limit: 25 });
  const [call] = ddb.commandCalls(QueryCommand);
  return call!.args[0].input;
}

describe('the byStatus index', () => {
  it('projects only the keys and the attributes the listing reads (INCLUDE), never the plan', () => {
    const [index] = createTableRequest('t').GlobalSecondaryIndexes;
    expect(index).toMatchObject({
      IndexName: 'byStatus',
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...byStatus.nonKeyAttributes] },
    });
    expect(byStatus.nonKeyAttributes).not.toContain('plan');
  });

  it("holds every attribute of the listing's ProjectionExpression", async () => {
    const { IndexName, ProjectionExpression = '', ExpressionAttributeNames = {} } = await listingQuery();
    const read = ProjectionExpression.split(',').map((name) => {
      const trimmed = name.trim();
      return ExpressionAttributeNames[trimmed] ?? trimmed;
    });

    expect(IndexName).toBe(byStatus.indexName);
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((attribute) => !projected.includes(attribute))).toEqual([]);
  });

  it('projects no attribute the listing does not read', async () => {
    const { ProjectionExpression = '', ExpressionAttributeNames = {} } = await listingQuery();
    const read = new Set(
      ProjectionExpression.split(',').map((name) => ExpressionAttributeNames[name.trim()] ?? name.trim()),
    );
    expect(byStatus.nonKeyAttributes.filter((attribute) => !read.has(attribute))).toEqual([]);
  });
});
