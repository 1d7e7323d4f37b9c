import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Temporal } from 'temporal-polyfill';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runWithClock } from '#adapters/clock';
import { formatDateTime } from '#core/calendar';
import { TransientError } from '#core/errors';
import type { Onboarding, WeekRecord } from '#core/onboarding';
import { pausedTooLateRefusal, pausedTooLongRefusal } from '#core/onboarding-controls';
import type { PlanInput } from '#core/plan';
import { resumeDeadline } from '#core/run-limit';
import { weekSchedule } from '#core/schedule';
import { validatePlan } from '#core/validate-plan';
import { lambdaContext } from '#local/http-server';
import type { ReceivedEmail } from '#local/mailbox';
import type { Execution, ParkedTask, StateVisit, WaitEvent } from '#local/runner';
import type { LocalRuntime } from '#local/runtime';
import { LOCAL_OPERATOR, startLocalRuntime } from '#local/runtime';
import { SCENARIOS } from '#local/scenarios';
import { renderTimeline } from '#local/timeline';
import { apiEvent, signed } from './api-events.ts';
import { examplePlan, untilStopped } from './helpers.ts';

type Controls = typeof import('#handlers/onboarding-controls');

let runtime: LocalRuntime;
let controls: Controls;
type HandlerStore = typeof import('#handlers/shared/store')['store'];
/** What the test does when an execution reaches a Wait, beside the simulated people answering. */
const atWait = new Map<string, (wait: WaitEvent) => Promise<void>>();

beforeAll(async () => {
  runtime = await startLocalRuntime();
  // The controls read their configuration at load, like a Lambda: after the runtime set it.
  controls = await import('#handlers/onboarding-controls');
  const simulate = runtime.stepFunctions.onWait;
  runtime.stepFunctions.onWait = async (wait) => {
    await simulate?.(wait);
    await atWait.get(wait.executionName)?.(wait);
  };
});
afterAll(async () => {
  await runtime?.stop();
});

const DAY = 24 * 3600 * 1000;

/** Starts an onboarding of the example plan, with both sides answering well every week. */
async function startSteady(id: string): Promise<Execution> {
  runtime.simulation.play(id, SCENARIOS.steady!);
  await runtime.startOnboarding({ plan: { ...examplePlan(), id } });
  return runtime.stepFunctions.get(id);
}

/** Runs `act` once, when the execution starts waiting for the feedback of `week`, at that time. */
function duringWeek(id: string, week: number, act: () => Promise<unknown>): void {
  atWait.set(id, async ({ stateName, state }) => {
    if (stateName === 'WaitForFeedback' && (state as { week: number }).week === week) await act();
  });
}

