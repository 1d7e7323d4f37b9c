import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { OnboardingStore } from '#adapters/onboarding-store';
import { dueDiligenceVerdict, type ReferenceAnswer } from '#core/due-diligence';
import type { Feedback } from '#core/feedback';
import { planFixture } from '../core/fixtures.ts';
import { onboardingFixture, onboardingItem, servePages, TABLE, weekFixture, weekItem } from './fixtures.ts';

/**
 * What `GET /onboardings/{id}` reads: one Query for the onboarding, its weeks, the check-in
 * answers and the references' answers; one GetItem more, for the due diligence's verdict, only
 * when the plan lists references.
 */

const ddb = mockClient(DynamoDBDocumentClient);
const store = new OnboardingStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  TABLE,
);

const REFERENCES = [
  { name: 'Ana Lima', email: 'ana@lima-books.example' },
  { name: 'Jo Ledger', email: 'jo@ledgerly.example' },
];
const plain = onboardingFixture();
const withReferences = onboardingFixture({ plan: planFixture({ references: REFERENCES }) });
const id = plain.id;
const pk = `ONB#${id}`;
const week1 = weekFixture(1);
const ownerAnswer: Feedback = {
  week: 1,
  role: 'owner',
  rating: 4,
  unfinishedTaskIds: [],
  source: 'link',
  at: '2026-12-10T15:00:00.000Z',
};
const reference1: ReferenceAnswer = {
  reference: 1,
  scores: { reliability: 4, quality: 3, communication: 5 },
  at: '2026-12-02T09:00:00.000Z',
  independent: true,
};
/** As the table keeps it: with the comment and the earlier answers, which the status never needs. */
const reference1Item = {
  pk,
  sk: 'REFERENCE#01',
  ...reference1,
  comment: 'Good work, slow replies.',
  history: [{ ...reference1, comment: 'Good work, slow replies.' }],
};
const { week: _week, role: _role, ...given } = ownerAnswer;
/** As putFeedback leaves it: the latest answer, and every answer in `history`. */
const feedbackItem = {
  pk,
  sk: 'FEEDBACK#01#owner',
  ...ownerAnswer,
  comment: null,
  from: null,
  history: [given],
};

beforeEach(() => {
  ddb.reset();
});

describe('OnboardingStore.getStatusRecords', () => {
  it('reads a plan without references with the one Query of the history, and nothing else', async () => {
    // Prepare
    const sent = servePages(ddb, [{ Items: [feedbackItem, onboardingItem(plain), weekItem(id, week1)] }]);

    // Act
    const records = await store.getStatusRecords(id);

    // Assess
    expect(records).toEqual({
      onboarding: plain,
      weeks: [week1],
      feedback: [ownerAnswer],
      referenceAnswers: [],
    });
    expect(sent).toEqual([
      expect.objectContaining({
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': pk, ':from': 'FEEDBACK#01#' },
        ConsistentRead: true,
      }),
    ]);
    expect(ddb).toReceiveCommandTimes(GetCommand, 0);
    expect(ddb).toReceiveCommandTimes(BatchGetCommand, 0);
  });

  it('takes the references’ answers from the same Query, without comments, and the verdict with one GetItem', async () => {
    // Prepare
    const verdict = dueDiligenceVerdict(withReferences.plan, [reference1], '2026-12-04T10:00:00.000Z');
    servePages(ddb, [{ Items: [onboardingItem(withReferences), reference1Item] }]);
    ddb.on(GetCommand).resolves({ Item: { pk, sk: 'DUE-DILIGENCE', ...verdict } });

    // Act
    const records = await store.getStatusRecords(id);

    // Assess
    expect(records).toEqual({
      onboarding: withReferences,
      weeks: [],
      feedback: [],
      referenceAnswers: [reference1],
      dueDiligence: verdict,
    });
    expect(ddb).toReceiveCommandTimes(QueryCommand, 1);
    expect(ddb).toReceiveCommandExactlyOnceWith(GetCommand, {
      TableName: TABLE,
      Key: { pk, sk: 'DUE-DILIGENCE' },
      ConsistentRead: true,
    });
  });

  it('leaves the verdict out before the answers are scored', async () => {
    // Prepare
    servePages(ddb, [{ Items: [onboardingItem(withReferences)] }]);
    ddb.on(GetCommand).resolves({});

    // Act
    const records = await store.getStatusRecords(id);

    // Assess
    expect(records).not.toHaveProperty('dueDiligence');
    expect(records.referenceAnswers).toEqual([]);
  });
});
