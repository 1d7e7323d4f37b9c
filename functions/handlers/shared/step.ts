import type { z } from 'zod';
import { logger } from './logger.ts';

/**
 * Wraps a workflow step: validates the state it receives, logs start and end with the onboarding
 * id, and lets named errors through so the state machine can Retry/Catch on their names.
 */
export function workflowStep<S extends z.ZodType<{ onboardingId: string }>, R>(
  step: string,
  schema: S,
  run: (state: z.output<S>, logKeys: { onboardingId: string; step: string }) => Promise<R>,
): (event: unknown) => Promise<R> {
  return async (event) => {
    const state = schema.parse(event);
    // The keys go on each line rather than into a child logger: invocations can overlap (locally,
    // many executions share one process), and building a child per call costs more than a log line.
    const keys = { onboardingId: state.onboardingId, step };
    logger.info('step started', keys);
    try {
      const result = await run(state, keys);
      logger.info('step finished', keys);
      return result;
    } catch (error) {
      logger.error('step failed', { ...keys, errorName: error instanceof Error ? error.name : typeof error });
      throw error;
    }
  };
}