/** Polls until the execution waits for a task token, failing past the deadline or if it ends. */
async function untilParked(id: string, other?: string, deadlineMs = 20_000): Promise<ParkedTask> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const parked = runtime.stepFunctions.parked(id).find((p) => p.token !== other);
    if (parked) return parked;
    const { status } = runtime.stepFunctions.get(id);
    if (status !== 'RUNNING') throw new Error(`${id} ended ${status} instead of waiting for a resume`);
    if (Date.now() > deadline) throw new Error(`${id} did not wait for a resume within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const states = (visits: StateVisit[]) => visits.map((v) => v.state);
const ownerWallClock = (instant: string, onboarding: Onboarding) =>
  Temporal.Instant.from(instant).toZonedDateTimeISO(onboarding.plan.owner.timeZone);

describe('resuming an onboarding that was never paused', () => {
  const id = 'never-paused';
  let refused: unknown;
  let before: Onboarding;
  let after: Onboarding;

  beforeAll(async () => {
    duringWeek(id, 1, async () => {
      before = await runtime.store.getOnboarding(id);
      refused = await controls.resumeOnboarding(id).catch((error: unknown) => error);
      after = await runtime.store.getOnboarding(id);
    });
    await untilStopped(await startSteady(id));
  });

  it('is a conflict saying only a paused onboarding can be resumed, and writes nothing', () => {
    expect(refused).toMatchObject({
      name: 'OnboardingConflict',
      message: expect.stringContaining('it is active, and only a paused onboarding can be resumed'),
    });
    expect(after).toEqual(before);
  });
});

describe('pausing during week 2, resuming ten days after week 3 was due', () => {
  const id = 'paused-in-week-2';
  let execution: Execution;
  let firstPark: ParkedTask;
  let whilePaused: { onboarding: Onboarding; weeks: WeekRecord[]; path: string[]; history: string };
  let secondPark: ParkedTask;
  let pausedAgain: Awaited<ReturnType<Controls['pauseOnboarding']>>;
  let resumed: Awaited<ReturnType<Controls['resumeOnboarding']>>;
  let resumedAt: string;

  beforeAll(async () => {
    duringWeek(id, 2, () => controls.pauseOnboarding(id));
    execution = await startSteady(id);
    firstPark = await untilParked(id);
    whilePaused = {
      onboarding: await runtime.store.getOnboarding(id),
      weeks: await runtime.store.listWeeks(id),
      path: states(execution.visits),
      history: JSON.stringify(execution.visits),
    };
    pausedAgain = await controls.pauseOnboarding(id);

    // Ten days pass for the parked execution: its week-long wait times out at seven, the release
    // step finds it still paused, and it parks again under a new token.
    const tenDaysLate = new Date(firstPark.parkedAt.getTime() + 10 * DAY);
    expect(runtime.stepFunctions.letTimePass(id, tenDaysLate)).toBe('timed-out');
    secondPark = await untilParked(id, firstPark.token);
    expect(runtime.stepFunctions.letTimePass(id, tenDaysLate)).toBe('waiting');
    // The owner resumes then: at the execution's time (each local execution lives at its own).
    resumed = await runWithClock(execution.clock, () => controls.resumeOnboarding(id));
    resumedAt = tenDaysLate.toISOString();
    await untilStopped(execution);
  });

  it('finishes week 2 (check-in and gate) and releases nothing for week 3 while paused', () => {
    const { onboarding, weeks } = whilePaused;
    expect(onboarding).toMatchObject({ status: 'paused', pauseToken: firstPark.token });
    expect(onboarding.pausedAt).toBe(weeks[1]!.checkinAt);
    expect(weeks.map((w) => w.week)).toEqual([1, 2]);
    expect(weeks[1]!.decision?.outcome).toBe('advance');
  });

  it('parks the execution at the release, in the token wait, with no personal data in its history', () => {
    expect(whilePaused.path.slice(-5)).toEqual([
      'IsOnboardingDone',
      'WaitForRelease',
      'ReleaseBatch',
      'IsReleaseHeld',
      'WaitForResume',
    ]);
    expect(firstPark).toMatchObject({ stateName: 'WaitForResume' });
    // Parked when week 3 was due, with a week-long timeout.
    const due = weekSchedule(whilePaused.onboarding.plan, 3).releaseAt;
    expect(firstPark.parkedAt.toISOString()).toBe(due);
    expect(firstPark.timeoutAt?.getTime()).toBe(Date.parse(due) + 7 * DAY);
    expect(whilePaused.history).not.toMatch(/@/);
  });

  it('answers a second pause the same way, changing nothing, with until when it can be resumed', () => {
    expect(pausedAgain).toEqual({
      onboardingId: id,
      status: 'paused',
      since: whilePaused.onboarding.pausedAt,
      resumeBy: resumeDeadline(whilePaused.onboarding, 3),
    });
  });

  it('looks again when the week-long wait times out, and waits again under a new token', () => {
    expect(secondPark.token).not.toBe(firstPark.token);
    expect(secondPark.parkedAt.getTime()).toBe(firstPark.parkedAt.getTime() + 7 * DAY);
    expect(() => runtime.stepFunctions.sendTaskSuccess(firstPark.token, '{}')).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }),
    );
  });

  it('goes on after the resume and completes, with every week released', async () => {
    expect(resumed).toEqual({ onboardingId: id, status: 'active', since: resumedAt });
    const onboarding = await runtime.store.getOnboarding(id);
    expect(execution.status).toBe('SUCCEEDED');
    expect(onboarding).toMatchObject({ status: 'completed', pausedWeeks: 2, resumedAt });
    expect(onboarding.pauseToken).toBeUndefined();
    const path = states(execution.visits);
    expect(path.filter((s) => s === 'WaitForResume')).toHaveLength(2);
    expect(path.at(-1)).toBe('WrapUp');
  });

  it('moves week 3 and every week after it by two whole weeks: same weekday and time', async () => {
    const onboarding = await runtime.store.getOnboarding(id);
    const weeks = await runtime.store.listWeeks(id);
    const planned = (week: number) => weekSchedule(onboarding.plan, week).checkinAt;

    expect(weeks.slice(0, 2).map((w) => w.checkinAt)).toEqual([planned(1), planned(2)]);
    for (const w of weeks.slice(2)) {
      const [was, is] = [
        ownerWallClock(planned(w.week), onboarding),
        ownerWallClock(w.checkinAt, onboarding),
      ];
      expect(was.toPlainDate().until(is.toPlainDate()).days, `week ${w.week}`).toBe(14);
      expect(is.dayOfWeek).toBe(was.dayOfWeek);
      expect(is.toPlainTime().toString()).toBe(was.toPlainTime().toString());
    }
    // Released after the resume, not while paused.
    expect(Date.parse(weeks[2]!.releasedAt)).toBeGreaterThanOrEqual(Date.parse(resumedAt));
  });
});

describe('a pause that lasts until the run could no longer end within the execution’s year', () => {
  const id = 'paused-past-the-year';
  let plan: PlanInput & { id: string };
  let execution: Execution;
  let paused: Awaited<ReturnType<Controls['pauseOnboarding']>> | undefined;
  const parks: ParkedTask[] = [];
  let received: ReceivedEmail[];

  /**
   * The example plan made as long as it can be and still start now, less two weeks: its whole run,
   * every extra week included, ends two to three weeks before the line, so a pause can move it two
   * weeks and no more.
   */
  function planWithTwoWeeksToSpare(): PlanInput & { id: string } {
    const now = new Date().toISOString();
    const fits = (weeks: number) => validatePlan({ ...examplePlan(), id, weeks }, { now }).ok;
    let longest = 48;
    while (!fits(longest)) longest--;
    return { ...examplePlan(), id, weeks: longest - 2 };
  }

  /** The next wait for a resume under a token other than `other`, or none once the execution ended. */
  async function nextPark(other?: string, deadlineMs = 20_000): Promise<ParkedTask | undefined> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const parked = runtime.stepFunctions.parked(id).find((p) => p.token !== other);
      if (parked) return parked;
      if (execution.status !== 'RUNNING') return undefined;
      if (Date.now() > deadline)
        throw new Error(`${id} neither waited again nor ended within ${deadlineMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  beforeAll(async () => {
    plan = planWithTwoWeeksToSpare();
    duringWeek(id, 1, async () => {
      paused = await controls.pauseOnboarding(id);
    });
    const before = new Set((await runtime.mailbox.list()).map((m) => m.messageId));
    runtime.simulation.play(id, SCENARIOS.steady!);
    await runtime.startOnboarding({ plan });
    execution = runtime.stepFunctions.get(id);
    // Nobody resumes: each time the wait runs out, the release step looks again.
    for (let park = await nextPark(); park; park = await nextPark(park.token)) {
      parks.push(park);
      expect(runtime.stepFunctions.letTimePass(id, park.timeoutAt!)).toBe('timed-out');
    }
    await untilStopped(execution);
    received = (await runtime.mailbox.list()).filter((m) => !before.has(m.messageId));
  });

  it('says at the pause until when it can be resumed: weeks after the release it holds, at a release time', async () => {
    const onboarding = await runtime.store.getOnboarding(id);
    const held = weekSchedule(onboarding.plan, 2).releaseAt;
    expect(paused).toMatchObject({ onboardingId: id, status: 'paused' });
    expect(paused?.resumeBy).toBe(resumeDeadline(onboarding, 2));
    expect(Date.parse(paused!.resumeBy!)).toBeGreaterThan(Date.parse(held) + 7 * DAY);
    expect(ownerWallClock(paused!.resumeBy!, onboarding).toPlainTime().toString()).toBe(
      ownerWallClock(held, onboarding).toPlainTime().toString(),
    );
  });

  it('looks again weekly while paused, and last at resumeBy', () => {
    expect(parks.length).toBeGreaterThanOrEqual(2);
    for (const park of parks) {
      expect(park.stateName).toBe('WaitForResume');
      expect(park.timeoutAt!.getTime() - park.parkedAt.getTime()).toBeLessThanOrEqual(7 * DAY);
    }
    expect(parks.at(-1)!.timeoutAt!.toISOString()).toBe(paused?.resumeBy);
  });

  it('ends the onboarding then: cancelled for the pause, at resumeBy, the execution SUCCEEDED at Cancelled', async () => {
    const onboarding = await runtime.store.getOnboarding(id);
    expect(onboarding).toMatchObject({
      status: 'cancelled',
      cancelReason: 'paused-too-long',
      cancelledAt: paused?.resumeBy,
    });
    expect(onboarding.pauseToken).toBeUndefined();
    expect(onboarding.failure).toBeUndefined();
    expect(onboarding.pausedWeeks).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    const path = states(execution.visits);
    expect(path).not.toContain('MarkFailed');
    expect(path.filter((s) => s === 'WaitForResume')).toHaveLength(parks.length);
    expect(path.slice(-4)).toEqual(['WaitForResume', 'ReleaseBatch', 'IsReleaseHeld', 'Cancelled']);
    expect((await runtime.store.listWeeks(id)).map((w) => w.week)).toEqual([1]);
  });

  it('tells the owner and the partner why, once each, and tells the operator nothing', async () => {
    const records = (await runtime.store.listEmails(id)).filter((e) => e.kind === 'cancelled');
    expect(records.map((e) => `${e.role}:${e.to.join()}`).sort()).toEqual([
      'owner:maria@santos-advisory.example',
      'partner:team@ledgerly.example',
    ]);
    const subject = `Cancelled after a long pause: ${plan.title}`;
    const told = received.filter((m) => m.subject === subject);
    expect(told.map((m) => m.destination.to.join()).sort()).toEqual([
      'maria@santos-advisory.example',
      'team@ledgerly.example',
    ]);
    for (const mail of told) {
      expect(mail.body.text).toContain('It had been paused since');
      expect(mail.body.text).toContain('an onboarding runs for at most a year');
    }
    expect((await runtime.store.listEmails(id)).map((e) => e.kind)).not.toContain('failure');
    expect(received.filter((m) => m.destination.to.includes(LOCAL_OPERATOR))).toEqual([]);
    expect(received.map((m) => m.subject)).not.toContain(`Stopped: ${plan.title}`);
  });

  it('shows the pause and why it ended in the timeline', async () => {
    const [onboarding, weeks, emails, feedback] = await Promise.all([
      runtime.store.getOnboarding(id),
      runtime.store.listWeeks(id),
      runtime.store.listEmails(id),
      runtime.store.listFeedback(id),
    ]);
    const timeline = renderTimeline({ onboarding, weeks, emails, feedback, visits: execution.visits });

    const tz = onboarding.plan.owner.timeZone;
    expect(timeline).toContain(`Paused    ${formatDateTime(onboarding.pausedAt!, tz)}\n`);
    expect(timeline).toContain(
      `Cancelled ${formatDateTime(onboarding.cancelledAt!, tz)}: paused too long, the rest could no longer end within the execution’s year`,
    );
    expect(timeline).toContain(`"Cancelled after a long pause: ${plan.title}"`);
    expect(timeline).toMatch(/Status: cancelled$/);
  });

  it('answers a resume 409 through the API, saying the pause ran past what the execution can hold', async () => {
    const { handler } = await import('#handlers/integration-api');
    const before = await runtime.store.getOnboarding(id);
    const routeKey = 'POST /onboardings/{id}/resume';
    const body = JSON.stringify({ onboardingId: id, action: 'resume' });
    const headers = { 'content-type': 'application/json', ...signed(runtime.secrets.webhook, body) };
    const answer = (await runWithClock(execution.clock, () =>
      handler(
        apiEvent(routeKey, { pathParameters: { id }, headers, body }),
        lambdaContext('IntegrationApi', Date.now() + 30_000),
      ),
    )) as APIGatewayProxyStructuredResultV2;

    expect(answer.statusCode).toBe(409);
    expect(JSON.parse(answer.body ?? '{}')).toEqual({
      error: 'OnboardingConflict',
      message: pausedTooLongRefusal(id, paused!.resumeBy!),
    });
    expect(await runtime.store.getOnboarding(id)).toEqual(before);
  });

  it('refuses the resume in the controls too, with the same reason', async () => {
    await expect(runWithClock(execution.clock, () => controls.resumeOnboarding(id))).rejects.toMatchObject({
      name: 'OnboardingConflict',
      message: expect.stringContaining(`it stayed paused past ${paused?.resumeBy}`),
    });
  });
});

