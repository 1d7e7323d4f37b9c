/**
 * The floor under the local runtime benchmark's 50 concurrent onboardings: the same number of AWS
 * calls, of the same operations, through the same SDK clients to the same emulators, with nothing
 * else: no state machine, no handler, no email or page rendered, no simulated person. Items are
 * small (an onboarding's are larger), so this is a lower bound on what the calls alone cost.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

/** AWS calls by operation, as the benchmark names them: "DynamoDB.Query", "SES.SendEmail"… */
export type CallMix = Record<string, number>;

/**
 * Makes `mix` calls (rounded) for each of `streams` concurrent callers, each in its own partition
 * of `tableName`, built as functions/adapters/from-environment.ts builds its clients (endpoints
 * from the environment). Resolves with the wall time in ms.
 */
export async function replayCalls(tableName: string, mix: CallMix, streams: number): Promise<number> {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const ses = new SESv2Client({ cacheMiddleware: true });
  const item = (stream: number, n: number) => ({
    pk: `BENCH#${stream}`,
    sk: `ITEM#${n}`,
    body: 'x'.repeat(200),
  });
  const key = (stream: number, n: number) => ({ pk: `BENCH#${stream}`, sk: `ITEM#${n}` });
  const calls: Record<string, (stream: number, n: number) => Promise<unknown>> = {
    'DynamoDB.PutItem': (s, n) => db.send(new PutCommand({ TableName: tableName, Item: item(s, n) })),
    'DynamoDB.GetItem': (s) => db.send(new GetCommand({ TableName: tableName, Key: key(s, 0) })),
    'DynamoDB.UpdateItem': (s) =>
      db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(s, 0),
          UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        }),
      ),
    'DynamoDB.Query': (s) =>
      db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `BENCH#${s}` },
        }),
      ),
    'DynamoDB.BatchGetItem': (s) =>
      db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [key(s, 0), key(s, 1)] } } })),
    'DynamoDB.BatchWriteItem': (s, n) =>
      db.send(
        new BatchWriteCommand({
          RequestItems: {
            [tableName]: [{ PutRequest: { Item: item(s, n) } }, { PutRequest: { Item: item(s, n + 0.5) } }],
          },
        }),
      ),
    'SES.SendEmail': (s, n) =>
      ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'bench@onramp.local',
          Destination: { ToAddresses: [`stream-${s}@onramp.local`] },
          Content: { Simple: { Subject: { Data: `Call ${n}` }, Body: { Text: { Data: 'A short body.' } } } },
        }),
      ),
  };
  const unknown = Object.keys(mix).filter((operation) => !calls[operation]);
  if (unknown.length > 0) throw new Error(`No replay for ${unknown.join(', ')}`);
  // One caller's sequence: the operations interleaved in proportion, as an onboarding mixes them.
  const sequence = Object.entries(mix)
    .flatMap(([operation, count]) =>
      Array.from({ length: Math.round(count) }, (_, i) => ({ operation, at: (i + 0.5) / count })),
    )
    .sort((a, b) => a.at - b.at)
    .map(({ operation }) => calls[operation]!);
  const stream = async (s: number) => {
    for (const [n, call] of sequence.entries()) await call(s, n);
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: streams }, (_, s) => stream(s)));
  return performance.now() - began;
}
