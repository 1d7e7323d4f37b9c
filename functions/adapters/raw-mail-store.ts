import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { OnrampError } from '#core/errors';
import { callAws } from './aws-errors.ts';

/**
 * Where SES receiving stores each message: the receipt rule's S3 action writes it at
 * `<prefix><SES message id>` before its Lambda action invokes the inbound function.
 */
export const RAW_MAIL_PREFIX = 'inbound/';

/**
 * The largest message read. A plan is at most 350 KB; this leaves room for a signature image or a
 * forwarded thread, and keeps a 40 MB message (SES's limit) from being parsed in memory.
 */
export const MAX_RAW_MAIL_BYTES = 10 * 1024 * 1024;

/** A message larger than MAX_RAW_MAIL_BYTES: the sender is told, nothing is parsed. */
export class RawMailTooLarge extends OnrampError {
  constructor(readonly bytes: number) {
    super(
      `The message is ${(bytes / 1024 / 1024).toFixed(1)} MB; an emailed plan can be at most ${MAX_RAW_MAIL_BYTES / 1024 / 1024} MB, attachments included`,
    );
  }
}

/** Where the inbound function reads a received message from, by its SES message id. */
export interface RawMailSource {
  /** The raw MIME message; RawMailTooLarge above MAX_RAW_MAIL_BYTES. */
  read(sesMessageId: string): Promise<Uint8Array>;
}

/** The raw messages SES receiving wrote to S3. */
export class S3RawMailStore implements RawMailSource {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix = RAW_MAIL_PREFIX,
  ) {}

  async read(sesMessageId: string): Promise<Uint8Array> {
    // SES message ids are letters, digits and dashes; anything else is not a key SES wrote.
    if (!/^[\w-]+$/.test(sesMessageId)) throw new Error('Not an SES message id');
    const { Body, ContentLength } = await callAws(() =>
      this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${sesMessageId}` })),
    );
    if (!Body) throw new Error('S3 returned the raw message without a body');
    if (ContentLength !== undefined && ContentLength > MAX_RAW_MAIL_BYTES) {
      // Close the connection rather than read what will not be used.
      (Body as { destroy?: () => void }).destroy?.();
      throw new RawMailTooLarge(ContentLength);
    }
    return callAws(() => Body.transformToByteArray());
  }
}