/** Polls until `done` holds (a control run at a Wait has answered), failing past the deadline. */
async function until(done: () => boolean, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a pause that comes after the last moment it could be resumed', () => {
  /**
   * The example plan made as long as it can be and still start now: its whole run, every extra
   * week included, ends less than a week before the line, so no release can move.
   */
  function planWithNoWeekToSpare(id: string): PlanInput & { id: string } {
    const now = new Date().toISOString();
    const fits = (weeks: number) => validatePlan({ ...examplePlan(), id, weeks }, { now }).ok;
    let longest = 48;
    while (!fits(longest)) longest--;
    return { ...examplePlan(), id, weeks: longest };
  }

  it('answers 409 through the API, saying why, and writes nothing: the run goes on as if never asked', async () => {
    const id = 'paused-too-late';
    const { handler } = await import('#handlers/integration-api');
    let asked: { before: Onboarding; releaseAt: string; at: Date; answer: APIGatewayProxyStructuredResultV2 };
    // Week 1's gate is still open (the owner has until the business day before the next check-in to answer)
    // an hour after week 2's release was due: with no week to spare, that release could not move.
    duringWeek(id, 1, async () => {
      const before = await runtime.store.getOnboarding(id);
      const releaseAt = weekSchedule(before.plan, 2).releaseAt;
      const at = new Date(Date.parse(releaseAt) + 3_600_000);
      const body = JSON.stringify({ onboardingId: id, action: 'pause' });
      const headers = { 'content-type': 'application/json', ...signed(runtime.secrets.webhook, body) };
      const answer = (await runWithClock({ now: () => at }, () =>
        handler(
          apiEvent('POST /onboardings/{id}/pause', { pathParameters: { id }, headers, body }),
          lambdaContext('IntegrationApi', Date.now() + 30_000),
        ),
      )) as APIGatewayProxyStructuredResultV2;
      asked = { before, releaseAt, at, answer };
    });
    runtime.simulation.play(id, SCENARIOS.steady!);
    await runtime.startOnboarding({ plan: planWithNoWeekToSpare(id) });
    const execution = runtime.stepFunctions.get(id);
    await until(() => asked !== undefined);
    execution.abort();

    const { before, releaseAt, answer } = asked!;
    expect(resumeDeadline(before, 2)).toBe(releaseAt);
    expect(answer.statusCode).toBe(409);
    expect(JSON.parse(answer.body ?? '{}')).toEqual({
      error: 'OnboardingConflict',
      message: pausedTooLateRefusal(id, releaseAt),
    });
    const after = await runtime.store.getOnboarding(id);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ status: 'active' });
    expect(after.pausedAt).toBeUndefined();
    expect(after.pauseToken).toBeUndefined();
    expect(states(execution.visits)).not.toContain('WaitForResume');
  });

  it('still pauses a moment before then, answering that resumeBy', async () => {
    const id = 'paused-just-in-time';
    let asked: { releaseAt: string; paused: Awaited<ReturnType<Controls['pauseOnboarding']>> };
    duringWeek(id, 1, async () => {
      const { plan } = await runtime.store.getOnboarding(id);
      const releaseAt = weekSchedule(plan, 2).releaseAt;
      const at = new Date(Date.parse(releaseAt) - 1);
      asked = {
        releaseAt,
        paused: await runWithClock({ now: () => at }, () => controls.pauseOnboarding(id)),
      };
    });
    runtime.simulation.play(id, SCENARIOS.steady!);
    await runtime.startOnboarding({ plan: planWithNoWeekToSpare(id) });
    const execution = runtime.stepFunctions.get(id);
    await until(() => asked !== undefined);
    execution.abort();

    expect(asked!.paused).toMatchObject({ status: 'paused', resumeBy: asked!.releaseAt });
    expect((await runtime.store.getOnboarding(id)).status).toBe('paused');
  });
});

