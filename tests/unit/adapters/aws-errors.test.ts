import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { callAws } from '#adapters/aws-errors';
import { TransientError } from '#core/errors';
import { conditionFailed } from './fixtures.ts';

/** A service error as the SDK throws it once its own retries are spent. */
function serviceError(
  name: string,
  fault: 'client' | 'server',
  extra: Record<string, unknown> = {},
): DynamoDBServiceException {
  const error = new DynamoDBServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: fault === 'server' ? 503 : 400, attempts: 3 },
    message: `${name} from the service`,
  });
  return Object.assign(error, extra);
}

/** A dropped connection as Node.js reports it: a plain Error with a code. */
function connectionReset(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

const failingWith = (error: unknown) => () => Promise.reject(error);

describe('callAws', () => {
  it('returns what the call resolves to', async () => {
    // Prepare
    const call = () => Promise.resolve({ Item: { pk: 'ONB#x' } });

    // Act
    const result = await callAws(call);

    // Assess
    expect(result).toEqual({ Item: { pk: 'ONB#x' } });
  });

  it.each([
    ['an error the SDK marks $retryable', serviceError('RequestTimeout', 'client', { $retryable: {} })],
    ['a ThrottlingException', serviceError('ThrottlingException', 'client')],
    ['a 5xx ($fault server)', serviceError('InternalFailure', 'server')],
    ['an ECONNRESET', connectionReset()],
  ])('turns %s into a TransientError', async (_case, error) => {
    // Act
    const outcome = callAws(failingWith(error));

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TransientError);
    await expect(outcome).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('names the original error in the TransientError message, without the service message', async () => {
    // Act
    const outcome = callAws(failingWith(serviceError('ThrottlingException', 'client')));

    // Assess
    await expect(outcome).rejects.toThrow(/^ThrottlingException from an AWS service$/);
  });

  it.each([
    ['a ValidationException', serviceError('ValidationException', 'client')],
    ['a ConditionalCheckFailedException', conditionFailed()],
  ])('lets %s through with its own name', async (_case, error) => {
    // Act
    const outcome = callAws(failingWith(error));

    // Assess
    await expect(outcome).rejects.toBe(error);
    await expect(outcome).rejects.toMatchObject({ name: error.name });
  });
});
