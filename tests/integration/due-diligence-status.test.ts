import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithClock } from '#adapters/clock';
import type { OnboardingStatusView } from '#core/onboarding-status';
import type { PlanInput } from '#core/plan';
import { lambdaContext } from '#local/http-server';
import type { Execution } from '#local/runner';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { SCENARIOS } from '#local/scenarios';
import { apiEvent, signed } from './api-events.ts';
import { deferred, examplePlan, untilStopped, withDeadline } from './helpers.ts';

/**
 * `GET /onboardings/{id}` of an onboarding in due diligence, on the local runtime (the
 * due-diligence scenario of examples/freelance-developer.yaml): held while the references are
 * asked (two answered at once, one of them at the partner's domain), then once scored (a weak
 * average: the owner is asked), then after the owner went ahead. An integration polling the
 * status sees where it stands, by counts, scores and states only.
 */

const id = 'due-diligence-status';
const plan: PlanInput = { ...examplePlan('examples/freelance-developer.yaml'), id };
const references = plan.references ?? [];
/** What the scripted references write (local/scenarios.ts): shown to the owner only. */
const COMMENTS = ['deadlines slipped', 'The best developer I know', 'weekly call'];

let runtime: LocalRuntime;
let execution: Execution;
const asking = { reached: deferred<void>(), released: deferred<void>() };
const scored = { reached: deferred<void>(), released: deferred<void>() };

beforeAll(async () => {
  runtime = await startLocalRuntime();
  runtime.simulation.play(id, SCENARIOS['due-diligence']!);
  // Holds the execution where a poller would look: after the first answers, before the reminder…
  const simulateWait = runtime.stepFunctions.onWait;
  runtime.stepFunctions.onWait = async (wait) => {
    await simulateWait?.(wait);
    if (wait.executionName === id && wait.stateName === 'WaitForReferenceReminder') {
      asking.reached.resolve();
      await asking.released.promise;
    }
  };
  // …and once scored, while the owner is asked, before the scripted owner decides.
  const simulatePark = runtime.stepFunctions.onPark;
  runtime.stepFunctions.onPark = async (task) => {
    if (task.executionName === id && task.stateName === 'WaitForDueDiligenceDecision') {
      scored.reached.resolve();
      await scored.released.promise;
    }
    await simulatePark?.(task);
  };
  await runtime.startOnboarding({ plan });
  execution = runtime.stepFunctions.get(id);
}, 60_000);
afterAll(async () => {
  asking.released.resolve();
  scored.released.resolve();
  await runtime?.stop();
});

/** The status as an integration reads it, at the execution's time. */
async function status(): Promise<{ view: OnboardingStatusView; body: string }> {
  const { handler } = await import('#handlers/integration-api');
  const result = (await runWithClock(execution.clock, () =>
    handler(
      apiEvent('GET /onboardings/{id}', {
        pathParameters: { id },
        // A read signs its request line.
        headers: signed(runtime.secrets.webhook, `GET /onboardings/${id}`),
      }),
      lambdaContext('IntegrationApi', Date.now() + 30_000),
    ),
  )) as APIGatewayProxyStructuredResultV2;
  expect(result.statusCode).toBe(200);
  return { view: JSON.parse(result.body!) as OnboardingStatusView, body: result.body! };
}

function expectNoReferenceData(body: string): void {
  expect(references).toHaveLength(3);
  for (const reference of references) {
    expect(body).not.toContain(reference.name);
    expect(body).not.toContain(reference.email);
  }
  for (const comment of COMMENTS) expect(body).not.toContain(comment);
  expect(body).not.toContain('@');
}

describe('GET /onboardings/{id} during due diligence', () => {
  it('while the references are asked: asking, 2 of 3 answered (one flagged), no score yet', async () => {
    await withDeadline(asking.reached.promise, 'the references asked');

    const { view, body } = await status();

    expect(view).toMatchObject({ status: 'active', week: 0, stage: null, nextCheckinAt: null });
    expect(view.dueDiligence).toMatchObject({
      state: 'asking',
      asked: 3,
      answered: 2,
      independentAnswers: 1,
      flaggedAnswers: 1,
      needed: { independentAnswers: 2, average: 3.5 },
    });
    expect(view.dueDiligence).not.toHaveProperty('verdict');
    expect(view.dueDiligence!.remindAt < view.dueDiligence!.dueAt).toBe(true);
    expect(execution.clock.now().toISOString() < view.dueDiligence!.remindAt).toBe(true);
    expectNoReferenceData(body);
    asking.released.resolve();
  });

  it('once scored: waiting for the owner, with the weak verdict and its averages', async () => {
    await withDeadline(scored.reached.promise, 'the owner asked');

    const { view, body } = await status();

    expect(view.dueDiligence).toMatchObject({
      state: 'waiting-for-owner',
      asked: 3,
      answered: 3,
      independentAnswers: 2,
      flaggedAnswers: 1,
      verdict: {
        outcome: 'ask-owner',
        average: 3,
        averages: { reliability: 3.5, quality: 3, communication: 2.5 },
      },
      owner: { decision: 'waiting' },
    });
    expect(view.dueDiligence!.verdict!.reason).toContain('the independent average 3.0 of 5 is below 3.5');
    expect(view.dueDiligence!.verdict!.at >= view.dueDiligence!.dueAt).toBe(true);
    expect(view.week).toBe(0);
    expectNoReferenceData(body);
    scored.released.resolve();
  });

  it('after the owner went ahead: decided, continue, and the weeks ran', async () => {
    await untilStopped(execution, 60_000);

    const { view, body } = await status();

    expect(execution.status).toBe('SUCCEEDED');
    expect(view.status).toBe('completed');
    expect(view.dueDiligence).toMatchObject({
      state: 'decided',
      verdict: { outcome: 'ask-owner' },
      owner: { decision: 'continue', reason: 'the owner decided to go ahead with the kickoff' },
    });
    expect(view.dueDiligence!.owner).not.toHaveProperty('by');
    expect(view.weeks.length).toBeGreaterThan(0);
    expectNoReferenceData(body);
  });
});