describe('a pause whose reads fail', () => {
  it('writes nothing when the weeks cannot be read: the onboarding stays active', async () => {
    const id = 'paused-weeks-unreadable';
    const { store } = await import('#handlers/shared/store');
    const listWeeks = store.listWeeks.bind(store);
    let failed = false;
    const unreadable = vi.spyOn(store, 'listWeeks').mockImplementation(async (onboardingId) => {
      if (onboardingId === id && !failed) {
        failed = true;
        throw new TransientError('The connection dropped');
      }
      return listWeeks(onboardingId);
    });
    let asked: { before: Onboarding; after: Onboarding; refused: unknown };
    duringWeek(id, 1, async () => {
      const before = await runtime.store.getOnboarding(id);
      const refused = await controls.pauseOnboarding(id).catch((error: unknown) => error);
      asked = { before, after: await runtime.store.getOnboarding(id), refused };
    });
    try {
      const execution = await startSteady(id);
      await until(() => asked !== undefined);
      execution.abort();
    } finally {
      unreadable.mockRestore();
    }

    const { before, after, refused } = asked!;
    expect(refused).toMatchObject({ name: 'TransientError' });
    expect(after).toEqual(before);
    expect(after).toMatchObject({ status: 'active' });
    expect(after.pausedAt).toBeUndefined();
  });
});

