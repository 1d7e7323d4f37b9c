import { emailOutboxFromEnvironment } from '#adapters/from-environment';
import { store } from './store.ts';

/** Built once per function instance, at cold start. */
export const outbox = emailOutboxFromEnvironment(process.env, store);
