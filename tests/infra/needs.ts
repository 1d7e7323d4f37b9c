import type { FunctionManifest } from '#infra/constructs/workflow';

export type Need = FunctionManifest['functions'][number]['needs'][number];

/**
 * The environment variable each `needs` value of statemachines/onboarding.functions.json stands
 * for (the manifest's `$comment`), written out here so the tests state the contract rather than
 * read it back from the stack. A new need fails to compile until it is added.
 */
export const variableOfNeed: Record<Need, string> = {
  table: 'TABLE_NAME',
  mail: 'SENDER_EMAIL',
  operator: 'OPERATOR_EMAIL',
};
