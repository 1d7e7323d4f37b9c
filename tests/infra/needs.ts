import type { Need } from '#infra/constructs/onramp-function';

export type { Need };

/**
 * The environment variable each `needs` value of the manifests (statemachines/
 * onboarding.functions.json, functions/handlers/edge.functions.json) stands for, as the shared
 * contract and the manifests' `$comment` say, written out here so the tests state the contract
 * rather than read it back from the stack. A new need fails to compile until it is added.
 */
export const variableOfNeed: Record<Need, string> = {
  table: 'TABLE_NAME',
  // The index is the table's: the same name reaches it.
  statusIndex: 'TABLE_NAME',
  // The idempotency records live in the onboarding table.
  idempotency: 'TABLE_NAME',
  mail: 'SENDER_EMAIL',
  // Sending, and recording what was sent in the table (TABLE_NAME comes with `table`).
  outbox: 'SENDER_EMAIL',
  operator: 'OPERATOR_EMAIL',
  startWorkflow: 'STATE_MACHINE_ARN',
  stopWorkflow: 'STATE_MACHINE_ARN',
  taskTokens: 'STATE_MACHINE_ARN',
  webhookSecret: 'WEBHOOK_SECRET_ARN',
  linkSecret: 'LINK_SECRET_ARN',
  publicUrl: 'PUBLIC_BASE_URL',
  rawMail: 'RAW_MAIL_BUCKET',
  inboundSenders: 'INBOUND_ALLOWED_SENDERS',
  inboundAddress: 'INBOUND_ADDRESS',
  // Set only when the stack receives mail.
  replyAddress: 'INBOUND_ADDRESS',
};
