import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Clock } from '#adapters/clock';
import { unverifiedOnboardingId } from '#core/link-token';

/**
 * The onboarding a request to the HTTP API concerns: the `{id}` of the integration routes, or the
 * onboarding a link's token names (unverified: the handler checks the token; this only picks the
 * clock to run it at).
 */
export function onboardingOfRequest(event: APIGatewayProxyEventV2): string | undefined {
  const { id, token } = event.pathParameters ?? {};
  if (id) return id;
  return token ? unverifiedOnboardingId(token) : undefined;
}

/**
 * The clock a request runs at locally: the virtual clock of the onboarding's execution, so what a
 * person does during a week held open in real time (`npm run serve`) is stamped, and its link
 * checked, at that week's date, as on AWS, rather than at today's; the system clock for a request
 * about no running onboarding (a start).
 */
export function requestClock(clockOf: (onboardingId: string) => Clock | undefined) {
  return (event: APIGatewayProxyEventV2): Clock | undefined => {
    const onboardingId = onboardingOfRequest(event);
    return onboardingId === undefined ? undefined : clockOf(onboardingId);
  };
}
