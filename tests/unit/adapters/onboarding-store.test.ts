import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { OnboardingStore } from '#adapters/onboarding-store';
import { OnboardingConflict, OnboardingNotFound, TransientError } from '#core/errors';
import type { Feedback } from '#core/feedback';
import type { EmailRecord } from '#core/onboarding';
import {
  conditionFailed,
  onboardingFixture,
  onboardingItem,
  servePages,
  TABLE,
  weekFixture,
  weekItem,
} from './fixtures.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new OnboardingStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  TABLE,
);

const onboarding = onboardingFixture();
const id = onboarding.id;
const pk = `ONB#${id}`;

beforeEach(() => {
  ddb.reset();
});

describe('OnboardingStore.createOnboarding', () => {
  it('puts the onboarding only if absent, with the plan stored as one JSON string', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    const result = await store.createOnboarding(onboarding);

    // Assess
    expect(result).toEqual({ created: true, onboarding });
    expect(ddb).toReceiveCommandExactlyOnceWith(PutCommand, {
      TableName: TABLE,
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({
        pk,
        sk: 'ONBOARDING',
        planDigest: onboarding.planDigest,
        plan: JSON.stringify(onboarding.plan),
      }),
    });
  });

  it('returns the stored onboarding, not created, when the same id was started with the same plan', async () => {
    // Prepare
    const stored = onboardingFixture({ createdAt: '2026-11-30T07:00:00.000Z', status: 'pending' });
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: onboardingItem(stored) });

    // Act
    const result = await store.createOnboarding(onboarding);

    // Assess
    expect(result).toEqual({ created: false, onboarding: stored });
    expect(ddb).toReceiveCommandWith(GetCommand, {
      TableName: TABLE,
      Key: { pk, sk: 'ONBOARDING' },
      ConsistentRead: true,
    });
  });

  it('throws OnboardingConflict when the same id was started with another plan', async () => {
    // Prepare
    const stored = onboardingFixture({ planDigest: 'digest-of-another-plan' });
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: onboardingItem(stored) });

    // Act
    const outcome = store.createOnboarding(onboarding);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(OnboardingConflict);
  });
});

describe('OnboardingStore.getOnboarding', () => {
  it('throws OnboardingNotFound when there is no such item', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});

    // Act
    const outcome = store.getOnboarding('never-started');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(OnboardingNotFound);
  });
});

describe('OnboardingStore.putWeek', () => {
  it('puts the week only if absent and returns it', async () => {
    // Prepare
    const week = weekFixture(2, 1);
    ddb.on(PutCommand).resolves({});

    // Act
    const result = await store.putWeek(id, week);

    // Assess
    expect(result).toEqual(week);
    expect(ddb).toReceiveCommandExactlyOnceWith(PutCommand, {
      TableName: TABLE,
      Item: { pk, sk: 'WEEK#02', ...week },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('returns the week already stored, so a retried release keeps its batch', async () => {
    // Prepare
    const released = weekFixture(2, 1);
    const recomputed = weekFixture(2, 2);
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: weekItem(id, released) });

    // Act
    const result = await store.putWeek(id, recomputed);

    // Assess
    expect(result).toEqual(released);
    expect(ddb).toReceiveCommandWith(GetCommand, { Key: { pk, sk: 'WEEK#02' }, ConsistentRead: true });
  });
});

describe('OnboardingStore.claimSending', () => {
  it('claims a fresh batch with a conditional put and returns no roles sent', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    const sentRoles = await store.claimSending(id, 'checkin', 3, '2027-01-04T09:00:00.000Z');

    // Assess
    expect(sentRoles).toEqual([]);
    expect(ddb).toReceiveCommandExactlyOnceWith(PutCommand, {
      TableName: TABLE,
      Item: {
        pk,
        sk: 'CLAIM#checkin#03',
        state: 'sending',
        sentRoles: [],
        claimedAt: '2027-01-04T09:00:00.000Z',
      },
      ConditionExpression: 'attribute_not_exists(pk) OR #state = :retry',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':retry': 'retry' },
      ReturnValues: 'ALL_OLD',
    });
  });

  it('returns the roles an earlier attempt sent when it reclaims a retry claim', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({
      Attributes: { pk, sk: 'CLAIM#checkin#03', state: 'retry', sentRoles: ['owner'] },
    });

    // Act
    const sentRoles = await store.claimSending(id, 'checkin', 3, '2027-01-04T09:05:00.000Z');

    // Assess
    expect(sentRoles).toEqual(['owner']);
  });

  it('returns undefined when the batch is sent or being sent by another attempt', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(conditionFailed());

    // Act
    const sentRoles = await store.claimSending(id, 'checkin', 3, '2027-01-04T09:05:00.000Z');

    // Assess
    expect(sentRoles).toBeUndefined();
  });
});