describe('cancelling', () => {
  it('while the workflow runs: ABORTED, status cancelled, both sides told once', async () => {
    const id = 'cancelled-in-week-2';
    let cancelling: ReturnType<Controls['cancelOnboarding']> | undefined;
    duringWeek(id, 2, () => {
      cancelling = controls.cancelOnboarding(id);
      return cancelling;
    });
    const execution = await untilStopped(await startSteady(id));
    // The execution stops in the middle of the cancel, which goes on to tell both sides.
    const first = await cancelling;

    const onboarding = await runtime.store.getOnboarding(id);
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'OnboardingCancelled' });
    expect(states(execution.visits)).not.toContain('MarkFailed');
    expect(onboarding).toMatchObject({ status: 'cancelled', cancelledAt: first?.since });
    expect(first).toEqual({ onboardingId: id, status: 'cancelled', since: onboarding.cancelledAt });
    expect((await runtime.store.listWeeks(id)).map((w) => w.week)).toEqual([1, 2]);

    const emails = (await runtime.store.listEmails(id)).filter((e) => e.kind === 'cancelled');
    expect(emails.map((e) => `${e.role}:${e.to.join()}`).sort()).toEqual([
      'owner:maria@santos-advisory.example',
      'partner:team@ledgerly.example',
    ]);
    const ids = new Set(emails.map((e) => e.messageId));
    const received = (await runtime.mailbox.list()).filter((m) => ids.has(m.messageId));
    expect(received.map((m) => m.destination.to.join()).sort()).toEqual([
      'maria@santos-advisory.example',
      'team@ledgerly.example',
    ]);
    for (const mail of received) {
      expect(mail.subject).toBe(`Cancelled: ${onboarding.plan.title}`);
      expect(mail.body.text).toContain('was cancelled on');
      expect(mail.body.text).toContain('No further work will be released');
    }

    const mailBefore = (await runtime.mailbox.list()).length;
    const again = await controls.cancelOnboarding(id);
    expect(again).toEqual(first);
    expect((await runtime.store.listEmails(id)).filter((e) => e.kind === 'cancelled')).toEqual(emails);
    expect((await runtime.mailbox.list()).length).toBe(mailBefore);
  });

  it('while paused: the waiting execution is stopped and its token forgotten', async () => {
    const id = 'cancelled-while-paused';
    duringWeek(id, 1, () => controls.pauseOnboarding(id));
    const execution = await startSteady(id);
    const parked = await untilParked(id);

    await controls.cancelOnboarding(id);
    await untilStopped(execution);

    expect(execution.status).toBe('ABORTED');
    expect(runtime.stepFunctions.parked(id)).toEqual([]);
    const onboarding = await runtime.store.getOnboarding(id);
    expect(onboarding.status).toBe('cancelled');
    expect(onboarding.pauseToken).toBeUndefined();
    expect(() => runtime.stepFunctions.sendTaskSuccess(parked.token, '{}')).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }),
    );
    await expect(controls.resumeOnboarding(id)).rejects.toMatchObject({ name: 'OnboardingConflict' });
  });
});

