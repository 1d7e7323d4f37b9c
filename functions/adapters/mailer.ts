import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { EmailMessage } from '#core/emails/message';
import { callAws } from './aws-errors.ts';

/** Sends rendered emails through SES (text and HTML parts) and returns SES's message id. */
export class SesMailer {
  constructor(
    private readonly ses: SESClient,
    private readonly sender: string,
  ) {}

  async send(message: EmailMessage): Promise<string> {
    const { MessageId } = await callAws(() =>
      this.ses.send(
        new SendEmailCommand({
          Source: this.sender,
          Destination: { ToAddresses: message.to },
          ReplyToAddresses: message.replyTo,
          Message: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              Html: { Data: message.html, Charset: 'UTF-8' },
            },
          },
        }),
      ),
    );
    if (!MessageId) throw new Error('SES accepted the email but returned no message id');
    return MessageId;
  }
}