describe('OnboardingStore.recordSent', () => {
  const email = (role: 'owner' | 'partner', messageId: string): EmailRecord => ({
    kind: 'checkin',
    week: 3,
    role,
    to: [`${role}@example.com`],
    subject: `Week 3 check-in (${role})`,
    messageId,
    sentAt: '2027-01-04T09:00:00.000Z',
  });
  const owner = email('owner', 'ses-1');
  const partner = email('partner', 'ses-2');
  const put = (item: Record<string, unknown>) => ({ PutRequest: { Item: item } });

  it('writes the closed claim and every email in one BatchWrite', async () => {
    // Prepare
    ddb.on(BatchWriteCommand).resolves({});

    // Act
    await store.recordSent(
      id,
      { kind: 'checkin', week: 3, claimedAt: '2027-01-04T09:00:00.000Z', alreadySent: [], complete: true },
      [owner, partner],
    );

    // Assess
    expect(ddb).toReceiveCommandExactlyOnceWith(BatchWriteCommand, {
      RequestItems: {
        [TABLE]: [
          put({
            pk,
            sk: 'CLAIM#checkin#03',
            state: 'sent',
            sentRoles: ['owner', 'partner'],
            claimedAt: '2027-01-04T09:00:00.000Z',
          }),
          put({ pk, sk: 'EMAIL#checkin#03#owner', ...owner }),
          put({ pk, sk: 'EMAIL#checkin#03#partner', ...partner }),
        ],
      },
    });
  });

  it('reopens the claim as retry, listing the roles sent so far, when the batch is incomplete', async () => {
    // Prepare
    ddb.on(BatchWriteCommand).resolves({});

    // Act
    await store.recordSent(
      id,
      {
        kind: 'checkin',
        week: 3,
        claimedAt: '2027-01-04T09:00:00.000Z',
        alreadySent: ['owner'],
        complete: false,
      },
      [partner],
    );

    // Assess
    expect(ddb).toReceiveCommandExactlyOnceWith(BatchWriteCommand, {
      RequestItems: {
        [TABLE]: [
          put({
            pk,
            sk: 'CLAIM#checkin#03',
            state: 'retry',
            sentRoles: ['owner', 'partner'],
            claimedAt: '2027-01-04T09:00:00.000Z',
          }),
          put({ pk, sk: 'EMAIL#checkin#03#partner', ...partner }),
        ],
      },
    });
  });

  it('writes the unprocessed items again', async () => {
    // Prepare
    const unprocessed = [put({ pk, sk: 'EMAIL#checkin#03#partner', ...partner })];
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: unprocessed } })
      .resolves({});

    // Act
    await store.recordSent(
      id,
      { kind: 'checkin', week: 3, claimedAt: '2027-01-04T09:00:00.000Z', alreadySent: [], complete: true },
      [owner, partner],
    );

    // Assess
    expect(ddb).toReceiveCommandTimes(BatchWriteCommand, 2);
    expect(ddb).toReceiveNthCommandWith(BatchWriteCommand, 2, { RequestItems: { [TABLE]: unprocessed } });
  });

  it('throws TransientError when four attempts leave items unprocessed', async () => {
    // Prepare
    const unprocessed = [put({ pk, sk: 'EMAIL#checkin#03#partner', ...partner })];
    ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: { [TABLE]: unprocessed } });

    // Act
    const outcome = store.recordSent(
      id,
      { kind: 'checkin', week: 3, claimedAt: '2027-01-04T09:00:00.000Z', alreadySent: [], complete: true },
      [owner, partner],
    );

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientError);
    expect(ddb).toReceiveCommandTimes(BatchWriteCommand, 4);
  });
});

