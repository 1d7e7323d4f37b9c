import { workflowClientFromEnvironment } from '#adapters/from-environment';

/** Built once per function instance, at cold start. */
export const workflow = workflowClientFromEnvironment(process.env);
