import { z } from 'zod';
import { workflowStep } from './shared/step.ts';
import { store } from './shared/store.ts';
import { workflow } from './shared/workflow.ts';

const parkInput = z.object({ onboardingId: z.string().min(1), taskToken: z.string().min(1) });

/**
 * The workflow's wait while an onboarding is paused (a `.waitForTaskToken` Task): keeps the task
 * token on the onboarding for the resume to hand back, if it is still paused. If it was resumed
 * or cancelled since the release step looked, nobody would send the token, so this sends it at
 * once and the release step looks again. The token is never logged.
 */
export const handler = workflowStep('park-while-paused', parkInput, async ({ onboardingId, taskToken }) => {
  const parked = await store.parkWhilePaused(onboardingId, taskToken);
  if (!parked) await workflow.sendTaskSuccess(taskToken, { resumed: true });
  return { parked };
});
