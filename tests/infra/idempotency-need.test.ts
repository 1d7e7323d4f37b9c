import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFunctionManifest } from '#infra/constructs/workflow';
import { readEdgeManifest } from '#infra/edge-manifest';
import { fromRoot, repoRoot } from '#infra/paths';

/** The package.json `imports` aliases the handlers use, as folders of the repository. */
const aliases: Record<string, string> = {
  '#core/': 'functions/core/',
  '#adapters/': 'functions/adapters/',
  '#handlers/': 'functions/handlers/',
};

/** The repository file an import specifier names, or undefined for a package. */
function resolveImport(fromFile: string, specifier: string): string | undefined {
  const alias = Object.keys(aliases).find((prefix) => specifier.startsWith(prefix));
  if (alias) return fromRoot(`${aliases[alias]}${specifier.slice(alias.length)}.ts`);
  if (specifier.startsWith('.')) return join(dirname(fromFile), specifier);
  return undefined;
}

/** Every repository file a handler loads, itself included, following its static imports. */
function filesLoadedBy(handler: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const target = resolveImport(file, specifier!);
      if (target) visit(target);
    }
  };
  visit(fromRoot(`functions/handlers/${handler}.ts`));
  return new Set([...seen].map((file) => relative(repoRoot, file)));
}

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