describe('cancelling before the workflow has run', () => {
  /** Every email that reached the SES emulator while `act` ran, with the onboarding's EMAIL# records. */
  async function mailDuring(id: string, act: () => Promise<void>) {
    const before = new Set((await runtime.mailbox.list()).map((m) => m.messageId));
    await act();
    const received = (await runtime.mailbox.list()).filter((m) => !before.has(m.messageId));
    const records = await runtime.store.listEmails(id);
    return { received, records };
  }
  const cancelledToBothSides = [
    'cancelled:owner:maria@santos-advisory.example',
    'cancelled:partner:team@ledgerly.example',
  ];
  const described = (records: Array<{ kind: string; role: string; to: string[] }>) =>
    records.map((e) => `${e.kind}:${e.role}:${e.to.join()}`).sort();

  it('between the start’s write and its StartExecution: Accept ends it at Cancelled, no kickoff', async () => {
    const id = 'cancelled-before-accept';
    const { store } = await import('#handlers/shared/store');
    const write = store.createOnboarding.bind(store);
    let cancelled: Awaited<ReturnType<Controls['cancelOnboarding']>> | undefined;
    // The cancel lands once the start has written the onboarding, before it starts the execution:
    // it finds no execution to stop.
    const landCancel = vi.spyOn(store, 'createOnboarding').mockImplementation(async (draft) => {
      const written = await write(draft);
      if (draft.id === id) cancelled = await controls.cancelOnboarding(id);
      return written;
    });
    let execution: Execution | undefined;
    const { received, records } = await mailDuring(id, async () => {
      try {
        await runtime.startOnboarding({ plan: { ...examplePlan(), id } });
      } finally {
        landCancel.mockRestore();
      }
      execution = await untilStopped(runtime.stepFunctions.get(id));
    });

    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(states(execution!.visits)).toEqual(['Accept', 'IsDueDiligenceDue', 'Cancelled']);
    const onboarding = await runtime.store.getOnboarding(id);
    expect(onboarding).toMatchObject({ status: 'cancelled', cancelledAt: cancelled?.since });
    expect(onboarding.failure).toBeUndefined();
    expect(await runtime.store.listWeeks(id)).toEqual([]);
    // Only the cancel's two emails: no kickoff, no batch, no failure report.
    expect(described(records)).toEqual(cancelledToBothSides);
    expect(received.map((m) => m.subject)).toEqual([
      `Cancelled: ${onboarding.plan.title}`,
      `Cancelled: ${onboarding.plan.title}`,
    ]);
  });

  /**
   * Runs onboarding `id` (started by `start`) with a cancel landing where `land` puts it: a spy on
   * the handlers' store that calls `cancel` at that point. The cancel's StopExecution does not
   * arrive (as if delayed), so only the steps themselves can honour it. Returns the execution and
   * the mail of the run.
   */
  async function runWithLateStop(
    id: string,
    start: () => Promise<Execution>,
    land: (store: HandlerStore, cancel: () => Promise<unknown>) => { mockRestore(): void },
  ) {
    const { store } = await import('#handlers/shared/store');
    const { workflow } = await import('#handlers/shared/workflow');
    const stopLate = vi.spyOn(workflow, 'stop').mockResolvedValue({ stopped: false });
    const landing = land(store, () => controls.cancelOnboarding(id));
    let execution: Execution | undefined;
    const mail = await mailDuring(id, async () => {
      try {
        execution = await untilStopped(await start());
      } finally {
        landing.mockRestore();
        stopLate.mockRestore();
      }
    });
    return { execution: execution!, ...mail };
  }

  /** Lands the cancel as Accept activates the onboarding. */
  const asAcceptActivates = (id: string) => (store: HandlerStore, cancel: () => Promise<unknown>) => {
    const activate = store.updateProgress.bind(store);
    return vi.spyOn(store, 'updateProgress').mockImplementation(async (onboardingId, progress) => {
      const written = await activate(onboardingId, progress);
      if (onboardingId === id && progress.status === 'active') await cancel();
      return written;
    });
  };

  it('between Accept and the kickoff, before the stop arrives: no kickoff, and the release ends it', async () => {
    const id = 'cancelled-before-kickoff';
    const { execution, received, records } = await runWithLateStop(
      id,
      () => startSteady(id),
      asAcceptActivates(id),
    );

    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(states(execution.visits)).toEqual([
      'Accept',
      'IsDueDiligenceDue',
      'Kickoff',
      'WaitForRelease',
      'ReleaseBatch',
      'IsReleaseHeld',
      'Cancelled',
    ]);
    const onboarding = await runtime.store.getOnboarding(id);
    expect(onboarding.status).toBe('cancelled');
    expect(await runtime.store.listWeeks(id)).toEqual([]);
    expect(described(records)).toEqual(cancelledToBothSides);
    expect(received.map((m) => m.subject)).not.toContain(`Kickoff: ${onboarding.plan.title}`);
    expect(received).toHaveLength(2);
  });

  it('between Accept and the stop, with references: none is asked or reminded, the owner is not asked', async () => {
    const id = 'cancelled-before-references';
    const { execution, received, records } = await runWithLateStop(
      id,
      async () => {
        runtime.simulation.play(id, SCENARIOS['due-diligence']!);
        await runtime.startOnboarding({ plan: { ...examplePlan('examples/freelance-developer.yaml'), id } });
        return runtime.stepFunctions.get(id);
      },
      asAcceptActivates(id),
    );

    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(states(execution.visits)).toEqual([
      'Accept',
      'IsDueDiligenceDue',
      'AskReferences',
      'WaitForReferenceReminder',
      'RemindReferences',
      'WaitForReferences',
      'ScoreReferences',
      'IsDueDiligencePassed',
      'Kickoff',
      'WaitForRelease',
      'ReleaseBatch',
      'IsReleaseHeld',
      'Cancelled',
    ]);
    expect(await runtime.store.findDueDiligence(id)).toBeUndefined();
    expect(records.map((e) => e.kind).sort()).toEqual(['cancelled', 'cancelled']);
    expect(received).toHaveLength(2);
  });

  it('as the due diligence asks the owner, before the stop arrives: not asked, nothing recorded for them, and the release ends it', async () => {
    const id = 'cancelled-at-due-diligence';
    // The cancel lands once the references are scored and the verdict (ask the owner) is stored.
    const { execution, records } = await runWithLateStop(
      id,
      async () => {
        runtime.simulation.play(id, SCENARIOS['due-diligence']!);
        await runtime.startOnboarding({ plan: { ...examplePlan('examples/freelance-developer.yaml'), id } });
        return runtime.stepFunctions.get(id);
      },
      (store, cancel) => {
        const record = store.recordDueDiligence.bind(store);
        return vi.spyOn(store, 'recordDueDiligence').mockImplementation(async (onboardingId, verdict) => {
          const stored = await record(onboardingId, verdict);
          if (onboardingId === id) await cancel();
          return stored;
        });
      },
    );

    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    const path = states(execution.visits);
    expect(path.slice(path.indexOf('ScoreReferences'))).toEqual([
      'ScoreReferences',
      'IsDueDiligencePassed',
      'WaitForDueDiligenceDecision',
      'ApplyDueDiligenceDecision',
      'IsDueDiligenceDecided',
      'Kickoff',
      'WaitForRelease',
      'ReleaseBatch',
      'IsReleaseHeld',
      'Cancelled',
    ]);
    const verdict = await runtime.store.findDueDiligence(id);
    expect(verdict).toMatchObject({ outcome: 'ask-owner' });
    expect(verdict?.owner).toBeUndefined();
    // The references were asked and reminded before; after the cancel, only its own emails.
    expect(records.filter((e) => !e.kind.startsWith('reference')).map((e) => e.kind)).toEqual([
      'cancelled',
      'cancelled',
    ]);
    expect((await runtime.store.getOnboarding(id)).status).toBe('cancelled');
  });

  it('as the gate asks the owner, before the stop arrives: the owner is not asked, and the release ends it', async () => {
    const id = 'cancelled-at-escalation';
    // The cancel lands as the gate records its first escalation.
    let cancelledAtWeek: number | undefined;
    const { execution, records } = await runWithLateStop(
      id,
      async () => {
        runtime.simulation.play(id, SCENARIOS.silent!);
        await runtime.startOnboarding({ plan: { ...examplePlan(), id } });
        return runtime.stepFunctions.get(id);
      },
      (store, cancel) => {
        const close = store.closeWeek.bind(store);
        return vi.spyOn(store, 'closeWeek').mockImplementation(async (onboardingId, week, end) => {
          const closed = await close(onboardingId, week, end);
          if (
            onboardingId === id &&
            closed.decision.outcome === 'escalate' &&
            cancelledAtWeek === undefined
          ) {
            cancelledAtWeek = week;
            await cancel();
          }
          return closed;
        });
      },
    );

    expect(cancelledAtWeek).toBeDefined();
    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    const path = states(execution.visits);
    expect(path.slice(path.lastIndexOf('Evaluate'))).toEqual([
      'Evaluate',
      'IsOnboardingDone',
      'WaitForOwnerDecision',
      'ApplyOwnerDecision',
      'IsOnboardingDone',
      'WaitForRelease',
      'ReleaseBatch',
      'IsReleaseHeld',
      'Cancelled',
    ]);
    expect(records.filter((e) => e.kind === 'escalation')).toEqual([]);
    expect((await runtime.store.findDecision(id, cancelledAtWeek!))?.state).not.toBe('waiting');
    // Nobody answered for the owner: no answer is recorded on the week.
    const asked = (await runtime.store.listWeeks(id)).find((w) => w.week === cancelledAtWeek);
    expect(asked?.decision).toMatchObject({ outcome: 'escalate' });
    expect(asked?.decision?.owner).toBeUndefined();
    expect((await runtime.store.getOnboarding(id)).status).toBe('cancelled');
  });

  it('as week 2 is released, before the stop arrives: no check-in, reminder or decision email, and the release ends it', async () => {
    const id = 'cancelled-at-week-2';
    // The cancel lands once week 2's batch has gone out.
    const { execution, records } = await runWithLateStop(
      id,
      () => startSteady(id),
      (store, cancel) => {
        const recordSent = store.recordSent.bind(store);
        return vi.spyOn(store, 'recordSent').mockImplementation(async (onboardingId, batch, emails) => {
          await recordSent(onboardingId, batch, emails);
          if (onboardingId === id && batch.kind === 'batch' && batch.week === 2) await cancel();
        });
      },
    );

    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    const path = states(execution.visits);
    expect(path.slice(path.lastIndexOf('SendCheckins'))).toEqual([
      'SendCheckins',
      'WaitForFeedback',
      'RemindSilent',
      'WaitForGrace',
      'Evaluate',
      'IsOnboardingDone',
      'WaitForRelease',
      'ReleaseBatch',
      'IsReleaseHeld',
      'Cancelled',
    ]);
    // Week 2's batch went out with its release, before the cancel landed; nothing after it did.
    expect(records.filter((e) => e.week === 2).map((e) => e.kind)).toEqual(['batch']);
    expect(records.filter((e) => e.kind === 'summary')).toEqual([]);
    expect((await runtime.store.getOnboarding(id)).status).toBe('cancelled');
  });

  it('as week 2 is released, with the release retried after the cancel: the week is kept, its batch is not sent', async () => {
    const id = 'cancelled-at-week-2-retried';
    // The cancel lands once week 2 is recorded, and that attempt fails before sending: the retry
    // finds the week released and the onboarding cancelled.
    const { execution, records } = await runWithLateStop(
      id,
      () => startSteady(id),
      (store, cancel) => {
        const putWeek = store.putWeek.bind(store);
        let failed = false;
        return vi.spyOn(store, 'putWeek').mockImplementation(async (onboardingId, record) => {
          const stored = await putWeek(onboardingId, record);
          if (onboardingId === id && record.week === 2 && !failed) {
            failed = true;
            await cancel();
            throw new TransientError('The connection dropped after the write');
          }
          return stored;
        });
      },
    );

    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    const path = states(execution.visits);
    expect(path.slice(path.indexOf('ReleaseBatch', path.indexOf('Evaluate')))).toEqual([
      'ReleaseBatch',
      'IsReleaseHeld',
      'Cancelled',
    ]);
    expect((await runtime.store.listWeeks(id)).map((w) => w.week)).toEqual([1, 2]);
    expect(records.filter((e) => e.week === 2)).toEqual([]);
    expect(described(records.filter((e) => e.kind === 'cancelled'))).toEqual(cancelledToBothSides);
    expect((await runtime.store.getOnboarding(id)).status).toBe('cancelled');
  });

  it('as the last week’s gate finishes the onboarding, before the stop arrives: no summary, and it stays cancelled', async () => {
    const id = 'cancelled-at-wrap-up';
    // Steady on the example plan hands everything over by week 7: its gate finishes the run.
    const lastWeek = 7;
    const { execution, records } = await runWithLateStop(
      id,
      () => startSteady(id),
      (store, cancel) => {
        const close = store.closeWeek.bind(store);
        return vi.spyOn(store, 'closeWeek').mockImplementation(async (onboardingId, week, end) => {
          const closed = await close(onboardingId, week, end);
          if (onboardingId === id && week === lastWeek) await cancel();
          return closed;
        });
      },
    );

    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { status: 'cancelled' } });
    const path = states(execution.visits);
    expect(path.slice(path.lastIndexOf('Evaluate'))).toEqual(['Evaluate', 'IsOnboardingDone', 'WrapUp']);
    expect((await runtime.store.listWeeks(id)).at(-1)?.week).toBe(lastWeek);
    expect(records.filter((e) => e.kind === 'summary')).toEqual([]);
    expect((await runtime.store.getOnboarding(id)).status).toBe('cancelled');
  });

  it('as the wrap-up completes it, before the stop arrives: it stays cancelled, and the run says so', async () => {
    const id = 'cancelled-during-wrap-up';
    // The cancel lands after the wrap-up read the onboarding, as it marks it completed.
    const { execution } = await runWithLateStop(
      id,
      () => startSteady(id),
      (store, cancel) => {
        const update = store.updateProgress.bind(store);
        return vi.spyOn(store, 'updateProgress').mockImplementation(async (onboardingId, progress) => {
          if (onboardingId === id && progress.status === 'completed') await cancel();
          return update(onboardingId, progress);
        });
      },
    );

    expect(execution).toMatchObject({ status: 'SUCCEEDED', output: { status: 'cancelled' } });
    expect(states(execution.visits).at(-1)).toBe('WrapUp');
    expect((await runtime.store.getOnboarding(id)).status).toBe('cancelled');
  });

  it('a start redelivered after the cancel starts no execution', async () => {
    const id = 'cancelled-then-redelivered';
    const plan = { ...examplePlan(), id };
    const { store } = await import('#handlers/shared/store');
    const write = store.createOnboarding.bind(store);
    // The first start stops after its write (its function timed out), and the owner cancels.
    const crashAfterWrite = vi.spyOn(store, 'createOnboarding').mockImplementationOnce(async (draft) => {
      await write(draft);
      throw Object.assign(new Error('Task timed out'), { name: 'Sandbox.Timedout' });
    });
    try {
      await expect(runtime.startOnboarding({ plan })).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    } finally {
      crashAfterWrite.mockRestore();
    }
    const cancelled = await controls.cancelOnboarding(id);

    const { received, records } = await mailDuring(id, async () => {
      const again = await runtime.startOnboarding({ plan });
      expect(again).toMatchObject({ onboardingId: id, created: false });
    });

    expect(runtime.stepFunctions.executions.has(id)).toBe(false);
    expect(await runtime.store.getOnboarding(id)).toMatchObject({
      status: 'cancelled',
      cancelledAt: cancelled.since,
    });
    expect(received).toEqual([]);
    expect(described(records)).toEqual(cancelledToBothSides);
  });
});

