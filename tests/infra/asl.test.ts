import { readFileSync } from 'node:fs';
import validateAsl from 'asl-validator';
import { expect, it } from 'vitest';
import { aslFile } from '#infra/constructs/workflow';
import { fromRoot } from '#infra/paths';

it('the onboarding ASL is a valid state machine definition', () => {
  const definition: unknown = JSON.parse(readFileSync(fromRoot(aslFile), 'utf8'));
  const result = validateAsl(definition);
  expect(result.errorsText()).toBe('');
  expect(result.isValid).toBe(true);
});
