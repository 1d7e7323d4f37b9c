import { z } from 'zod';

/** What a control request does to an onboarding: the last segment of its path. */
export type ControlAction = 'pause' | 'resume' | 'cancel';

/**
 * The body of a pause, resume or cancel request: `{"onboardingId": "<the path's id>", "action":
 * "<pause|resume|cancel>"}`. Standard Webhooks signs the id, the timestamp and the body, never the
 * method or the path (a read, which has no body, signs its request line instead). An empty body
 * would make the signed headers of one onboarding's cancel cancel any other for five minutes; a
 * body naming only the onboarding would let a captured pause be replayed as a cancel once its
 * first delivery failed (a failure frees its webhook-id). A body naming the onboarding and the
 * action binds the signature to exactly that request.
 */
const controlBodySchema = z.strictObject({
  onboardingId: z.string().min(1),
  action: z.enum(['pause', 'resume', 'cancel']),
});

/** What is wrong with a control request's body for its path; undefined when nothing. */
export function controlBodyProblem(
  body: string,
  onboardingId: string,
  action: ControlAction,
): string | undefined {
  const expected = `{"onboardingId": ${JSON.stringify(onboardingId)}, "action": "${action}"}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `The body must be ${expected}, as JSON`;
  }
  const checked = controlBodySchema.safeParse(parsed);
  if (!checked.success) return `The body must be ${expected} and nothing else`;
  if (checked.data.onboardingId !== onboardingId) {
    return `The body names onboarding "${checked.data.onboardingId}", not "${onboardingId}" of the path`;
  }
  if (checked.data.action !== action) {
    return `The body asks to ${checked.data.action}, not to ${action} as the path does`;
  }
  return undefined;
}
