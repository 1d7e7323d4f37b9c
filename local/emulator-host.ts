/**
 * The emulators' own process: DynamoDB and SES listen here, on loopback, so that their work runs on
 * another core than the handlers and the state machine. Started by local/emulators.ts with an IPC
 * channel: it reports its endpoints once listening, and exits when told to or when its parent goes.
 */
import { startDynamoDb, startSes } from './emulator-servers.ts';

const [dynamodb, ses] = await Promise.all([startDynamoDb(), startSes()]);

const stop = async () => {
  await Promise.allSettled([dynamodb.close(), ses.close()]);
  process.exit(0);
};
process.on('message', (message) => {
  if (message === 'stop') void stop();
  if (message === 'stats') process.send?.({ maxRssKb: process.resourceUsage().maxRSS });
});
process.on('disconnect', () => void stop());
process.send?.({ dynamodb: dynamodb.endpoint, ses: ses.endpoint });
