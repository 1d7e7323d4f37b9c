import type { Logger } from '@aws-lambda-powertools/logger';
import type { z } from 'zod';
import { logger } from './logger.ts';

/**
 * Wraps a workflow step: validates the state it receives, logs start and end with the onboarding
 * id, and lets named errors through so the state machine can Retry/Catch on their names.
 */
export function workflowStep<S extends z.ZodType<{ onboardingId: string }>, R>(
  step: string,
  schema: S,
  run: (state: z.output<S>, log: Logger) => Promise<R>,
): (event: unknown) => Promise<R> {
  return async (event) => {
    const state = schema.parse(event);
    const log = logger.createChild({ persistentKeys: { onboardingId: state.onboardingId, step } });
    log.info('step started');
    try {
      const result = await run(state, log);
      log.info('step finished');
      return result;
    } catch (error) {
      log.error('step failed', { errorName: error instanceof Error ? error.name : typeof error });
      throw error;
    }
  };
}
