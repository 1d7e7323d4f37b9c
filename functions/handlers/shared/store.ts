import { onboardingStoreFromEnvironment } from '#adapters/from-environment';

/** Built once per function instance, at cold start. */
export const store = onboardingStoreFromEnvironment(process.env);
