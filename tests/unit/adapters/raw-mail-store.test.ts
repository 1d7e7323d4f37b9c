import 'aws-sdk-client-mock-vitest/extend';
import { GetObjectCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_RAW_MAIL_BYTES, RawMailTooLarge, S3RawMailStore } from '#adapters/raw-mail-store';
import { TransientError } from '#core/errors';

const s3 = mockClient(S3Client);
const store = new S3RawMailStore(new S3Client({ region: 'us-east-1' }), 'onramp-raw-mail');
const SES_MESSAGE_ID = 'o3vrnil0e2ic28trm7dfhrc2v0cnbeccl4nbp0g1';
const raw = new TextEncoder().encode('From: maria@santos-advisory.example\r\n\r\ntitle: x\r\n');

/** A GetObject body as the SDK hands it over: a stream that can be read whole or closed. */
function body(bytes: Uint8Array) {
  return { transformToByteArray: vi.fn(async () => bytes), destroy: vi.fn() };
}

beforeEach(() => {
  s3.reset();
});

describe('S3RawMailStore.read', () => {
  it('reads the object SES stored under inbound/ and the SES message id', async () => {
    // Prepare
    s3.on(GetObjectCommand).resolves({ Body: body(raw) as never, ContentLength: raw.byteLength });

    // Act
    const read = await store.read(SES_MESSAGE_ID);

    // Assess
    expect(read).toEqual(raw);
    expect(s3).toReceiveCommandExactlyOnceWith(GetObjectCommand, {
      Bucket: 'onramp-raw-mail',
      Key: `inbound/${SES_MESSAGE_ID}`,
    });
  });

  it('refuses a message larger than the limit without reading its body', async () => {
    // Prepare
    const large = body(raw);
    s3.on(GetObjectCommand).resolves({ Body: large as never, ContentLength: MAX_RAW_MAIL_BYTES + 1 });

    // Act
    const reading = store.read(SES_MESSAGE_ID);

    // Assess
    await expect(reading).rejects.toBeInstanceOf(RawMailTooLarge);
    expect(large.transformToByteArray).not.toHaveBeenCalled();
    expect(large.destroy).toHaveBeenCalled();
  });

  it('asks S3 for nothing when the id is not one SES gives (no other key can be read)', async () => {
    // Act
    const reading = store.read('../secrets/key');

    // Assess
    await expect(reading).rejects.toThrow('Not an SES message id');
    expect(s3).not.toReceiveCommand(GetObjectCommand);
  });

  it('lets a missing object through by its name, as a permanent failure', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );

    // Act
    const reading = store.read(SES_MESSAGE_ID);

    // Assess
    await expect(reading).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('turns a throttled read into a TransientError', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(
      new S3ServiceException({
        name: 'SlowDown',
        $fault: 'server',
        $metadata: { httpStatusCode: 503, attempts: 3 },
        message: 'Please reduce your request rate.',
      }),
    );

    // Act
    const reading = store.read(SES_MESSAGE_ID);

    // Assess
    await expect(reading).rejects.toBeInstanceOf(TransientError);
  });
});
