import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFunctionManifest } from '#infra/constructs/workflow';
import { readEdgeManifest } from '#infra/edge-manifest';
import { fromRoot } from '#infra/paths';
import { actionsCalledBy, calledActions, tracedActionsOf } from './handler-calls.ts';

const functions = [...readFunctionManifest().functions, ...readEdgeManifest().functions];
const source = (file: string) => readFileSync(fromRoot(file), 'utf8');
/** The SDK commands a module sends (`new StartExecutionCommand(`), sorted. */
const commandsIn = (file: string) =>
  [...new Set([...source(file).matchAll(/new (\w+Command)\(/g)].map((m) => m[1]))].sort();
const sourcesUnder = (folder: string): string[] =>
  readdirSync(fromRoot(folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));

// The grants of Step Functions, SES and BatchWriteItem are split by need, so each function gets
// what its handler calls and nothing more (infra/constructs/onramp-function.ts). These tests keep
// the table of tests/infra/handler-calls.ts, which the stack tests compare the roles with, true to
// the code.
describe('the AWS calls behind the split grants', () => {
  it('are the workflow client’s StartExecution, StopExecution and SendTaskSuccess, and no other Step Functions call', () => {
    expect(commandsIn('functions/adapters/workflow-client.ts')).toEqual([
      'SendTaskSuccessCommand',
      'StartExecutionCommand',
      'StopExecutionCommand',
    ]);
    const sfnUsers = sourcesUnder('functions').filter((file) => source(file).includes('@aws-sdk/client-sfn'));
    expect(sfnUsers.sort()).toEqual([
      'functions/adapters/from-environment.ts',
      'functions/adapters/workflow-client.ts',
    ]);
  });

  it('send email with SES v2 SendEmail only (ses:SendEmail), never a raw email', () => {
    expect(commandsIn('functions/adapters/mailer.ts')).toEqual(['SendEmailCommand']);
    const sesUsers = sourcesUnder('functions').filter((file) => source(file).includes('@aws-sdk/client-ses'));
    expect(sesUsers.sort()).toEqual([
      'functions/adapters/from-environment.ts',
      'functions/adapters/mailer.ts',
    ]);
  });

  it('write in batches only in OnboardingStore.recordSent, which only the email outbox calls', () => {
    const batchWriters = sourcesUnder('functions').filter((file) =>
      /new BatchWriteCommand\(/.test(source(file)),
    );
    expect(batchWriters).toEqual(['functions/adapters/onboarding-store.ts']);
    const store = source('functions/adapters/onboarding-store.ts');
    expect(store.match(/new BatchWriteCommand\(/g)).toHaveLength(1);
    // The method the one BatchWriteCommand is in: the last one declared before it.
    const before = store.slice(0, store.indexOf('new BatchWriteCommand('));
    expect([...before.matchAll(/\n {2}(?:async )?(\w+)\(/g)].at(-1)?.[1]).toBe('recordSent');
    const callers = sourcesUnder('functions').filter((file) => /\.recordSent\(/.test(source(file)));
    expect(callers).toEqual(['functions/adapters/email-outbox.ts']);
  });

  it('are listed for exactly the functions of both manifests', () => {
    expect(Object.keys(actionsCalledBy).sort()).toEqual(functions.map((f) => f.handler).sort());
  });

  it.each(functions.map((f) => [f.handler]))('are what the code of %s calls', (handler) => {
    expect(tracedActionsOf(handler)).toEqual([...actionsCalledBy[handler]!].sort());
  });
});

describe('the needs that grant them', () => {
  it.each(functions.map((f) => [f.handler, f.needs]))('match what %s calls', (handler, needs) => {
    const states = calledActions(handler, 'states');
    const sends = calledActions(handler, 'ses').includes('ses:SendEmail');
    const recordsSent = calledActions(handler, 'dynamodb').includes('dynamodb:BatchWriteItem');

    expect(needs.includes('startWorkflow'), 'startWorkflow').toBe(states.includes('states:StartExecution'));
    expect(needs.includes('stopWorkflow'), 'stopWorkflow').toBe(states.includes('states:StopExecution'));
    expect(needs.includes('taskTokens'), 'taskTokens').toBe(states.includes('states:SendTaskSuccess'));
    expect(needs.includes('outbox'), 'outbox').toBe(recordsSent);
    // `mail` is sending without the outbox (the inbound function's replies); `outbox` includes it.
    expect(needs.includes('mail') || needs.includes('outbox'), 'mail or outbox').toBe(sends);
    expect(needs.includes('mail') && needs.includes('outbox'), 'both mail and outbox').toBe(false);
    // The outbox writes its records through the store.
    if (needs.includes('outbox')) expect(needs, 'outbox without table').toContain('table');
  });
});
