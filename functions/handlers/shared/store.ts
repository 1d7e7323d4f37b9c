import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readString } from '#adapters/config';
import { OnboardingStore } from '#adapters/onboarding-store';

/** Built once per function instance, at cold start; the endpoint comes from the SDK's own configuration. */
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const store = new OnboardingStore(db, readString(process.env, 'TABLE_NAME'));
