import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OnrampError, type PlanIssue } from '#core/errors';
import { formatIssues, type PlanResult, readPlanText, validatePlan } from '#core/validate-plan';
import { printable } from './printable.ts';
import { DEFAULT_SCENARIO, SCENARIOS } from './scenarios.ts';
import { LocalSetupError } from './setup-error.ts';
import { fromUser, USER_CWD } from './user-cwd.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_PLAN = resolve(ROOT, 'examples/bookkeeping.yaml');
const MAIL_FOLDER = resolve(ROOT, '.onramp/mail');
const RUN_DEADLINE_MS = 5 * 60_000;

const USAGE = `onramp — phased onboarding of an outsourcing partner

Usage:
  onramp start [--plan FILE] [--scenario NAME]
                               run a whole onboarding locally and print its timeline
                               (default plan: examples/bookkeeping.yaml; scenario: steady)
  onramp serve [--port N] [--week-seconds S]
                               the local stack with its HTTP API on a loopback port (default 4000)
                               until Ctrl-C; each week's feedback window stays open S real seconds (120)
  onramp sign [--secret-file F] [--id ID] FILE|URL
                               curl arguments that sign FILE (a POST's body) or a GET of URL (its
                               request line) as a Standard Webhooks request, with the secret
                               \`onramp serve\` keeps
  onramp inbound FILE.eml [--from ADDRESS]
                               email a plan locally: the raw message goes through the inbound
                               function (allow-list, verdicts, plan, start, reply); prints the reply
  onramp validate FILE...      check plan files; prints every problem, exits 1 if any plan is invalid
  onramp submit --plan FILE    start an onboarding on AWS (needs AWS credentials, TABLE_NAME and
                               STATE_MACHINE_ARN from the stack's outputs)
  onramp feedback --onboarding ID --week N --role owner|partner --rating 1-5
                  [--comment TEXT] [--unfinished TASK,TASK] [--from EMAIL]
                               answer a week's check-in on AWS (needs TABLE_NAME)
`;

/** A plan file, validated; `written` is the plan as written, which a start hands on as it is. */
function readPlan(file: string): PlanResult & { written?: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return { ok: false, issues: [{ path: '', message: `cannot read the plan: ${reason}` }], warnings: [] };
  }
  const read = readPlanText(text);
  if (!read.ok) return { ok: false, issues: read.issues, warnings: [] };
  return { ...validatePlan(read.value, { now: new Date().toISOString() }), written: read.value };
}

function printIssues(file: string, kind: 'error' | 'warning', issues: readonly PlanIssue[]): void {
  const name = fromUser(file);
  for (const issue of issues) console.error(printable(`${name}: ${kind}: ${formatIssues([issue])}`));
}

async function validate(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  let invalid = 0;
  for (const file of files) {
    const result = readPlan(file);
    printIssues(file, 'warning', result.warnings);
    if (result.ok) {
      console.log(`${fromUser(file)}: valid (${result.plan.tasks.length} tasks, ${result.plan.weeks} weeks)`);
    } else {
      printIssues(file, 'error', result.issues);
      invalid++;
    }
  }
  return invalid > 0 ? 1 : 0;
}