describe('OnboardingStore.findAnswerToWeek', () => {
  const week1 = weekFixture(1, 0);
  const answer: Feedback = {
    week: 1,
    role: 'partner',
    rating: 4,
    comment: 'Clear tasks',
    unfinishedTaskIds: [],
    source: 'link',
    at: '2026-03-05T15:00:00.000Z',
  };

  it("reads the onboarding, the week and the side's answer in one consistent BatchGet", async () => {
    // Prepare
    const answerItem = { pk, sk: 'FEEDBACK#01#partner', ...answer, from: null, history: [answer] };
    ddb.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [answerItem, weekItem(id, week1), onboardingItem(onboarding)] },
    });

    // Act
    const found = await store.findAnswerToWeek(id, 1, 'partner');

    // Assess
    expect(found).toEqual({ onboarding, week: week1, answer });
    expect(ddb).toReceiveCommandExactlyOnceWith(BatchGetCommand, {
      RequestItems: {
        [TABLE]: {
          Keys: [
            { pk, sk: 'ONBOARDING' },
            { pk, sk: 'WEEK#01' },
            { pk, sk: 'FEEDBACK#01#partner' },
          ],
          ConsistentRead: true,
        },
      },
    });
  });

  it('leaves out what is missing: no answer yet, or no such week', async () => {
    // Prepare
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [onboardingItem(onboarding)] } });

    // Act
    const found = await store.findAnswerToWeek(id, 9, 'owner');

    // Assess
    expect(found).toEqual({ onboarding, week: undefined, answer: undefined });
  });

  it('throws TransientError when keys are left unprocessed (throttling)', async () => {
    // Prepare
    ddb.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: [{ pk, sk: 'ONBOARDING' }] } },
    });

    // Act
    const outcome = store.findAnswerToWeek(id, 1, 'owner');

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientError);
  });
});

describe('OnboardingStore.listEmails', () => {
  it('reads only the records of one kind and week when asked, by sort key prefix', async () => {
    // Prepare
    const sent = servePages(ddb, [{ Items: [] }, { Items: [] }, { Items: [] }]);

    // Act
    await store.listEmails(id, { kind: 'reference', week: 0 });
    await store.listEmails(id, { kind: 'checkin' });
    await store.listEmails(id);

    // Assess: "reference#" never matches the reference reminders' "reference-reminder#".
    expect(sent.map((q) => q.ExpressionAttributeValues?.[':prefix'])).toEqual([
      'EMAIL#reference#00#',
      'EMAIL#checkin#',
      'EMAIL#',
    ]);
  });
});

