import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { planSchema } from '#core/plan';

/**
 * The plan's JSON Schema, generated from the zod schema that validates plans, so editors can
 * complete and check a plan file while it is written (`# yaml-language-server: $schema=…`).
 * `npm run schema` writes it to schemas/plan.schema.json; a unit test fails when the committed
 * file no longer matches.
 */

export const PLAN_SCHEMA_FILE = fileURLToPath(new URL('../schemas/plan.schema.json', import.meta.url));
export const PLAN_SCHEMA_ID = 'https://onramp.dev/schemas/plan.schema.json';

/**
 * The JSON Schema of a plan as written: the input side of the zod schema, so a field with a
 * default is optional. Draft-07, the draft that editors' YAML and JSON language servers support
 * fully (the schema uses nothing newer). What a schema cannot say (known time zones, unique
 * task ids, dependencies that exist and form no cycle, a start not in the past) is left to
 * `onramp validate`.
 */
export function planJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(planSchema, { io: 'input', target: 'draft-07' });
  const { $schema, ...body } = generated;
  return {
    $schema,
    $id: PLAN_SCHEMA_ID,
    title: 'onramp plan',
    description:
      'A phased onboarding of an outsourcing partner: who hands what to whom, the tasks with their ' +
      'deliverables and acceptance criteria, and how fast the weekly volume ramps up. ' +
      'Check a plan completely with `npx onramp validate FILE`.',
    ...body,
  };
}

/** The schema file's exact text: 2-space JSON and a final newline. */
export function planJsonSchemaText(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(dirname(PLAN_SCHEMA_FILE), { recursive: true });
  writeFileSync(PLAN_SCHEMA_FILE, planJsonSchemaText());
  console.log(`wrote ${relative(process.cwd(), PLAN_SCHEMA_FILE)}`);
}
