import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
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
 * An answer given at the moment the gate decides its week. The gate closes the week's answers,
 * then reads them: an answer stored before the close is weighed, one that comes after is refused
 * with nothing written. None is stored, told "recorded", and left out of the decision.
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

/** Lets the onboarding run until its week 1 is decided, then stops it: the later weeks are not the point. */
async function untilWeekOneDecided(id: string) {
  await until(
    async () => (await runtime.store.getWeek(id, 1))?.decision !== undefined,
    `${id}: week 1 decided`,
  );
  return untilStopped(runtime.stepFunctions.stop(id));
}

describe('an answer stored as the gate starts, just before it closes the answers', () => {
  const id = 'gate-race-before';
  let answer: Feedback;

  beforeAll(async () => {
    const { hold } = await startHeldAtFirstCheckin(runtime, planFor(id));
    // The partner answers in time; without the owner's answer too the week would hold.
    await runtime.recordFeedback({ onboardingId: id, week: 1, role: 'partner', rating: 4, source: 'api' });
    const close = store.closeAnswers.bind(store);
    vi.spyOn(store, 'closeAnswers').mockImplementation(async (onboardingId, week, at) => {
      if (onboardingId === id) {
        answer = await runtime.recordFeedback({
          onboardingId: id,
          week: 1,
          role: 'owner',
          rating: 5,
          source: 'api',
        });
      }
      return close(onboardingId, week, at);
    });
    hold.release();
    await untilWeekOneDecided(id);
  });

  it('is weighed: the gate reads the answers after closing them', async () => {
    const week = await runtime.store.getWeek(id, 1);

    expect(week?.weighed).toEqual({ owner: answer.at, partner: expect.any(String) });
    expect(week?.decision).toMatchObject({ outcome: 'advance' });
    expect(week?.decision?.reason).toContain('the owner rated the work 5/5');
  });

  it('is kept, as it was told', async () => {
    expect(await runtime.store.listFeedback(id)).toMatchObject([
      { week: 1, role: 'owner', rating: 5, at: answer.at },
      { week: 1, role: 'partner', rating: 4 },
    ]);
  });
});

describe('an answer checked while the week was open, written after the gate closed the answers', () => {
  const id = 'gate-race-after';
  let refusal: unknown;

  beforeAll(async () => {
    const { hold } = await startHeldAtFirstCheckin(runtime, planFor(id));
    const closed = deferred<void>();
    const close = store.closeAnswers.bind(store);
    vi.spyOn(store, 'closeAnswers').mockImplementation(async (onboardingId, week, at) => {
      await close(onboardingId, week, at);
      if (onboardingId === id) closed.resolve();
    });
    const put = store.putFeedback.bind(store);
    vi.spyOn(store, 'putFeedback').mockImplementation(async (onboardingId, feedback) => {
      // The week was open when the answer was checked; its write comes once the gate closed it.
      if (onboardingId === id) await withDeadline(closed.promise, 'the gate’s close of the answers');
      return put(onboardingId, feedback);
    });
    const answering = runtime
      .recordFeedback({ onboardingId: id, week: 1, role: 'partner', rating: 4, source: 'api' })
      .catch((error: unknown) => error);
    hold.release();
    refusal = await answering;
    await untilWeekOneDecided(id);
  });

  it('is refused: the gate was deciding the week without it', () => {
    expect(refusal).toMatchObject({
      name: 'FeedbackInvalid',
      issues: [{ path: 'week', message: 'week 1 is closed: the gate is deciding it' }],
    });
  });

  it('wrote nothing: the partner’s answer item holds the gate’s mark alone, and no answer is listed', async () => {
    const week = await runtime.store.getWeek(id, 1);
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.endpoints.dynamodb }));
    const { Item } = await db.send(
      new GetCommand({
        TableName: process.env.TABLE_NAME,
        Key: { pk: `ONB#${id}`, sk: 'FEEDBACK#01#partner' },
        ConsistentRead: true,
      }),
    );

    expect(Object.keys(Item ?? {}).sort()).toEqual(['closedAt', 'pk', 'sk']);
    expect(await runtime.store.listFeedback(id)).toEqual([]);
    expect(week?.weighed).toEqual({});
    expect(week?.decision).toBeDefined();
  });
});