describe('OnboardingStore.getOnboardingHistory: paging', () => {
  const week1 = weekFixture(1, 0);
  const week2 = weekFixture(
    2,
    1,
    week1.tasks.map((t) => t.taskId),
  );

  it('reads the onboarding and its weeks with one Query from the ONBOARDING sort key on, without answers', async () => {
    // Prepare
    const sent = servePages(ddb, [
      { Items: [onboardingItem(onboarding), weekItem(id, week1), weekItem(id, week2)] },
    ]);

    // Act
    const result = await store.getOnboardingHistory(id, 0);

    // Assess
    expect(result).toEqual({ onboarding, weeks: [week1, week2], feedback: [] });
    expect(sent).toEqual([
      expect.objectContaining({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': pk, ':from': 'ONBOARDING' },
        ConsistentRead: true,
      }),
    ]);
  });

  it('follows LastEvaluatedKey to the next page', async () => {
    // Prepare
    const lastKey = { pk, sk: 'WEEK#01' };
    const sent = servePages(ddb, [
      { Items: [onboardingItem(onboarding), weekItem(id, week1)], LastEvaluatedKey: lastKey },
      { Items: [weekItem(id, week2)] },
    ]);

    // Act
    const result = await store.getOnboardingHistory(id);

    // Assess
    expect(result.weeks).toEqual([week1, week2]);
    expect(sent.map((input) => input.ExclusiveStartKey)).toEqual([undefined, lastKey]);
  });

  it('throws OnboardingNotFound when the first item is not the onboarding', async () => {
    // Prepare
    servePages(ddb, [{ Items: [weekItem(id, week1)] }]);

    // Act
    const outcome = store.getOnboardingHistory(id);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(OnboardingNotFound);
  });
});

describe('OnboardingStore.getOnboardingHistory: feedback', () => {
  const week3 = weekFixture(3, 1);
  const ownerAnswer: Feedback = {
    week: 3,
    role: 'owner',
    rating: 4,
    comment: 'Clean reconciliations',
    unfinishedTaskIds: ['receipts'],
    source: 'link',
    from: 'maria@santos-advisory.example',
    at: '2027-01-07T15:30:00.000Z',
  };
  const partnerAnswer: Feedback = {
    week: 3,
    role: 'partner',
    rating: 3,
    unfinishedTaskIds: [],
    source: 'email',
    at: '2027-01-07T16:00:00.000Z',
  };
  /** A feedback item as putFeedback leaves it: absent comment and sender stored as null. */
  const feedbackItem = ({ week, role, ...answer }: Feedback) => ({
    pk,
    sk: `FEEDBACK#${String(week).padStart(2, '0')}#${role}`,
    week,
    role,
    comment: null,
    from: null,
    ...answer,
    history: [answer],
  });

  it("splits the Query's items into the onboarding, its weeks and every answer", async () => {
    // Prepare
    // The owner answered twice: the second replaced the first, which its history keeps.
    const replaced = { ...ownerAnswer, rating: 2, at: '2027-01-07T15:00:00.000Z' };
    const sent = servePages(ddb, [
      {
        Items: [
          {
            ...feedbackItem(ownerAnswer),
            history: [replaced, ownerAnswer].map(({ week: _w, role: _r, ...a }) => a),
          },
          feedbackItem(partnerAnswer),
          // The gate's mark on a side that never answered: no answer.
          { pk, sk: 'FEEDBACK#04#partner', closedAt: '2027-01-18T15:00:00.000Z' },
          onboardingItem(onboarding),
          weekItem(id, week3),
        ],
      },
    ]);

    // Act
    const history = await store.getOnboardingHistory(id, 3);

    // Assess
    expect(history).toEqual({
      onboarding,
      weeks: [week3],
      feedback: [ownerAnswer, partnerAnswer],
    });
    expect(sent).toEqual([
      expect.objectContaining({
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': pk, ':from': 'FEEDBACK#03#' },
      }),
    ]);
  });

  it('throws OnboardingNotFound when the items after the feedback do not start with the onboarding', async () => {
    // Prepare
    servePages(ddb, [{ Items: [feedbackItem(ownerAnswer), weekItem(id, week3)] }]);

    // Act
    const outcome = store.getOnboardingHistory(id);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(OnboardingNotFound);
  });
});

