import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Feedback } from '#core/feedback';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import {
  deferred,
  examplePlan,
  startHeldAtFirstCheckin,
  until,
  untilStopped,
  withDeadline,
} from './helpers.ts';

/**
 * An answer given at the moment the gate decides its week: between the gate's read of the week's
 * answers and its close, or after the close. Either it is weighed, or it is refused and not kept;
 * never stored, told "recorded", and left out of the decision.
 */

let runtime: LocalRuntime;
let store: typeof import('#handlers/shared/store')['store'];
beforeAll(async () => {
  runtime = await startLocalRuntime();
  // The store the workflow's handlers share (the same module the runtime loaded them with).
  ({ store } = await import('#handlers/shared/store'));
});
afterAll(async () => {
  await runtime?.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const planFor = (id: string) => ({ ...examplePlan(), id });
const atEvaluate = (id: string) => runtime.stepFunctions.get(id).visits.at(-1)?.state === 'Evaluate';

/** Lets the onboarding run until its week 1 is decided, then stops it: the later weeks are not the point. */
async function untilWeekOneDecided(id: string) {
  await until(
    async () => (await runtime.store.getWeek(id, 1))?.decision !== undefined,
    `${id}: week 1 decided`,
  );
  return untilStopped(runtime.stepFunctions.stop(id));
}

describe('an answer that comes between the gate’s read and its close', () => {
  const id = 'gate-race-between';
  let answer: Feedback;
  let historyReads = 0;

  beforeAll(async () => {
    const { hold } = await startHeldAtFirstCheckin(runtime, planFor(id));
    // The partner answers in time; without the owner's answer too the week would hold.
    await runtime.recordFeedback({ onboardingId: id, week: 1, role: 'partner', rating: 4, source: 'api' });
    const read = store.getOnboardingHistory.bind(store);
    vi.spyOn(store, 'getOnboardingHistory').mockImplementation(async (onboardingId, from) => {
      const history = await read(onboardingId, from);
      if (onboardingId === id && atEvaluate(id) && historyReads++ === 0) {
        // The owner answers once the gate has read the week's answers (none), before it closes it.
        answer = await runtime.recordFeedback({
          onboardingId: id,
          week: 1,
          role: 'owner',
          rating: 5,
          source: 'api',
        });
      }
      return history;
    });
    hold.release();
    await untilWeekOneDecided(id);
  });

  it('is weighed: the gate reads the week again and decides with it', async () => {
    const week = await runtime.store.getWeek(id, 1);

    expect(historyReads).toBe(2);
    expect(week?.weighed).toEqual({ owner: answer.at, partner: expect.any(String) });
    expect(week?.decision).toMatchObject({ outcome: 'advance' });
    expect(week?.decision?.reason).toContain('the owner rated the work 5/5');
    expect(week?.answersCounted).toBe(2);
  });

  it('is kept, as it was told', async () => {
    expect(await runtime.store.listFeedback(id)).toMatchObject([
      { week: 1, role: 'owner', rating: 5, at: answer.at },
      { week: 1, role: 'partner', rating: 4 },
    ]);
  });

  it('decided the week in one run of the step: no retry, no failure', () => {
    const evaluated = runtime.stepFunctions
      .get(id)
      .visits.filter((v) => v.state === 'Evaluate' && (v.input as { week: number }).week === 1);

    expect(evaluated).toHaveLength(1);
    expect(evaluated[0]?.error).toBeUndefined();
  });
});

describe('an answer admitted before the gate reads the week, and written after', () => {
  const id = 'gate-race-writing';
  let answer: Feedback;
  let readsWhileWriting = 0;

  beforeAll(async () => {
    const { hold } = await startHeldAtFirstCheckin(runtime, planFor(id));
    await runtime.recordFeedback({ onboardingId: id, week: 1, role: 'partner', rating: 4, source: 'api' });
    const gateRead = deferred<void>();
    const read = store.getOnboardingHistory.bind(store);
    vi.spyOn(store, 'getOnboardingHistory').mockImplementation(async (onboardingId, from) => {
      const history = await read(onboardingId, from);
      if (onboardingId === id && atEvaluate(id)) {
        readsWhileWriting++;
        gateRead.resolve();
      }
      return history;
    });
    const put = store.putFeedback.bind(store);
    vi.spyOn(store, 'putFeedback').mockImplementation(async (onboardingId, feedback) => {
      // Admitted already; its write lands only once the gate has read the week without it.
      if (onboardingId === id && feedback.role === 'owner')
        await withDeadline(gateRead.promise, 'the gate’s read');
      return put(onboardingId, feedback);
    });
    const answering = runtime.recordFeedback({
      onboardingId: id,
      week: 1,
      role: 'owner',
      rating: 5,
      source: 'api',
    });
    hold.release();
    answer = await answering;
    await untilWeekOneDecided(id);
  });

  it('is waited for, then weighed: the gate decides only once every admitted answer is written', async () => {
    const week = await runtime.store.getWeek(id, 1);

    expect(readsWhileWriting).toBeGreaterThan(1);
    expect(week?.weighed).toEqual({ owner: answer.at, partner: expect.any(String) });
    expect(week?.decision).toMatchObject({ outcome: 'advance' });
  });
});

describe('an answer checked while the week was open, admitted after the gate closed it', () => {
  const id = 'gate-race-after';
  let refusal: unknown;

  beforeAll(async () => {
    const { hold } = await startHeldAtFirstCheckin(runtime, planFor(id));
    const closed = deferred<void>();
    const close = store.closeWeek.bind(store);
    vi.spyOn(store, 'closeWeek').mockImplementation(async (...args) => {
      const end = await close(...args);
      if (args[0] === id) closed.resolve();
      return end;
    });
    const admit = store.admitAnswer.bind(store);
    vi.spyOn(store, 'admitAnswer').mockImplementation(async (onboardingId, week) => {
      // The week was open when the answer was checked; it asks to be admitted after the close.
      if (onboardingId === id) await withDeadline(closed.promise, 'the gate’s close');
      return admit(onboardingId, week);
    });
    const answering = runtime
      .recordFeedback({ onboardingId: id, week: 1, role: 'partner', rating: 4, source: 'api' })
      .catch((error: unknown) => error);
    hold.release();
    refusal = await answering;
    await untilWeekOneDecided(id);
  });

  it('is refused: the week was decided without it', () => {
    expect(refusal).toMatchObject({
      name: 'FeedbackInvalid',
      issues: [{ path: 'week', message: expect.stringContaining('week 1 is closed') }],
    });
  });

  it('wrote nothing: nothing in the table says the partner answered', async () => {
    const week = await runtime.store.getWeek(id, 1);

    expect(await runtime.store.listFeedback(id)).toEqual([]);
    expect(week?.weighed).toEqual({});
    expect(week?.answersCounted).toBeUndefined();
  });
});
