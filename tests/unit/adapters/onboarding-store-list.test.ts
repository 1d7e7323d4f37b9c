import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { OnboardingStore } from '#adapters/onboarding-store';
import { TransientError } from '#core/errors';
import type { Onboarding } from '#core/onboarding';
import { onboardingFixture, onboardingItem, TABLE } from './fixtures.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new OnboardingStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  TABLE,
);

/** An onboarding item as the status index gives it back under the listing's projection. */
function listedItem(onboarding: Onboarding, options: { withTitle?: boolean } = {}): Record<string, unknown> {
  return {
    pk: `ONB#${onboarding.id}`,
    sk: 'ONBOARDING',
    id: onboarding.id,
    ...(options.withTitle === false ? {} : { title: onboarding.plan.title }),
    status: onboarding.status,
    createdAt: onboarding.createdAt,
    updatedAt: onboarding.updatedAt,
  };
}

const newest = onboardingFixture({ id: 'newest', createdAt: '2026-12-03T08:00:00.000Z' });
const middle = onboardingFixture({ id: 'middle', createdAt: '2026-12-02T08:00:00.000Z' });
const oldest = onboardingFixture({ id: 'oldest', createdAt: '2026-12-01T08:00:00.000Z' });
const listingOf = (onboarding: Onboarding) => ({
  id: onboarding.id,
  title: onboarding.plan.title,
  status: onboarding.status,
  createdAt: onboarding.createdAt,
  updatedAt: onboarding.updatedAt,
});

beforeEach(() => {
  ddb.reset();
});

describe('OnboardingStore.createOnboarding, for listings', () => {
  it('keeps the title beside the plan, so a listing reads it without the plan', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    const onboarding = onboardingFixture();

    // Act
    await store.createOnboarding(onboarding);

    // Assess
    expect(ddb).toReceiveCommandWith(PutCommand, {
      Item: expect.objectContaining({ title: onboarding.plan.title, plan: JSON.stringify(onboarding.plan) }),
    });
  });

  it('reads the onboarding back as it was, the title in its plan only', async () => {
    // Prepare
    const onboarding = onboardingFixture();
    ddb.on(GetCommand).resolves({ Item: { ...onboardingItem(onboarding), title: onboarding.plan.title } });

    // Act
    const found = await store.findOnboarding(onboarding.id);

    // Assess
    expect(found).toEqual(onboarding);
  });
});

describe('OnboardingStore.listOnboardings', () => {
  it('reads one page with one Query on the status index, newest first, without the plan', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [listedItem(newest), listedItem(middle)] });

    // Act
    const page = await store.listOnboardings('active', { limit: 25 });

    // Assess
    expect(page).toEqual({ onboardings: [listingOf(newest), listingOf(middle)] });
    expect(ddb).toReceiveCommandTimes(QueryCommand, 1);
    expect(ddb).toReceiveCommandExactlyOnceWith(QueryCommand, {
      TableName: TABLE,
      IndexName: 'byStatus',
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeValues: { ':status': 'active' },
      ScanIndexForward: false,
      // One more than shown: whether another page has anything is known without reading it.
      Limit: 26,
      ProjectionExpression: '#pk, #sk, #id, #title, #status, #createdAt, #updatedAt',
      ExpressionAttributeNames: {
        '#pk': 'pk',
        '#sk': 'sk',
        '#id': 'id',
        '#title': 'title',
        '#status': 'status',
        '#createdAt': 'createdAt',
        '#updatedAt': 'updatedAt',
      },
    });
    const [query] = ddb.commandCalls(QueryCommand);
    expect(query!.args[0].input.ExclusiveStartKey).toBeUndefined();
    expect(Object.values(query!.args[0].input.ExpressionAttributeNames ?? {})).not.toContain('plan');
    expect(ddb).not.toReceiveCommand(BatchGetCommand);
  });

  it('goes on after the given position: the full index key of that onboarding under this status', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [listedItem(oldest)] });

    // Act
    const page = await store.listOnboardings('cancelled', {
      limit: 2,
      startKey: { onboardingId: 'middle', createdAt: middle.createdAt },
    });

    // Assess
    expect(page.next).toBeUndefined();
    expect(ddb).toReceiveCommandWith(QueryCommand, {
      IndexName: 'byStatus',
      ExpressionAttributeValues: { ':status': 'cancelled' },
      Limit: 3,
      ExclusiveStartKey: {
        pk: 'ONB#middle',
        sk: 'ONBOARDING',
        status: 'cancelled',
        createdAt: middle.createdAt,
      },
    });
  });

  it('shows at most limit onboardings and says where the next page starts: after the last one shown', async () => {
    // Prepare
    const items = [listedItem(newest), listedItem(middle), listedItem(oldest)];
    ddb.on(QueryCommand).resolves({ Items: items, LastEvaluatedKey: { pk: 'ONB#oldest' } });

    // Act
    const page = await store.listOnboardings('active', { limit: 2 });

    // Assess
    expect(page).toEqual({
      onboardings: [listingOf(newest), listingOf(middle)],
      next: { onboardingId: 'middle', createdAt: middle.createdAt },
    });
  });

  it('has no next page when the Query found no more than limit', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [listedItem(newest), listedItem(middle)] });

    // Act
    const page = await store.listOnboardings('active', { limit: 2 });

    // Assess
    expect(page.next).toBeUndefined();
  });

  it("goes on from DynamoDB's own key when a read stopped short of limit (1 MB)", async () => {
    // Prepare
    const lastKey = { pk: 'ONB#newest', sk: 'ONBOARDING', status: 'active', createdAt: newest.createdAt };
    ddb.on(QueryCommand).resolves({ Items: [listedItem(newest)], LastEvaluatedKey: lastKey });

    // Act
    const page = await store.listOnboardings('active', { limit: 25 });

    // Assess
    expect(page.next).toEqual({ onboardingId: 'newest', createdAt: newest.createdAt });
  });

  it('reads the title of an onboarding stored before titles were kept from its plan, with one BatchGet', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [listedItem(newest), listedItem(middle, { withTitle: false })] });
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        [TABLE]: [{ id: 'middle', plan: JSON.stringify({ ...middle.plan, title: 'Older plan' }) }],
      },
    });

    // Act
    const page = await store.listOnboardings('active', { limit: 25 });

    // Assess
    expect(page.onboardings.map((o) => o.title)).toEqual([newest.plan.title, 'Older plan']);
    expect(ddb).toReceiveCommandExactlyOnceWith(BatchGetCommand, {
      RequestItems: {
        [TABLE]: {
          Keys: [{ pk: 'ONB#middle', sk: 'ONBOARDING' }],
          ProjectionExpression: '#id, #plan',
          ExpressionAttributeNames: { '#id': 'id', '#plan': 'plan' },
        },
      },
    });
  });

  it('asks again for plans a BatchGet left unprocessed, and gives up as TransientError', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [listedItem(middle, { withTitle: false })] });
    ddb.on(BatchGetCommand).resolves({
      UnprocessedKeys: { [TABLE]: { Keys: [{ pk: 'ONB#middle', sk: 'ONBOARDING' }] } },
    });

    // Act
    const listing = store.listOnboardings('active', { limit: 25 });

    // Assess
    await expect(listing).rejects.toBeInstanceOf(TransientError);
    expect(ddb).toReceiveCommandTimes(BatchGetCommand, 4);
  });
});