describe('OnboardingStore.closeWeek', () => {
  const decision = {
    outcome: 'hold' as const,
    fromStage: 1,
    toStage: 1,
    releaseNew: false,
    reason: 'hold at 25%: the owner rated the work 3/5 (4 needed to advance)',
  };
  const weighed = { owner: '2026-12-10T15:00:00.000Z' };

  it('records the end of a week, and the answers it weighed, only if the week has none yet', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    const end = await store.closeWeek(id, 2, { decision, unfinishedTaskIds: ['receipts'], weighed });

    // Assess
    expect(end).toEqual({ decision, unfinishedTaskIds: ['receipts'] });
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      Key: { pk, sk: 'WEEK#02' },
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(decision)',
      ExpressionAttributeValues: expect.objectContaining({ ':weighed': weighed }),
    });
  });

  it('returns the end recorded the first time when a retried step closes the week again', async () => {
    // Prepare
    const first = { ...decision, outcome: 'escalate' as const, reason: 'ask the owner, …' };
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({
      Item: weekItem(id, { ...weekFixture(2, 1), decision: first, unfinishedTaskIds: [] }),
    });

    // Act
    const end = await store.closeWeek(id, 2, { decision, unfinishedTaskIds: ['receipts'], weighed });

    // Assess
    expect(end).toEqual({ decision: first, unfinishedTaskIds: [] });
  });
});

describe('OnboardingStore.closeAnswers', () => {
  it('marks both sides’ answer items of the week, keeping the first mark of a retried gate', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    await store.closeAnswers(id, 3, '2027-01-11T15:00:00.000Z');

    // Assess
    for (const role of ['owner', 'partner']) {
      expect(ddb).toReceiveCommandWith(UpdateCommand, {
        Key: { pk, sk: `FEEDBACK#03#${role}` },
        UpdateExpression: 'SET closedAt = if_not_exists(closedAt, :at)',
        ExpressionAttributeValues: { ':at': '2027-01-11T15:00:00.000Z' },
      });
    }
    expect(ddb).toReceiveCommandTimes(UpdateCommand, 2);
  });
});

describe('OnboardingStore.putFeedback', () => {
  it('sets the latest answer and appends it to the history in one update', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});
    const answer: Feedback = {
      week: 3,
      role: 'owner',
      rating: 2,
      unfinishedTaskIds: ['payment-runs'],
      source: 'api',
      at: '2027-01-07T15:30:00.000Z',
    };

    // Act
    const written = await store.putFeedback(id, answer);

    // Assess
    expect(written).toBe('recorded');
    expect(ddb).toReceiveCommandExactlyOnceWith(UpdateCommand, {
      TableName: TABLE,
      Key: { pk, sk: 'FEEDBACK#03#owner' },
      ConditionExpression:
        'attribute_not_exists(closedAt) AND (attribute_not_exists(#history) OR size(#history) < :kept)',
      UpdateExpression: expect.stringContaining(
        '#history = list_append(if_not_exists(#history, :empty), :answer)',
      ),
      ExpressionAttributeValues: expect.objectContaining({
        ':rating': 2,
        ':comment': null,
        ':from': null,
        ':empty': [],
        ':answer': [
          { rating: 2, unfinishedTaskIds: ['payment-runs'], source: 'api', at: '2027-01-07T15:30:00.000Z' },
        ],
      }),
    });
  });

  it('writes nothing once the gate has closed the week’s answers', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    const late: Feedback = {
      week: 3,
      role: 'partner',
      rating: 4,
      unfinishedTaskIds: [],
      source: 'link',
      at: '2027-01-11T15:00:01.000Z',
    };

    ddb
      .on(GetCommand)
      .resolves({ Item: { pk, sk: 'FEEDBACK#03#partner', closedAt: '2027-01-11T15:00:00.000Z' } });

    // Act / Assess
    expect(await store.putFeedback(id, late)).toBe('closed');
  });

  it('writes nothing once the side has answered the week as often as its item keeps', async () => {
    // Prepare
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { pk, sk: 'FEEDBACK#03#partner', rating: 3, history: [] } });
    const another: Feedback = {
      week: 3,
      role: 'partner',
      rating: 4,
      unfinishedTaskIds: [],
      source: 'link',
      at: '2027-01-08T15:00:00.000Z',
    };

    // Act / Assess
    expect(await store.putFeedback(id, another)).toBe('too-many-answers');
  });
});
