import { TransientError } from '#core/errors';

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  // SES API v2's throttling.
  'TooManyRequestsException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * Runs an SDK call and turns the failures worth retrying (after the SDK's own retries) into
 * `TransientError`, which the state machine retries with backoff and jitter. Other errors keep
 * their name, so a permanent failure is caught and reported instead of retried.
 */
export async function callAws<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // Only the name: the service's message can quote request data (an address, an item key).
    if (isTransient(error)) throw new TransientError(`${(error as Error).name} from an AWS service`);
    throw error;
  }
}

function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = error as Error & { $retryable?: unknown; $fault?: string; code?: string };
  return (
    Boolean(meta.$retryable) ||
    meta.$fault === 'server' ||
    TRANSIENT_NAMES.has(error.name) ||
    (meta.code !== undefined && TRANSIENT_NAMES.has(meta.code))
  );
}
