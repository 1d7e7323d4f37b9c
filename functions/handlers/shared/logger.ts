import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per function. Steps log through a child carrying the onboarding id,
 * so every line can be found by it; no plan text or addresses are ever logged.
 */
export const logger = new Logger({ serviceName: 'onramp' });
