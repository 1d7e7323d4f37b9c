import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { OnboardingStore } from '#adapters/onboarding-store';
import { conditionFailed, onboardingFixture, onboardingItem, TABLE } from './fixtures.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new OnboardingStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  TABLE,
);

const onboarding = onboardingFixture();
const id = onboarding.id;
const Key = { pk: `ONB#${id}`, sk: 'ONBOARDING' };
const AT = '2026-12-15T10:00:00.000Z';
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAd-token';

beforeEach(() => {
  ddb.reset();
});

describe('OnboardingStore.changeStatus', () => {
  it('writes the new status and its time only if the status is still the one read, and returns the result', async () => {
    // Prepare
    const paused = onboardingFixture({ status: 'paused', pausedAt: AT, updatedAt: AT });
    ddb.on(UpdateCommand).resolves({ Attributes: onboardingItem(paused) });

    // Act
    const result = await store.changeStatus(id, {
      from: 'active',
      to: 'paused',
      set: { pausedAt: AT, updatedAt: AT },
    });

    // Assess
    expect(result).toEqual(paused);
    expect(ddb).toReceiveCommandExactlyOnceWith(UpdateCommand, {
      TableName: TABLE,
      Key,
      UpdateExpression: 'SET #pausedAt = :pausedAt, #updatedAt = :updatedAt, #status = :status',
      ConditionExpression: '#status = :from',
      ExpressionAttributeNames: { '#pausedAt': 'pausedAt', '#updatedAt': 'updatedAt', '#status': 'status' },
      ExpressionAttributeValues: {
        ':pausedAt': AT,
        ':updatedAt': AT,
        ':status': 'paused',
        ':from': 'active',
      },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('drops the parked token with the change when asked (a cancel)', async () => {
    // Prepare
    ddb
      .on(UpdateCommand)
      .resolves({ Attributes: onboardingItem(onboardingFixture({ status: 'cancelled' })) });

    // Act
    await store.changeStatus(id, {
      from: 'paused',
      to: 'cancelled',
      set: { cancelledAt: AT, updatedAt: AT },
      removePauseToken: true,
    });

    // Assess
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      UpdateExpression: expect.stringMatching(/ REMOVE pauseToken$/),
    });
  });

  it('returns undefined when the status changed since it was read', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());

    // Act
    const result = await store.changeStatus(id, { from: 'active', to: 'paused', set: { updatedAt: AT } });

    // Assess
    expect(result).toBeUndefined();
  });
});

describe('OnboardingStore.parkWhilePaused', () => {
  it('keeps the task token only while the onboarding is paused', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    const parked = await store.parkWhilePaused(id, TOKEN);

    // Assess
    expect(parked).toBe(true);
    expect(ddb).toReceiveCommandExactlyOnceWith(UpdateCommand, {
      TableName: TABLE,
      Key,
      UpdateExpression: 'SET pauseToken = :token',
      ConditionExpression: '#status = :paused',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':token': TOKEN, ':paused': 'paused' },
    });
  });

  it('answers false when it was resumed or cancelled meanwhile', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());

    // Act, Assess
    expect(await store.parkWhilePaused(id, TOKEN)).toBe(false);
  });
});

describe('OnboardingStore.clearPauseToken', () => {
  it('removes the token only if it is the one sent back, and is quiet when a newer one is kept', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());

    // Act
    await store.clearPauseToken(id, TOKEN);

    // Assess
    expect(ddb).toReceiveCommandExactlyOnceWith(UpdateCommand, {
      Key,
      UpdateExpression: 'REMOVE pauseToken',
      ConditionExpression: 'pauseToken = :token',
      ExpressionAttributeValues: { ':token': TOKEN },
    });
  });
});

describe('OnboardingStore.setPausedWeeks', () => {
  it('records the whole weeks the schedule moved', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    await store.setPausedWeeks(id, 2, AT);

    // Assess
    expect(ddb).toReceiveCommandExactlyOnceWith(UpdateCommand, {
      Key,
      UpdateExpression: 'SET pausedWeeks = :weeks, updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':weeks': 2, ':at': AT },
    });
  });
});

describe('OnboardingStore.updateProgress of a cancelled onboarding', () => {
  it('never writes a status over cancelled', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    await store.updateProgress(id, { status: 'active', updatedAt: AT });

    // Assess
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      ConditionExpression: 'attribute_exists(pk) AND #status <> :cancelled',
      ExpressionAttributeValues: { ':status': 'active', ':updatedAt': AT, ':cancelled': 'cancelled' },
    });
  });

  it('leaves a cancelled onboarding as it is, quietly: a step that was running when it was cancelled', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: onboardingItem(onboardingFixture({ status: 'cancelled' })) });

    // Act, Assess
    await expect(store.updateProgress(id, { status: 'completed', updatedAt: AT })).resolves.toBe(false);
  });

  it('still fails for an onboarding that does not exist', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});

    // Act, Assess
    await expect(store.updateProgress(id, { status: 'completed', updatedAt: AT })).rejects.toMatchObject({
      name: 'OnboardingNotFound',
    });
  });
});
