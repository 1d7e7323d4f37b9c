import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import type { Scenario } from '#local/scenarios';
import { examplePlan, untilStopped } from './helpers.ts';

const exec = promisify(execFile);

/** Runs the `onramp` command as a user would, and returns its exit code and output. */
async function onramp(args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'local/cli.ts', ...args], {
      env,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// One local runtime for the file: its handlers read their configuration once, as a Lambda does.
let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startLocalRuntime();
});
afterAll(async () => {
  await runtime?.stop();
});

describe('onramp validate', () => {
  it('passes every example plan', async () => {
    const examples = readdirSync('examples').map((f) => `examples/${f}`);

    const { code, stdout } = await onramp(['validate', ...examples]);

    expect(code).toBe(0);
    for (const file of examples)
      expect(stdout).toMatch(new RegExp(`${file}: valid \\(\\d+ tasks, \\d+ weeks\\)`));
  });

  it('reads and names files from where the user ran npm, not the project root', async () => {
    // npm runs scripts from the project root and keeps the user's folder in INIT_CWD.
    const { code, stdout } = await onramp(['validate', 'support-team.yaml'], {
      ...process.env,
      INIT_CWD: resolve('examples'),
    });

    expect(code).toBe(0);
    expect(stdout).toMatch(/^support-team\.yaml: valid/m);
  });

  it('lists every problem of a broken plan, like a compiler, and exits 1', async () => {
    const { code, stderr } = await onramp(['validate', 'tests/fixtures/plans/broken.yaml']);

    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'tests/fixtures/plans/broken.yaml: error: owner.email: not a valid email address: "maria-at-santos-advisory.example"',
      expect.stringMatching(
        /^tests\/fixtures\/plans\/broken\.yaml: error: owner\.timeZone: unknown IANA time zone "Mars\/Olympus"/,
      ),
      'tests/fixtures/plans/broken.yaml: error: tasks[1].dependsOn[0]: unknown task "invoicing"; known: bank-feeds, payment-runs',
    ]);
  });
});

describe('onramp start', () => {
  it('starts nothing from a broken plan, says so, and exits 1', async () => {
    const { code, stderr, stdout } = await onramp(['start', '--plan', 'tests/fixtures/plans/broken.yaml']);

    expect(code).toBe(1);
    expect(stderr).toContain('Nothing was started: fix the plan and run again.');
    expect(stdout).not.toContain('emulators:');
  });

  it('plays the quality-drop scenario week by week, saying how each answer came', async () => {
    const { code, stdout } = await onramp(['start', '--scenario', 'quality-drop']);

    expect(code).toBe(0);
    expect(stdout).toContain('Scenario quality-drop:');
    expect(stdout).toContain(
      'owner   rated 3/5 by link "Several receipts were booked to the wrong accounts; I corrected them."',
    );
    expect(stdout).toMatch(/gate .+: hold at 35%: the owner rated the work 3\/5/);
    expect(stdout).toMatch(/gate .+: step back from 35% to 20%: the owner rated the work 2\/5/);
    expect(stdout).toContain('partner rated 4/5 by email "Clear instructions, a manageable week."');
    expect(stdout).toContain('Status: completed');
  });

  it('plays the owner-aborts scenario: the owner aborts by replying, and the timeline says so', async () => {
    const { code, stdout } = await onramp(['start', '--scenario', 'owner-aborts']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/owner asked .+\n(.+\n)*?\s+owner decided .+ by email: abort the onboarding/);
    expect(stdout).toContain('Status: aborted');
  });

  it('refuses an unknown scenario, naming the known ones', async () => {
    const { code, stderr } = await onramp(['start', '--scenario', 'chaos']);

    expect(code).toBe(2);
    expect(stderr).toContain('Unknown scenario "chaos"; known: steady, bad-week, silent');
  });

  it('notes that a scenario written for references has none to play on a plan without them', async () => {
    const { code, stdout } = await onramp([
      'start',
      '--scenario',
      'due-diligence',
      '--plan',
      'examples/bookkeeping.yaml',
    ]);

    expect(code).toBe(0);
    expect(stdout).toContain(
      'Note: examples/bookkeeping.yaml lists no references, so there is no due diligence to play',
    );
  });

  it('prints the usage for --help, and names an option it does not take, without a stack trace', async () => {
    const help = await onramp(['start', '--help']);
    const unknown = await onramp(['start', '--weeks', '3']);

    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('onramp start [--plan FILE]') });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown option '--weeks'/);
    expect(unknown.stderr).toContain('onramp start [--plan FILE]');
    expect(unknown.stderr).not.toMatch(/\s+at /);
  });
});

