import 'aws-sdk-client-mock-vitest/extend';
import { SESClient, SESServiceException, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '#adapters/mailer';
import { TransientError } from '#core/errors';
import { checkinMessage } from './fixtures.ts';

const ses = mockClient(SESClient);
const mailer = new SesMailer(new SESClient({ region: 'us-east-1' }), 'onramp@santos-advisory.example');

beforeEach(() => {
  ses.reset();
});

describe('SesMailer.send', () => {
  it('sends from the sender to the recipients with subject, text and HTML in UTF-8', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-0001' });
    const message = checkinMessage('partner', { subject: 'Woche 3: wie lief es? ✓' });

    // Act
    await mailer.send(message);

    // Assess
    expect(ses).toReceiveCommandExactlyOnceWith(SendEmailCommand, {
      Source: 'onramp@santos-advisory.example',
      Destination: { ToAddresses: ['team@ledgerly.example', 'lead@ledgerly.example'] },
      ReplyToAddresses: ['feedback@onramp.example'],
      Message: {
        Subject: { Data: 'Woche 3: wie lief es? ✓', Charset: 'UTF-8' },
        Body: {
          Text: { Data: message.text, Charset: 'UTF-8' },
          Html: { Data: message.html, Charset: 'UTF-8' },
        },
      },
    });
  });

  it("returns SES's message id", async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-0001' });

    // Act
    const messageId = await mailer.send(checkinMessage('owner'));

    // Assess
    expect(messageId).toBe('ses-0001');
  });

  it('turns a throttled send into a TransientError', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejects(
      new SESServiceException({
        name: 'Throttling',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, attempts: 3 },
        message: 'Maximum sending rate exceeded.',
      }),
    );

    // Act
    const outcome = mailer.send(checkinMessage('owner'));

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientError);
  });
});