async function start(planFile: string, scenarioName: string): Promise<number> {
  const scenario = SCENARIOS[scenarioName];
  if (!scenario) {
    console.error(`Unknown scenario "${scenarioName}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
    return 2;
  }
  // Validate before booting anything: a bad plan starts nothing.
  const result = readPlan(planFile);
  printIssues(planFile, 'warning', result.warnings);
  if (!result.ok) {
    printIssues(planFile, 'error', result.issues);
    console.error(`\nNothing was started: fix the plan and run again.`);
    return 1;
  }

  const began = performance.now();
  const [{ startLocalRuntime }, { renderTimeline }, { writeMailFolder }] = await Promise.all([
    import('./runtime.ts'),
    import('./timeline.ts'),
    import('./mail-files.ts'),
  ]);
  const runtime = await startLocalRuntime();
  try {
    console.log(`onramp, local run of ${fromUser(planFile)}`);
    console.log(
      `  emulators: DynamoDB ${runtime.endpoints.dynamodb} · SES ${runtime.endpoints.ses} · Step Functions ${runtime.endpoints.stepFunctions}\n`,
    );
    console.log(`Scenario ${scenarioName}: ${scenario.description}\n`);
    // A scenario written for a plan with references plays them only if the plan lists some.
    if (scenario.plan && scenario.references && result.plan.references.length === 0) {
      console.log(
        `Note: ${fromUser(planFile)} lists no references, so there is no due diligence to play; ` +
          `the scenario is written for ${scenario.plan}.\n`,
      );
    }
    runtime.simulation.play(result.plan.id, scenario);
    const { onboardingId } = await runtime.startOnboarding({ plan: result.written });
    const execution = runtime.stepFunctions.get(onboardingId);
    // Weeks pass in virtual time, so a run takes seconds; one that does not end is stopped.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      execution.done,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          console.error(`The run did not end within ${RUN_DEADLINE_MS / 60_000} minutes; stopping it.`);
          execution.abort();
          resolve();
        }, RUN_DEADLINE_MS);
      }),
    ]);
    clearTimeout(timer);
    await execution.done;

    const [onboarding, weeks, emails, feedback, answers, verdict] = await Promise.all([
      runtime.store.getOnboarding(onboardingId),
      runtime.store.listWeeks(onboardingId),
      runtime.store.listEmails(onboardingId),
      runtime.store.listFeedback(onboardingId),
      runtime.store.listReferenceAnswers(onboardingId),
      runtime.store.findDueDiligence(onboardingId),
    ]);
    emails.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
    const dueDiligence = { answers, verdict };
    console.log(
      renderTimeline({ onboarding, weeks, emails, feedback, visits: execution.visits, dueDiligence }),
    );

    const index = await writeMailFolder(MAIL_FOLDER, await runtime.mailbox.list());
    const seconds = ((performance.now() - began) / 1000).toFixed(1);
    console.log(
      `\nExecution ${execution.name}: ${execution.status} after ${weeks.length} weeks of virtual time, in ${seconds} s.`,
    );
    console.log(
      `${emails.length} emails sent; read them in ${fromUser(index)} (a .txt copy sits beside each).`,
    );
    return execution.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    await runtime.stop();
  }
}

/**
 * Starts an onboarding on the deployed stack with the same handler code the local run uses; the
 * SDK finds credentials and region the usual way, the handler finds the table and state machine
 * in TABLE_NAME and STATE_MACHINE_ARN.
 */
async function submit(planFile: string): Promise<number> {
  const result = readPlan(planFile);
  printIssues(planFile, 'warning', result.warnings);
  if (!result.ok) {
    printIssues(planFile, 'error', result.issues);
    return 1;
  }
  const missing = ['TABLE_NAME', 'STATE_MACHINE_ARN'].filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(`Set ${missing.join(' and ')} from the stack's outputs (npx cdk deploy prints them).`);
    return 2;
  }
  const { startOnboarding } = await import('#handlers/start-onboarding');
  const { onboardingId, created, executionArn } = await startOnboarding({ plan: result.written });
  console.log(`${created ? 'Started' : 'Already started'}: onboarding ${onboardingId}
  execution ${executionArn}`);
  return 0;
}

/**
 * Records an answer to a week's check-in on the deployed stack (source "api"), through the same
 * handler as every other answer. Until the link pages and replies arrive, this is how people's
 * feedback reaches a deployed onboarding.
 */
async function feedback(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      onboarding: { type: 'string' },
      week: { type: 'string' },
      role: { type: 'string' },
      rating: { type: 'string' },
      comment: { type: 'string' },
      unfinished: { type: 'string' },
      from: { type: 'string' },
    },
  });
  if (!process.env.TABLE_NAME) {
    console.error("Set TABLE_NAME from the stack's outputs (npx cdk deploy prints it).");
    return 2;
  }
  const { recordFeedback } = await import('#handlers/record-feedback');
  const recorded = await recordFeedback({
    onboardingId: values.onboarding ?? '',
    week: Number(values.week),
    role: values.role as 'owner' | 'partner',
    rating: Number(values.rating),
    comment: values.comment,
    unfinishedTaskIds: values.unfinished ? values.unfinished.split(',').map((id) => id.trim()) : [],
    source: 'api',
    from: values.from,
  });
  console.log(`Recorded: week ${recorded.week}, ${recorded.role} rated ${recorded.rating}/5.`);
  return 0;
}

