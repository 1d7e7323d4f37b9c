import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithClock } from '#adapters/clock';
import { type LinkClaims, signLinkToken, verifyLinkToken } from '#core/link-token';
import type { OwnerChoice } from '#core/owner-decision';
import { LinkClicks } from '#local/link-clicks';
import type { ReceivedEmail } from '#local/mailbox';
import type { Execution, ParkedTask } from '#local/runner';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { SCENARIOS, type Scenario } from '#local/scenarios';
import { examplePlan, untilStopped } from './helpers.ts';

/**
 * Owner decisions on the local runtime: the gate asks the owner, the workflow waits on a task
 * token, and the owner decides through the signed links of the escalation email (the real link
 * handler, at the execution's virtual time), or does not, and the deadline's default applies.
 */

const OWNER = 'maria@santos-advisory.example';
const PARTNER = 'team@ledgerly.example';
const LABEL: Record<OwnerChoice, string> = {
  continue: 'Continue',
  extend: 'Extend this stage',
  abort: 'Abort the onboarding',
};

let runtime: LocalRuntime;
const links = new LinkClicks();
beforeAll(async () => {
  runtime = await startLocalRuntime();
});
afterAll(async () => {
  await runtime?.stop();
});

async function start(id: string, scenario: Scenario): Promise<Execution> {
  runtime.simulation.play(id, scenario);
  await runtime.startOnboarding({ plan: { ...examplePlan(), id } });
  return runtime.stepFunctions.get(id);
}

