import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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

/**
 * Every repository file a handler loads, itself included, following its static and dynamic
 * imports, as paths from the repository root.
 */
export function filesLoadedBy(handler: string): Set<string> {
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

/**
 * The IAM actions a call site stands for, among those granted by need: the workflow client's
 * methods (functions/adapters/workflow-client.ts, one SDK command each, reached through the
 * `workflow` of functions/handlers/shared/workflow.ts), and the two ways a function sends email:
 * the outbox (SES, then `OnboardingStore.recordSent`'s BatchWriteItem) and the inbound replies.
 */
const callSites: [RegExp, string[]][] = [
  [/\bworkflow\.start\(/, ['states:StartExecution']],
  [/\bworkflow\.stop\(/, ['states:StopExecution']],
  [/\bworkflow\.sendTaskSuccess\(/, ['states:SendTaskSuccess']],
  [/(?<!function )\bemailOutboxFromEnvironment\(/, ['ses:SendEmail', 'dynamodb:BatchWriteItem']],
  [/(?<!function )\binboundRepliesFromEnvironment\(/, ['ses:SendEmail']],
];

/** The Step Functions, SES and BatchWriteItem actions a handler's code calls, traced from its call sites. */
export function tracedActionsOf(handler: string): string[] {
  const actions = new Set<string>();
  for (const file of filesLoadedBy(handler)) {
    const source = readFileSync(fromRoot(file), 'utf8');
    for (const [pattern, granted] of callSites) {
      if (pattern.test(source)) for (const action of granted) actions.add(action);
    }
  }
  return [...actions].sort();
}

/** Sending through the outbox: the email, then the record of it (`recordSent`, one BatchWriteItem). */
const outbox = ['ses:SendEmail', 'dynamodb:BatchWriteItem'];

/**
 * What each handler calls, by the IAM action each call needs, for the services whose grants are
 * split by need: Step Functions, SES, and DynamoDB's BatchWriteItem. Written out, so a test states
 * least privilege rather than reading it back from the stack; another test checks it against the
 * handlers' code.
 */
export const actionsCalledBy: Record<string, string[]> = {
  accept: [],
  'ask-references': outbox,
  'remind-references': outbox,
  'score-references': [],
  kickoff: outbox,
  'release-batch': outbox,
  'send-checkins': outbox,
  // Hands the token straight back when the onboarding is no longer paused.
  'park-while-paused': ['states:SendTaskSuccess'],
  'remind-silent': outbox,
  evaluate: outbox,
  // Hands the token back at once when nobody is there to ask.
  'ask-owner': [...outbox, 'states:SendTaskSuccess'],
  'apply-owner-decision': outbox,
  'wrap-up': outbox,
  'mark-failed': outbox,
  // Starts (POST /onboardings), stops (cancel) and resumes (the parked task token); cancel emails.
  'integration-api': [...outbox, 'states:StartExecution', 'states:StopExecution', 'states:SendTaskSuccess'],
  // An owner's decision by link hands the waiting task its answer.
  'link-pages': ['states:SendTaskSuccess'],
  // Starts an emailed plan's onboarding, answers a decision given by reply, and replies itself.
  'inbound-mail': ['ses:SendEmail', 'states:StartExecution', 'states:SendTaskSuccess'],
};

/** The actions of `service` (`states`, `ses`, `dynamodb`) a handler calls, sorted. */
export const calledActions = (handler: string, service: string): string[] => {
  const actions = actionsCalledBy[handler];
  if (!actions) throw new Error(`${handler} is not in actionsCalledBy (tests/infra/handler-calls.ts)`);
  return actions.filter((action) => action.startsWith(`${service}:`)).sort();
};