/** The AWS SDK warns on every Node 20 process that its next versions need Node 22; the local run does not. */
function muteSdkNodeVersionWarning(): void {
  const [print] = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (
      warning.name !== 'NodeVersionSupportWarning' &&
      !warning.message.includes('NodeVersionSupportWarning')
    ) {
      print?.(warning);
    }
  });
}

/** Runs a command; onramp's own errors (a conflict, a bad answer) are told plainly, without a stack. */
async function run(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    // An option the command does not take, or one without its value: what is wrong, and the usage.
    if (String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof LocalSetupError) {
      console.error(printable(error.message));
      return 2;
    }
    if (!(error instanceof OnrampError)) throw error;
    console.error(printable(`error: ${error.name}: ${error.message}`));
    const issues = (error as { issues?: PlanIssue[] }).issues ?? [];
    for (const issue of issues) console.error(printable(`  ${formatIssues([issue])}`));
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  muteSdkNodeVersionWarning();
  const [command, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case 'start': {
      const { values } = parseArgs({
        args: rest,
        options: { plan: { type: 'string' }, scenario: { type: 'string', default: DEFAULT_SCENARIO } },
      });
      // A scenario written for another plan (due-diligence: one with references) runs on it by default.
      const scenarioPlan = SCENARIOS[values.scenario]?.plan;
      const plan = values.plan
        ? resolve(USER_CWD, values.plan)
        : scenarioPlan
          ? resolve(ROOT, scenarioPlan)
          : DEFAULT_PLAN;
      return start(plan, values.scenario);
    }
    case 'submit': {
      const { values } = parseArgs({ args: rest, options: { plan: { type: 'string' } } });
      if (!values.plan) {
        console.error(USAGE);
        return 2;
      }
      return submit(resolve(USER_CWD, values.plan));
    }
    case 'feedback':
      return feedback(rest);
    case 'serve': {
      const { serve, DEFAULT_PORT, DEFAULT_WEEK_SECONDS } = await import('./serve.ts');
      const { values } = parseArgs({
        args: rest,
        options: { port: { type: 'string' }, 'week-seconds': { type: 'string' } },
      });
      const port = Number(values.port ?? DEFAULT_PORT);
      const weekSeconds = Number(values['week-seconds'] ?? DEFAULT_WEEK_SECONDS);
      // A window is one Node timer, which holds at most 2^31 - 1 ms (about 24.8 days).
      if (
        !Number.isInteger(port) ||
        port < 1 ||
        port > 65535 ||
        !(weekSeconds > 0 && weekSeconds <= 2_147_483)
      ) {
        console.error(
          '--port takes a port number (1-65535), --week-seconds a number of seconds over 0 and at most 2147483 (24 days)',
        );
        return 2;
      }
      return serve({ port, weekSeconds });
    }
    case 'sign': {
      const { signCommand } = await import('./sign-webhook.ts');
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { 'secret-file': { type: 'string' }, id: { type: 'string' } },
      });
      return signCommand(values, positionals[0], USER_CWD);
    }
    case 'inbound': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { from: { type: 'string' } },
      });
      if (positionals.length !== 1) {
        console.error(USAGE);
        return 2;
      }
      const { inboundCommand } = await import('./inbound.ts');
      return inboundCommand(resolve(USER_CWD, positionals[0]!), values);
    }
    case 'validate':
      return validate(rest.map((f) => resolve(USER_CWD, f)));
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await run(process.argv.slice(2));
