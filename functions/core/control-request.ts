import { z } from 'zod';

/**
 * The body of a pause, resume or cancel request: `{"onboardingId": "<the path's id>"}`.
 * Standard Webhooks signs the id, the timestamp and the body, never the method or the path. An
 * empty body would make every such request's signature a status read's (whose body is empty
 * too), so the signed headers of a captured `GET /onboardings/{id}` could cancel any onboarding
 * for five minutes. A body naming the onboarding binds the signature to it.
 */
const controlBodySchema = z.strictObject({ onboardingId: z.string().min(1) });

/** What is wrong with a control request's body for the onboarding of its path; undefined when nothing. */
export function controlBodyProblem(body: string, onboardingId: string): string | undefined {
  const expected = `{"onboardingId": ${JSON.stringify(onboardingId)}}`;
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
  return undefined;
}