/** Polls until the execution waits for the owner's decision, failing past the deadline or if it ends. */
async function untilAsked(id: string, deadlineMs = 20_000): Promise<ParkedTask> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const parked = runtime.stepFunctions.parked(id).find((p) => p.stateName === 'WaitForOwnerDecision');
    if (parked) return parked;
    const { status } = runtime.stepFunctions.get(id);
    if (status !== 'RUNNING') throw new Error(`${id} ended ${status} instead of asking the owner`);
    if (Date.now() > deadline) throw new Error(`${id} did not ask the owner within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function escalationEmails(id: string): Promise<ReceivedEmail[]> {
  const records = (await runtime.store.listEmails(id)).filter((e) => e.kind === 'escalation');
  const ids = new Set(records.map((r) => r.messageId));
  return (await runtime.mailbox.list()).filter((m) => ids.has(m.messageId));
}

function linkIn(email: ReceivedEmail, choice: OwnerChoice): string {
  const link = email.body.text?.split(`${LABEL[choice]}:\n`)[1]?.split(/\s/)[0];
  if (!link) throw new Error(`no ${choice} link in "${email.subject}"`);
  return link;
}

const tokenOf = (link: string) => link.split('/links/')[1]!;
const states = (execution: Execution) => execution.visits.map((v) => v.state);

describe('a silent partner: hold, then the owner is asked and aborts through the link', () => {
  const id = 'owner-aborts';
  let execution: Execution;
  let escalation: ReceivedEmail;

  beforeAll(async () => {
    // The scenario's owner replies by email (decision-replies.test.ts); here they use the link.
    execution = await untilStopped(await start(id, { ...SCENARIOS['owner-aborts']!, decidesBy: 'link' }));
    [escalation] = (await escalationEmails(id)) as [ReceivedEmail];
  });

  it('waits for the owner after week 3, applies the abort and ends, without wrapping up', () => {
    const path = states(execution);
    expect(path.slice(-5)).toEqual([
      'IsOnboardingDone',
      'WaitForOwnerDecision',
      'ApplyOwnerDecision',
      'IsOnboardingDone',
      'Aborted',
    ]);
    expect(path).not.toContain('WrapUp');
    expect(path).not.toContain('MarkFailed');
    expect(execution.status).toBe('SUCCEEDED');
    const waited = execution.visits.find((v) => v.state === 'WaitForOwnerDecision')!;
    expect(waited.output).toMatchObject({ ownerAnswer: { choice: 'abort' } });
  });

  it('records the question, the decision and who made it, and the onboarding as aborted', async () => {
    const [onboarding, weeks, question] = await Promise.all([
      runtime.store.getOnboarding(id),
      runtime.store.listWeeks(id),
      runtime.store.findDecision(id, 3),
    ]);
    expect(weeks.map((w) => w.decision?.outcome)).toEqual(['advance', 'hold', 'escalate']);
    expect(question).toMatchObject({
      week: 3,
      state: 'decided',
      choice: 'abort',
      decidedBy: OWNER,
      decidedVia: 'link',
    });
    expect(question?.taskToken).toBeUndefined();
    expect(weeks[2]!.decision?.owner).toMatchObject({
      choice: 'abort',
      by: OWNER,
      via: 'link',
      at: question!.decidedAt,
    });
    expect(onboarding).toMatchObject({ status: 'aborted', abortedAt: question!.decidedAt });
  });

  it('emails the owner three signed decision links, and neither the links nor the history carry the task token', () => {
    expect(escalation.destination.to).toEqual([OWNER]);
    expect(escalation.subject).toBe('Your attention, week 3: Bookkeeping handover to Ledgerly');
    for (const choice of ['continue', 'extend', 'abort'] as const) {
      const check = verifyLinkToken(tokenOf(linkIn(escalation, choice)), runtime.secrets.link, {
        purposes: ['decision'],
        now: new Date(Date.parse('2026-12-18T14:00:00Z')),
      });
      expect(check).toMatchObject({
        ok: true,
        claims: { onboardingId: id, week: 3, role: 'owner', recipient: OWNER, purpose: 'decision', choice },
      });
    }
    const history = JSON.stringify(execution.visits);
    expect(history).not.toMatch(/local-task-token|@/);
    expect(escalation.body.text).not.toMatch(/local-task-token/);
  });

  it('tells both sides, once', async () => {
    const aborted = (await runtime.store.listEmails(id)).filter((e) => e.kind === 'aborted');
    expect(aborted.map((e) => `${e.role}:${e.to.join()}`).sort()).toEqual([
      `owner:${OWNER}`,
      `partner:${PARTNER}`,
    ]);
    expect(aborted.every((e) => e.subject === 'Stopped after week 3: Bookkeeping handover to Ledgerly')).toBe(
      true,
    );
  });

  it('shows the decision in the status', async () => {
    const { onboardingStatusView } = await import('#core/onboarding-status');
    const { onboarding, weeks, feedback } = await runtime.store.getOnboardingHistory(id);
    const view = onboardingStatusView(onboarding, weeks, feedback, new Date().toISOString());
    expect(view.status).toBe('aborted');
    expect(view.weeks[2]!.decision).toMatchObject({
      outcome: 'escalate',
      owner: { decision: 'abort', reason: 'the owner aborted the onboarding' },
    });
    expect(JSON.stringify(view)).not.toContain(OWNER);
  });

  it('answers a second decision with the first one, changing nothing', async () => {
    const before = await runtime.store.findDecision(id, 3);
    const page = await runWithClock(execution.clock, () =>
      links.click(linkIn(escalation, 'continue'), { choice: 'continue' }),
    );
    expect(page.status).toBe(409);
    expect(page.body).toContain('Already decided: Abort the onboarding');
    expect(await runtime.store.findDecision(id, 3)).toEqual(before);
    expect((await runtime.store.getOnboarding(id)).status).toBe('aborted');
  });
});

describe('an owner who never answers', () => {
  const id = 'owner-never-answers';
  let execution: Execution;

  beforeAll(async () => {
    execution = await untilStopped(await start(id, SCENARIOS.silent!));
  });

  it('times out at the deadline, holds by default, and asks again the next week as a reminder', async () => {
    const weeks = await runtime.store.listWeeks(id);
    const asked = weeks.filter((w) => w.decision?.outcome === 'escalate');
    expect(asked.length).toBeGreaterThan(1);
    for (const w of asked) {
      expect(w.decision?.owner).toMatchObject({ choice: 'none' });
      expect(w.decision).toMatchObject({ releaseNew: false });
    }
    for (const w of weeks.slice(2)) expect(w.tasks).toEqual([]);
    const timedOut = execution.visits.filter(
      (v) => v.state === 'WaitForOwnerDecision' && v.error === 'States.Timeout',
    );
    expect(timedOut).toHaveLength(asked.length);
    const question = await runtime.store.findDecision(id, asked[0]!.week);
    expect(question).toMatchObject({ state: 'timed-out' });
    expect(question?.taskToken).toBeUndefined();
    // The deadline: the business day before the next check-in (a Thursday here), at the check-in time.
    const nextCheckin = weeks.find((w) => w.week === asked[0]!.week + 1)!.checkinAt;
    expect(Date.parse(question!.timedOutAt!)).toBe(Date.parse(nextCheckin) - 24 * 3600_000);
    const emails = await escalationEmails(id);
    expect(emails[0]!.subject).toMatch(/^Your attention, week 2:/);
    expect(emails.slice(1).every((m) => m.subject.startsWith('Reminder, your attention'))).toBe(true);
    expect(execution.status).toBe('SUCCEEDED');
  });
});

describe('an owner who decides to continue', () => {
  const id = 'owner-continues';
  const continues: Scenario = { ...SCENARIOS['owner-aborts']!, decide: () => 'continue', decidesBy: 'link' };
  let execution: Execution;

  beforeAll(async () => {
    execution = await untilStopped(await start(id, continues));
  });

  it('releases new work the next week, at the stage the check set', async () => {
    const weeks = await runtime.store.listWeeks(id);
    const asked = weeks.find((w) => w.decision?.outcome === 'escalate')!;
    expect(asked.decision).toMatchObject({ releaseNew: true, owner: { choice: 'continue', by: OWNER } });
    const next = weeks.find((w) => w.week === asked.week + 1)!;
    expect(next.stage).toBe(asked.stage);
    // New work may go out (as much as fits the cap beside the weekly work), unlike after a hold.
    expect(next.releasesNew).toBe(true);
    const batch = (await runtime.store.listEmails(id)).find(
      (e) => e.kind === 'batch' && e.week === next.week,
    )!;
    const mail = (await runtime.mailbox.list()).find((m) => m.messageId === batch.messageId)!;
    expect(mail.body.text).toContain('the owner decided to continue at 20% with new work');
    expect(execution.status).toBe('SUCCEEDED');
  });
});

describe('decision links that must not decide', () => {
  const id = 'owner-undecided';
  let execution: Execution;
  let parked: ParkedTask;
  let escalation: ReceivedEmail;

  const simulate = () => runtime.stepFunctions.onPark;
  let restore: () => void;

  beforeAll(async () => {
    // Nobody decides or lets time pass for this one while it waits: the test clicks for the owner.
    const onPark = simulate();
    runtime.stepFunctions.onPark = async (task) => {
      if (task.executionName !== id) await onPark?.(task);
    };
    restore = () => (runtime.stepFunctions.onPark = onPark);
    execution = await start(id, SCENARIOS['owner-aborts']!);
    parked = await untilAsked(id);
    [escalation] = (await escalationEmails(id)) as [ReceivedEmail];
  });
  afterAll(() => {
    restore();
    if (execution.status === 'RUNNING') execution.abort();
  });

  const claims = (overrides: Partial<LinkClaims> = {}): LinkClaims => ({
    onboardingId: id,
    week: 3,
    role: 'owner',
    recipient: OWNER,
    purpose: 'decision',
    choice: 'abort',
    expiresAt: Math.floor(parked.timeoutAt!.getTime() / 1000),
    ...overrides,
  });
  const click = (link: string, form?: Record<string, string>) =>
    runWithClock(execution.clock, () => links.click(link, form));
  const base = () => linkIn(escalation, 'abort').split('/links/')[0]!;

  it('shows the choice on GET and changes nothing', async () => {
    const before = await runtime.store.findDecision(id, 3);
    const page = await click(linkIn(escalation, 'abort'));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Confirm: Abort the onboarding');
    expect(await runtime.store.findDecision(id, 3)).toEqual(before);
    expect(before).toMatchObject({ state: 'waiting' });
    expect(runtime.stepFunctions.parked(id)).toHaveLength(1);
  });

  it('refuses a forged link and an expired one, writing nothing', async () => {
    const forged = `${base()}/links/${signLinkToken(claims(), 'not-the-key')}`;
    const expired = `${base()}/links/${signLinkToken(
      claims({ expiresAt: Math.floor(execution.clock.now().getTime() / 1000) - 60 }),
      runtime.secrets.link,
    )}`;
    const before = await runtime.store.findDecision(id, 3);

    expect((await click(forged, { choice: 'abort' })).status).toBe(400);
    expect((await click(expired, { choice: 'abort' })).status).toBe(410);
    expect(await runtime.store.findDecision(id, 3)).toEqual(before);
    expect((await runtime.store.getOnboarding(id)).status).toBe('active');
    expect(runtime.stepFunctions.parked(id)).toHaveLength(1);
  });

  it('records the first decision and moves the workflow on; a second one changes nothing', async () => {
    const first = await click(linkIn(escalation, 'extend'), { choice: 'extend' });
    expect(first.status).toBe(200);
    expect(first.body).toContain('Decided: Extend this stage');
    const second = await click(linkIn(escalation, 'abort'), { choice: 'abort' });
    expect(second.status).toBe(409);
    expect(second.body).toContain('The first decision stands');

    expect(await runtime.store.findDecision(id, 3)).toMatchObject({ state: 'decided', choice: 'extend' });
    // The workflow went on: week 4 holds (nothing new), and the onboarding is not aborted.
    const deadline = Date.now() + 20_000;
    while (!(await runtime.store.getWeek(id, 4))) {
      if (Date.now() > deadline) throw new Error('week 4 was not released');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const weeks = await runtime.store.listWeeks(id);
    expect(weeks[2]!.decision).toMatchObject({ releaseNew: false, owner: { choice: 'extend' } });
    expect(weeks[3]).toMatchObject({ tasks: [], releasesNew: false });
    expect((await runtime.store.getOnboarding(id)).status).not.toBe('aborted');
  });
});