describe('onramp submit', () => {
  it('starts an onboarding through the Step Functions API, once, and says so', async () => {
    // The runtime's environment holds TABLE_NAME, STATE_MACHINE_ARN and the endpoints, as a shell
    // would hold the stack's outputs and credentials.
    const first = await onramp(['submit', '--plan', 'examples/support-team.yaml']);
    const again = await onramp(['submit', '--plan', 'examples/support-team.yaml']);

    expect(first.code).toBe(0);
    const [, id] = /^Started: onboarding (\S+)$/m.exec(first.stdout) ?? [];
    expect(id).toMatch(/^customer-support-handover-to-brightdesk-[0-9a-f]{8}$/);
    expect(again.stdout).toContain(`Already started: onboarding ${id}`);
    expect([...runtime.stepFunctions.executions.keys()]).toEqual([id]);
    expect((await runtime.store.getOnboarding(id!)).plan.title).toBe(
      'Customer support handover to BrightDesk',
    );
  });

  it('asks for the stack outputs it needs', async () => {
    const { code, stderr } = await onramp(['submit', '--plan', 'examples/support-team.yaml'], {
      PATH: process.env.PATH,
    });

    expect(code).toBe(2);
    expect(stderr).toContain("Set TABLE_NAME and STATE_MACHINE_ARN from the stack's outputs");
  });
});

describe('onramp feedback', () => {
  let reachedCheckIn: () => void;
  let answerGiven: () => void;
  const atCheckIn = new Promise<void>((resolve) => {
    reachedCheckIn = resolve;
  });
  const given = new Promise<void>((resolve) => {
    answerGiven = resolve;
  });
  // The owner answers week 1 from the command line while the workflow waits for feedback; then
  // nobody answers, and the onboarding runs out.
  const answeredFromTheCommandLine: Scenario = {
    description: 'the owner answers week 1 with onramp feedback',
    owner: async ({ week }) => {
      if (week === 1) {
        reachedCheckIn();
        await given;
      }
      return undefined;
    },
    partner: () => undefined,
  };

  afterAll(() => {
    answerGiven();
  });

  it('records an answer that the week’s gate then reads, and refuses a bad one with every problem', async () => {
    const id = 'answered-by-cli';
    runtime.simulation.play(id, answeredFromTheCommandLine);
    await runtime.startOnboarding({ plan: { ...examplePlan(), id } });
    await atCheckIn;

    // The runtime's environment points the SDK at the emulators, as a shell would at AWS.
    const bad = await onramp([
      'feedback',
      '--onboarding',
      id,
      '--week',
      '1',
      '--role',
      'partner',
      '--rating',
      '0',
      '--unfinished',
      'bank-feeds',
    ]);
    const good = await onramp([
      'feedback',
      '--onboarding',
      id,
      '--week',
      '1',
      '--role',
      'owner',
      '--rating',
      '4',
      '--comment',
      'Fine <b>work</b>',
    ]);
    answerGiven();
    await untilStopped(runtime.stepFunctions.get(id));

    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: FeedbackInvalid: The feedback has 2 problems');
    expect(bad.stderr).toContain('unfinishedTaskIds: only the owner reports unfinished work');
    expect(bad.stderr).toContain('rating: must be 1 to 5');
    expect(good).toMatchObject({ code: 0, stdout: 'Recorded: week 1, owner rated 4/5.\n' });
    const [week1] = await runtime.store.listWeeks(id);
    expect(week1!.decision?.reason).toBe('hold at 10%: no word from the partner');
    expect(await runtime.store.listFeedback(id)).toEqual([
      expect.objectContaining({
        week: 1,
        role: 'owner',
        rating: 4,
        comment: 'Fine <b>work</b>',
        source: 'api',
      }),
    ]);
  });
});
