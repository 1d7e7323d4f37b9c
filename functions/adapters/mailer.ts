import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailMessage } from '#core/emails/message';
import { oneLine } from '#core/plain-text';
import { callAws } from './aws-errors.ts';

/**
 * Sends rendered emails through SES (API v2: text and HTML parts, and attachments such as the
 * check-in's calendar event) and returns SES's message id. A simple message: SES builds the MIME,
 * attachments included, so no MIME is composed here.
 */
export class SesMailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly sender: string,
  ) {}

  async send(message: EmailMessage): Promise<string> {
    const attachments = message.attachments ?? [];
    const { MessageId } = await callAws(() =>
      this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.sender,
          Destination: { ToAddresses: message.to },
          ReplyToAddresses: message.replyTo,
          Content: {
            Simple: {
              // Subjects are built from validated text; one line all the same, as a header must be.
              Subject: { Data: oneLine(message.subject), Charset: 'UTF-8' },
              Body: {
                Text: { Data: message.text, Charset: 'UTF-8' },
                Html: { Data: message.html, Charset: 'UTF-8' },
              },
              ...(attachments.length > 0
                ? {
                    Attachments: attachments.map((a) => ({
                      FileName: a.filename,
                      ContentType: a.contentType,
                      ContentDisposition: 'ATTACHMENT' as const,
                      ContentTransferEncoding: 'BASE64' as const,
                      RawContent: new TextEncoder().encode(a.content),
                    })),
                  }
                : {}),
            },
          },
        }),
      ),
    );
    if (!MessageId) throw new Error('SES accepted the email but returned no message id');
    return MessageId;
  }
}
