import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InboundReplies } from '#adapters/inbound-replies';
import { SesMailer } from '#adapters/mailer';
import { refusedReply } from '#core/emails/inbound-reply';
import { conditionFailed, TABLE } from './fixtures.ts';

const NOW = '2027-01-12T07:41:20.000Z';
const KEY = 'a'.repeat(64);

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const replies = new InboundReplies(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  TABLE,
  new SesMailer(new SESv2Client({ region: 'us-east-1' }), 'onramp@onramp.example'),
  { now: () => new Date(NOW) },
);
const reply = refusedReply(
  { to: 'maria@santos-advisory.example', inboundAddress: 'plans@onramp.example' },
  { subject: 'Payroll plan', problems: [{ path: 'owner.timeZone', message: 'unknown IANA time zone' }] },
);

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ddb.on(UpdateCommand).resolves({});
});

describe('InboundReplies.sendOnce', () => {
  it('claims the message’s item before sending, then records the SES message id', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-reply-1' });

    // Act
    const sent = await replies.sendOnce(KEY, reply, { outcome: 'refused' });

    // Assess
    expect(sent).toBe(true);
    expect(ddb).toReceiveCommandWith(PutCommand, {
      TableName: TABLE,
      Item: {
        pk: `INBOUND#${KEY}`,
        sk: 'REPLY',
        state: 'sending',
        outcome: 'refused',
        subject: 'Not started: Payroll plan',
        claimedAt: NOW,
      },
      ConditionExpression: 'attribute_not_exists(pk) OR #state = :retry',
    });
    expect(ses).toReceiveCommandTimes(SendEmailCommand, 1);
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      Key: { pk: `INBOUND#${KEY}`, sk: 'REPLY' },
      ExpressionAttributeValues: { ':state': 'sent', ':messageId': 'ses-reply-1', ':sentAt': NOW },
    });
  });

  it('sends nothing when the message was answered or is being answered', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(conditionFailed());

    // Act
    const sent = await replies.sendOnce(KEY, reply, { outcome: 'refused' });

    // Assess
    expect(sent).toBe(false);
    expect(ses).not.toReceiveCommand(SendEmailCommand);
    expect(ddb).not.toReceiveCommand(UpdateCommand);
  });

  it('reopens the claim when SES refuses, so a retry sends the reply', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified.', $metadata: {} }));

    // Act
    const sending = replies.sendOnce(KEY, reply, { outcome: 'refused' });

    // Assess
    await expect(sending).rejects.toBeInstanceOf(MessageRejected);
    expect(ddb).toReceiveCommandExactlyOnceWith(UpdateCommand, {
      Key: { pk: `INBOUND#${KEY}`, sk: 'REPLY' },
      ExpressionAttributeValues: { ':state': 'retry' },
    });
  });
});

describe('InboundReplies.find', () => {
  it('reads the record without its keys', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({
      Item: {
        pk: `INBOUND#${KEY}`,
        sk: 'REPLY',
        state: 'sent',
        outcome: 'started',
        onboardingId: 'bookkeeping-3f2a9c01de',
        subject: 'Started: Bookkeeping',
        claimedAt: NOW,
        messageId: 'ses-reply-1',
        sentAt: NOW,
      },
    });

    // Act
    const record = await replies.find(KEY);

    // Assess
    expect(record).toEqual({
      state: 'sent',
      outcome: 'started',
      onboardingId: 'bookkeeping-3f2a9c01de',
      subject: 'Started: Bookkeeping',
      claimedAt: NOW,
      messageId: 'ses-reply-1',
      sentAt: NOW,
    });
    expect(ddb).toReceiveCommandWith(GetCommand, {
      Key: { pk: `INBOUND#${KEY}`, sk: 'REPLY' },
      ConsistentRead: true,
    });
  });

  it('finds nothing for a message never answered', async () => {
    ddb.on(GetCommand).resolves({});
    expect(await replies.find(KEY)).toBeUndefined();
  });
});
