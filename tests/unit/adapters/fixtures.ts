import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { EmailMessage } from '#core/emails/message';
import type { Onboarding, WeekRecord } from '#core/onboarding';
import { planFixture, weekRecordFixture } from '../core/fixtures.ts';

/** The table every store under test writes to. */
export const TABLE = 'onramp-test';

const plan = planFixture();

/** The onboarding as the workflow holds it, started from the shared plan fixture. */
export function onboardingFixture(overrides: Partial<Onboarding> = {}): Onboarding {
  return {
    id: plan.id,
    status: 'active',
    plan,
    planDigest: 'digest-of-the-plan-as-started',
    createdAt: '2026-12-01T08:00:00.000Z',
    updatedAt: '2026-12-14T08:00:00.000Z',
    ...overrides,
  };
}

/** An onboarding as the table stores it: keyed, with the plan as one JSON string. */
export function onboardingItem(onboarding: Onboarding): Record<string, unknown> {
  return {
    pk: `ONB#${onboarding.id}`,
    sk: 'ONBOARDING',
    ...onboarding,
    plan: JSON.stringify(onboarding.plan),
  };
}

/** A week as the workflow records it; stage 0 without earlier releases unless given. */
export function weekFixture(week: number, stage = 0, releasedBefore: readonly string[] = []): WeekRecord {
  return weekRecordFixture(plan, week, stage, releasedBefore);
}

/** A week as the table stores it. */
export function weekItem(onboardingId: string, record: WeekRecord): Record<string, unknown> {
  return { pk: `ONB#${onboardingId}`, sk: `WEEK#${String(record.week).padStart(2, '0')}`, ...record };
}

/** A rendered check-in email of week 3 for one side. */
export function checkinMessage(
  role: 'owner' | 'partner',
  overrides: Partial<EmailMessage> = {},
): EmailMessage {
  return {
    kind: 'checkin',
    week: 3,
    role,
    to: role === 'owner' ? [plan.owner.email] : plan.partner.emails,
    replyTo: ['feedback@onramp.example'],
    subject: `Week 3 check-in (${role})`,
    text: `How did week 3 go, ${role}?`,
    html: `<p>How did week 3 go, ${role}?</p>`,
    ...overrides,
  };
}

/** What DynamoDB answers when a conditional write finds its condition false. */
export function conditionFailed(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400 },
  });
}

/**
 * Answers each Query with the next of `pages`, and returns a copy of every request as it was
 * sent: the SDK's paginator reuses one input object for all pages, so the recorded calls would
 * all show the last page's `ExclusiveStartKey`.
 */
export function servePages(
  ddb: AwsClientStub<DynamoDBDocumentClient>,
  pages: { Items: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }[],
): QueryCommandInput[] {
  const sent: QueryCommandInput[] = [];
  ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    sent.push(structuredClone(input));
    const page = pages[sent.length - 1];
    if (!page) throw new Error(`Queried for page ${sent.length}, but there are only ${pages.length}`);
    return page;
  });
  return sent;
}
