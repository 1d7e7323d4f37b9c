import 'aws-sdk-client-mock-vitest/extend';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EmailOutbox } from '#adapters/email-outbox';
import { SesMailer } from '#adapters/mailer';
import { OnboardingStore } from '#adapters/onboarding-store';
import { checkinMessage, conditionFailed, onboardingFixture, TABLE } from './fixtures.ts';

const NOW = '2027-01-04T09:00:00.000Z';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const outbox = new EmailOutbox(
  new OnboardingStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), TABLE),
  new SesMailer(new SESv2Client({ region: 'us-east-1' }), 'onramp@santos-advisory.example'),
  { now: () => new Date(NOW) },
);

const id = onboardingFixture().id;
const pk = `ONB#${id}`;
const owner = checkinMessage('owner');
const partner = checkinMessage('partner');

/** The email record a sent message leaves in the table. */
const emailPut = (message: typeof owner, messageId: string) => ({
  PutRequest: {
    Item: {
      pk,
      sk: `EMAIL#checkin#03#${message.role}`,
      kind: 'checkin',
      week: 3,
      role: message.role,
      to: message.to,
      subject: message.subject,
      messageId,
      sentAt: NOW,
    },
  },
});

const claimPut = (state: 'sent' | 'retry', sentRoles: string[]) => ({
  PutRequest: { Item: { pk, sk: 'CLAIM#checkin#03', state, sentRoles, claimedAt: NOW } },
});

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ddb.on(BatchWriteCommand).resolves({});
});

describe('EmailOutbox.sendOnce', () => {
  it('sends every message of a fresh claim and records them in one BatchWrite with their SES ids', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    ses
      .on(SendEmailCommand)
      .resolvesOnce({ MessageId: 'ses-owner' })
      .resolvesOnce({ MessageId: 'ses-partner' });

    // Act
    const sent = await outbox.sendOnce(id, [owner, partner]);

    // Assess
    expect(sent).toBe(2);
    expect(ddb).toReceiveCommandWith(PutCommand, {
      Item: expect.objectContaining({ sk: 'CLAIM#checkin#03', state: 'sending', claimedAt: NOW }),
    });
    expect(ses).toReceiveCommandTimes(SendEmailCommand, 2);
    expect(ddb).toReceiveCommandExactlyOnceWith(BatchWriteCommand, {
      RequestItems: {
        [TABLE]: [
          claimPut('sent', ['owner', 'partner']),
          emailPut(owner, 'ses-owner'),
          emailPut(partner, 'ses-partner'),
        ],
      },
    });
  });

  it('sends nothing when another attempt holds the claim', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(conditionFailed());

    // Act
    const sent = await outbox.sendOnce(id, [owner, partner]);

    // Assess
    expect(sent).toBe(0);
    expect(ses).not.toReceiveAnyCommand();
    expect(ddb).not.toReceiveCommand(BatchWriteCommand);
  });

  it('records only the email that went out and reopens the claim when the second send fails', async () => {
    // Prepare
    const rejected = new MessageRejected({ message: 'Email address is not verified.', $metadata: {} });
    ddb.on(PutCommand).resolves({});
    ses.on(SendEmailCommand).resolvesOnce({ MessageId: 'ses-owner' }).rejectsOnce(rejected);

    // Act
    const outcome = outbox.sendOnce(id, [owner, partner]);

    // Assess
    await expect(outcome).rejects.toBe(rejected);
    expect(ddb).toReceiveCommandExactlyOnceWith(BatchWriteCommand, {
      RequestItems: { [TABLE]: [claimPut('retry', ['owner']), emailPut(owner, 'ses-owner')] },
    });
  });

  it("still sends the partner's email when the owner's fails, and records the one that went out", async () => {
    // Prepare
    const rejected = new MessageRejected({ message: 'Email address is not verified.', $metadata: {} });
    ddb.on(PutCommand).resolves({});
    ses.on(SendEmailCommand).rejectsOnce(rejected).resolvesOnce({ MessageId: 'ses-partner' });

    // Act
    const outcome = outbox.sendOnce(id, [owner, partner]);

    // Assess
    await expect(outcome).rejects.toBe(rejected);
    expect(ses).toReceiveCommandTimes(SendEmailCommand, 2);
    expect(ddb).toReceiveCommandExactlyOnceWith(BatchWriteCommand, {
      RequestItems: { [TABLE]: [claimPut('retry', ['partner']), emailPut(partner, 'ses-partner')] },
    });
  });

  it("sends only the partner's email on the retry after the owner's went out", async () => {
    // Prepare
    ddb.on(PutCommand).resolves({
      Attributes: { pk, sk: 'CLAIM#checkin#03', state: 'retry', sentRoles: ['owner'] },
    });
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-partner' });

    // Act
    const sent = await outbox.sendOnce(id, [owner, partner]);

    // Assess
    expect(sent).toBe(1);
    expect(ses).toReceiveCommandExactlyOnceWith(SendEmailCommand, {
      Destination: { ToAddresses: partner.to },
    });
    expect(ddb).toReceiveCommandExactlyOnceWith(BatchWriteCommand, {
      RequestItems: {
        [TABLE]: [claimPut('sent', ['owner', 'partner']), emailPut(partner, 'ses-partner')],
      },
    });
  });

  it.each([
    ['kinds', checkinMessage('partner', { kind: 'batch' })],
    ['weeks', checkinMessage('partner', { week: 4 })],
  ])('refuses messages of different %s in one call, before claiming', async (_case, other) => {
    // Act
    const outcome = outbox.sendOnce(id, [owner, other]);

    // Assess
    await expect(outcome).rejects.toThrow('One batch of emails is one kind for one week');
    expect(ddb).not.toReceiveAnyCommand();
    expect(ses).not.toReceiveAnyCommand();
  });
});
