import 'aws-sdk-client-mock-vitest/extend';
import {
  MessageRejected,
  SESv2Client,
  SESv2ServiceException,
  SendEmailCommand,
  type SendEmailCommandInput,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '#adapters/mailer';
import { TransientError } from '#core/errors';
import { checkinMessage } from './fixtures.ts';

const ses = mockClient(SESv2Client);
const mailer = new SesMailer(new SESv2Client({ region: 'us-east-1' }), 'onramp@santos-advisory.example');

const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Check-in ✓\r\nEND:VCALENDAR\r\n';

beforeEach(() => {
  ses.reset();
});

/** The one SendEmail input the mock received. */
function sentInput(): SendEmailCommandInput {
  const calls = ses.commandCalls(SendEmailCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input;
}

describe('SesMailer.send', () => {
  it('sends a simple SES v2 email from the sender to the recipients with subject, text and HTML in UTF-8', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-0001' });
    const message = checkinMessage('partner', { subject: 'Woche 3: wie lief es? ✓' });

    // Act
    await mailer.send(message);

    // Assess
    expect(ses).toReceiveCommandExactlyOnceWith(SendEmailCommand, {
      FromEmailAddress: 'onramp@santos-advisory.example',
      Destination: { ToAddresses: ['team@ledgerly.example', 'lead@ledgerly.example'] },
      ReplyToAddresses: ['feedback@onramp.example'],
      Content: {
        Simple: {
          Subject: { Data: 'Woche 3: wie lief es? ✓', Charset: 'UTF-8' },
          Body: {
            Text: { Data: message.text, Charset: 'UTF-8' },
            Html: { Data: message.html, Charset: 'UTF-8' },
          },
        },
      },
    });
    expect(sentInput().Content?.Simple?.Attachments).toBeUndefined();
  });

  it('sends a subject as one line, whatever text reached it', async () => {
    // Prepare: plans are validated, so only a bug upstream could bring a header break here.
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-0001' });

    // Act
    await mailer.send(checkinMessage('owner', { subject: 'Kickoff: Books\r\nBcc: attacker@evil.example' }));

    // Assess
    expect(sentInput().Content?.Simple?.Subject?.Data).toBe('Kickoff: Books Bcc: attacker@evil.example');
  });

  it('attaches the message’s files with their name, type and exact bytes', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-0002' });
    const message = checkinMessage('owner', {
      attachments: [
        {
          filename: 'check-in-week-3.ics',
          contentType: 'text/calendar',
          content: ICS,
        },
      ],
    });

    // Act
    await mailer.send(message);

    // Assess
    const [attachment, ...more] = sentInput().Content?.Simple?.Attachments ?? [];
    expect(more).toEqual([]);
    expect(attachment).toMatchObject({
      FileName: 'check-in-week-3.ics',
      ContentType: 'text/calendar',
      ContentDisposition: 'ATTACHMENT',
      ContentTransferEncoding: 'BASE64',
    });
    expect(Buffer.from(attachment!.RawContent!).toString('utf8')).toBe(ICS);
  });

  it("returns SES's message id", async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-0001' });

    // Act
    const messageId = await mailer.send(checkinMessage('owner'));

    // Assess
    expect(messageId).toBe('ses-0001');
  });

  it.each([
    [
      'SES v2 throttling',
      new TooManyRequestsException({ message: 'Too many requests.', $metadata: { httpStatusCode: 429 } }),
    ],
    [
      'a service error',
      new SESv2ServiceException({
        name: 'InternalFailure',
        $fault: 'server',
        $metadata: { httpStatusCode: 500, attempts: 3 },
        message: 'Internal failure.',
      }),
    ],
  ])('turns %s into a TransientError', async (_, error) => {
    // Prepare
    ses.on(SendEmailCommand).rejects(error);

    // Act
    const outcome = mailer.send(checkinMessage('owner'));

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientError);
  });

  it('keeps a rejected message a MessageRejected: retrying would not help', async () => {
    // Prepare
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified.', $metadata: {} }));

    // Act
    const outcome = mailer.send(checkinMessage('owner'));

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(MessageRejected);
  });
});
