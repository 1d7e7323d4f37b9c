import { describe, expect, it } from 'vitest';
import { readFunctionManifest } from '#infra/constructs/workflow';
import { readEdgeManifest } from '#infra/edge-manifest';
import { filesLoadedBy } from './handler-calls.ts';

const functions = [...readFunctionManifest().functions, ...readEdgeManifest().functions];

// Powertools Idempotency deletes its record when the call it guards throws (so a retry can run):
// without the `idempotency` need the role lacks dynamodb:DeleteItem, and in AWS every failure
// inside the guarded call (a bad plan's PlanInvalid included) turns into an AccessDenied on the
// delete. Locally nothing checks IAM, so only this test notices.
describe('the idempotency need', () => {
  it.each(functions.map((f) => [f.handler, f.needs]))('matches what %s loads', (handler, needs) => {
    const usesIdempotency = filesLoadedBy(handler).has('functions/adapters/idempotency.ts');
    expect(
      needs.includes('idempotency'),
      usesIdempotency
        ? `${handler} uses #adapters/idempotency: add "idempotency" to its needs in its manifest`
        : `${handler} does not use #adapters/idempotency: drop "idempotency" from its needs`,
    ).toBe(usesIdempotency);
  });
});
