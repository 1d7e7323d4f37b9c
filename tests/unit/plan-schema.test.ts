import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { readPlanText } from '#core/validate-plan';
import { PLAN_SCHEMA_FILE, planJsonSchema, planJsonSchemaText } from '#local/plan-schema';
import { planInputFixture } from './core/fixtures.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const exampleFiles = readdirSync(EXAMPLES)
  .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
  .sort();

/**
 * A real JSON Schema validator, as an editor would use it. `email` is checked by the schema's
 * own pattern; the format keyword is accepted as an annotation so strict mode does not reject it.
 */
const ajv = new Ajv({ strict: true, allErrors: true, formats: { email: true } });
const validate = ajv.compile(planJsonSchema());

const readExample = (name: string): unknown => {
  const read = readPlanText(readFileSync(resolve(EXAMPLES, name), 'utf8'));
  if (!read.ok) throw new Error(`examples/${name} is not valid YAML`);
  return read.value;
};

const errorsOf = (value: unknown): string[] => {
  validate(value);
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message}`);
};

describe('schemas/plan.schema.json', () => {
  it('is what planJsonSchema() generates from the zod schema today', () => {
    const committed = existsSync(PLAN_SCHEMA_FILE) ? readFileSync(PLAN_SCHEMA_FILE, 'utf8') : '(missing)';

    expect(committed, 'schemas/plan.schema.json is out of date: run `npm run schema` and commit it').toBe(
      planJsonSchemaText(),
    );
  });

  it('names itself, so an editor can show what it checks', () => {
    const schema = planJsonSchema();

    expect({ $schema: schema.$schema, $id: schema.$id, title: schema.title }).toEqual({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://onramp.dev/schemas/plan.schema.json',
      title: 'onramp plan',
    });
  });
});

describe('the plan JSON Schema, checked by ajv', () => {
  it('finds the example plans to check', () => {
    expect(exampleFiles).toContain('bookkeeping.yaml');
  });

  it.each(exampleFiles)('accepts examples/%s', (name) => {
    expect(errorsOf(readExample(name))).toEqual([]);
  });

  it.each(exampleFiles)('is what examples/%s points editors to in its first line', (name) => {
    const firstLine = readFileSync(resolve(EXAMPLES, name), 'utf8').split('\n')[0] ?? '';
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine);

    expect(match && resolve(dirname(resolve(EXAMPLES, name)), match[1]!)).toBe(PLAN_SCHEMA_FILE);
  });

  it('leaves every field that has a default optional', () => {
    // Only title, the people, ramp.targetWeeklyVolume and the tasks' own fields are written.
    expect(errorsOf(planInputFixture())).toEqual([]);
  });

  it('takes a title with the line break a YAML block leaves after it, as onramp trims it, but not one inside', () => {
    expect(errorsOf({ ...planInputFixture(), title: 'Bookkeeping handover\n' })).toEqual([]);
    expect(errorsOf({ ...planInputFixture(), title: 'Bookkeeping\r\nBcc: x@evil.example' })).toContainEqual(
      expect.stringMatching(/^\/title must match pattern/),
    );
  });

  it('rejects an unknown field', () => {
    const plan = { ...planInputFixture(), budget: 1200 };

    expect(errorsOf(plan)).toContain('/ must NOT have additional properties');
  });

  it('rejects an unknown field inside a task', () => {
    const [first, ...rest] = planInputFixture().tasks;
    const plan = { ...planInputFixture(), tasks: [{ ...first, estimate: 3 }, ...rest] };

    expect(errorsOf(plan)).toContain('/tasks/0 must NOT have additional properties');
  });

  it('rejects a plan without an owner', () => {
    const { owner: _owner, ...plan } = planInputFixture();

    expect(errorsOf(plan)).toContain("/ must have required property 'owner'");
  });

  it('rejects a priority outside 1 to 5', () => {
    const [first, ...rest] = planInputFixture().tasks;
    const plan = { ...planInputFixture(), tasks: [{ ...first, priority: 0 }, ...rest] };

    expect(errorsOf(plan)).toContain('/tasks/0/priority must be >= 1');
  });

  it('rejects a curve that is neither a list of percentages nor a named curve', () => {
    const plan = { ...planInputFixture(), ramp: { targetWeeklyVolume: 40, curve: 'exponential' } };

    expect(errorsOf(plan)).toContain('/ramp/curve must match a schema in anyOf');
  });
});
