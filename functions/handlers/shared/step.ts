import type { z } from 'zod';
import { OnrampError } from '#core/errors';
import { logger } from './logger.ts';

/**
 * Wraps a workflow step: validates the state it receives, logs start and end with the onboarding
 * id, and lets errors through by name so the state machine can Retry/Catch on them.
 */
export function workflowStep<S extends z.ZodType<{ onboardingId: string }>, R>(
  step: string,
  schema: S,
  run: (state: z.output<S>) => Promise<R>,
): (event: unknown) => Promise<R> {
  return async (event) => {
    const state = schema.parse(event);
    // The keys go on each line rather than into a child logger: invocations can overlap (locally,
    // many executions share one process), and building a child per call costs more than a log line.
    const keys = { onboardingId: state.onboardingId, step };
    logger.info('step started', keys);
    try {
      const result = await run(state);
      logger.info('step finished', keys);
      return result;
    } catch (error) {
      // The details go to the function's log, with addresses masked; the history gets the name only.
      logger.error('step failed', {
        ...keys,
        errorName: error instanceof Error ? error.name : typeof error,
        errorDetail: maskAddresses(error instanceof Error ? (error.stack ?? error.message) : String(error)),
      });
      throw withoutDetails(error, step);
    }
  };
}

/**
 * The error as the execution history will show it: the same name (Retry and Catch match on it),
 * and a message that cannot carry personal data. onramp's own errors are written without any;
 * anything else (an AWS service message can quote an email address) is reduced to its name.
 */
function maskAddresses(text: string): string {
  return text.replace(/[^\s@"'<>]+@[^\s@"'<>]+/g, '<address>');
}

function withoutDetails(error: unknown, step: string): Error {
  if (error instanceof OnrampError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  return Object.assign(new Error(`${name} in step ${step}; the function's log has the request id`), { name });
}