describe('a resume that comes before the workflow has kept its token', () => {
  it('the wait hands its own token back, and the workflow goes on on schedule', async () => {
    const id = 'resumed-before-parked';
    duringWeek(id, 1, () => controls.pauseOnboarding(id));
    const execution = await startSteady(id);
    const parked = await untilParked(id);
    // As if the resume came between the release step's look and the wait keeping its token: the
    // onboarding is active again and no token is kept, so only the wait itself can go on.
    await runtime.store.clearPauseToken(id, parked.token);
    await runWithClock(execution.clock, () => controls.resumeOnboarding(id));
    expect(runtime.stepFunctions.parked(id)).toHaveLength(1);

    const { handler: parkWhilePaused } = await import('#handlers/park-while-paused');
    const answer = await runWithClock(execution.clock, () =>
      parkWhilePaused({ onboardingId: id, taskToken: parked.token }),
    );
    await untilStopped(execution);

    expect(answer).toEqual({ parked: false });
    expect(execution.status).toBe('SUCCEEDED');
    const onboarding = await runtime.store.getOnboarding(id);
    expect(onboarding.status).toBe('completed');
    expect(onboarding.pausedWeeks).toBeUndefined();
    const weeks = await runtime.store.listWeeks(id);
    expect(weeks[1]!.checkinAt).toBe(weekSchedule(onboarding.plan, 2).checkinAt);
  });
});

describe('controls an onboarding does not allow', () => {
  it('pausing, resuming or cancelling a completed onboarding is a conflict that writes nothing', async () => {
    const id = 'completed-then-paused';
    await untilStopped(await startSteady(id));
    const before = await runtime.store.getOnboarding(id);
    const emailsBefore = await runtime.store.listEmails(id);

    for (const control of [controls.pauseOnboarding, controls.resumeOnboarding, controls.cancelOnboarding]) {
      await expect(control(id)).rejects.toMatchObject({
        name: 'OnboardingConflict',
        message: expect.stringContaining('it is completed'),
      });
    }

    expect(await runtime.store.getOnboarding(id)).toEqual(before);
    expect(await runtime.store.listEmails(id)).toEqual(emailsBefore);
  });

  it('an unknown onboarding is OnboardingNotFound', async () => {
    await expect(controls.pauseOnboarding('no-such-onboarding')).rejects.toMatchObject({
      name: 'OnboardingNotFound',
    });
    await expect(controls.cancelOnboarding('no-such-onboarding')).rejects.toMatchObject({
      name: 'OnboardingNotFound',
    });
  });
});
