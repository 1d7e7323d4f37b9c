import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithClock } from '#adapters/clock';
import { formatDate, formatDateTime } from '#core/calendar';
import { verifyLinkToken } from '#core/link-token';
import type { EmailRecord, WeekRecord } from '#core/onboarding';
import type { OnboardingStatusView } from '#core/onboarding-status';
import type { PlanInput } from '#core/plan';
import { lambdaContext } from '#local/http-server';
import { LinkClicks } from '#local/link-clicks';
import type { ReceivedEmail } from '#local/mailbox';
import { answerThroughLink, ratingLinkIn } from '#local/personas';
import type { Execution } from '#local/runner';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { SCENARIOS, type Scenario } from '#local/scenarios';
import { apiEvent, signed } from './api-events.ts';
import { examplePlan, untilStopped } from './helpers.ts';

/**
 * Follow-up of the silent on the local runtime: when a week's feedback window closes, each side
 * that has not answered gets one reminder with its rating links; an answer in the grace period
 * after it counts; a side still silent is named, with the date of its last answer, when the gate
 * asks the owner; and a side silent beyond the plan's limit marks the onboarding at risk.
 */

const OWNER = 'maria@santos-advisory.example';
const PARTNER = 'team@ledgerly.example';
const TITLE = 'Bookkeeping handover to Ledgerly';

let runtime: LocalRuntime;
const links = new LinkClicks();
beforeAll(async () => {
  runtime = await startLocalRuntime();
});
afterAll(async () => {
  await runtime?.stop();
});

function planWith(id: string, silenceLimitDays?: number): PlanInput {
  const plan = examplePlan();
  return { ...plan, id, ...(silenceLimitDays ? { gate: { ...plan.gate, silenceLimitDays } } : {}) };
}

async function run(plan: PlanInput, scenario: Scenario): Promise<Execution> {
  const id = plan.id!;
  runtime.simulation.play(id, scenario);
  await runtime.startOnboarding({ plan });
  return untilStopped(runtime.stepFunctions.get(id));
}

/** The emails of a kind as recorded, each with the message SES received. */
async function sent(
  id: string,
  kind: EmailRecord['kind'],
): Promise<Array<EmailRecord & { mail: ReceivedEmail }>> {
  const records = (await runtime.store.listEmails(id)).filter((e) => e.kind === kind);
  const received = await runtime.mailbox.list();
  return records.map((record) => ({
    ...record,
    mail: received.find((m) => m.messageId === record.messageId)!,
  }));
}

const states = (execution: Execution) => execution.visits.map((v) => v.state);

describe('a partner silent after week 1: reminded, then named to the owner, and the onboarding at risk', () => {
  const id = 'reminders-silent-partner';
  let execution: Execution;
  let weeks: WeekRecord[];

  beforeAll(async () => {
    // The owner answers every week; the partner only week 1; the owner aborts when asked (week 3).
    execution = await run(planWith(id, 7), SCENARIOS['owner-aborts']!);
    weeks = await runtime.store.listWeeks(id);
  });

  it('reminds when each week’s window closes, then waits for the grace period before the gate', () => {
    const path = states(execution);
    const loop = path.slice(path.indexOf('WaitForFeedback'), path.indexOf('Evaluate') + 1);
    expect(loop).toEqual(['WaitForFeedback', 'RemindSilent', 'WaitForGrace', 'Evaluate']);
    expect(path.filter((s) => s === 'RemindSilent')).toHaveLength(3);
    expect(path.at(-1)).toBe('Aborted');
  });

  it('sends one reminder a silent week, to the partner only, never to the side that answered', async () => {
    const reminders = await sent(id, 'reminder');
    expect(reminders.map((r) => `${r.week}:${r.role}:${r.to.join(',')}`)).toEqual([
      `2:partner:${PARTNER}`,
      `3:partner:${PARTNER}`,
    ]);
    for (const reminder of reminders) {
      expect(reminder.subject).toBe(`Reminder, check-in week ${reminder.week}: ${TITLE}`);
      expect(reminder.mail.destination.to).toEqual([PARTNER]);
      expect(reminder.sentAt).toBe(weeks[reminder.week - 1]!.remindAt);
    }
    expect(weeks.map((w) => w.reminder?.reminded)).toEqual([[], ['partner'], ['partner']]);
  });

  it('carries five rating links for the partner’s week, valid until the grace period ends', async () => {
    const [reminder] = await sent(id, 'reminder');
    const week = weeks[1]!;
    expect(reminder!.mail.body.text).toContain(
      `Your answer still counts until ${formatDateTime(week.feedbackDueAt, 'Asia/Manila')}`,
    );
    for (const rating of [1, 2, 3, 4, 5]) {
      const token = ratingLinkIn(reminder!.mail, rating).split('/links/')[1]!;
      const check = verifyLinkToken(token, runtime.secrets.link, {
        purposes: ['rate'],
        now: new Date(week.remindAt!),
      });
      expect(check).toMatchObject({
        ok: true,
        claims: {
          onboardingId: id,
          week: 2,
          role: 'partner',
          recipient: PARTNER,
          purpose: 'rate',
          rating,
          expiresAt: Date.parse(week.feedbackDueAt) / 1000,
        },
      });
    }
  });

  it('names the silent partner and the date of their last answer in the owner’s escalation', async () => {
    const [escalation] = await sent(id, 'escalation');
    expect(escalation).toMatchObject({ week: 3, role: 'owner', to: [OWNER] });
    const lastAnswer = (await runtime.store.listFeedback(id)).find((f) => f.role === 'partner')!;
    expect(lastAnswer.week).toBe(1);
    expect(escalation!.mail.body.text).toContain('Who went quiet:');
    expect(escalation!.mail.body.text).toContain(
      `Ledgerly Outsourcing (the partner): no answer to week 3, even after a reminder; last answered on ${formatDate(lastAnswer.at, 'Europe/Berlin')}.`,
    );
    expect(escalation!.mail.body.text).not.toContain('You (Maria Santos)');
  });

  it('tells the owner after a silent week the gate only held, naming the partner: once, and not beside an escalation', async () => {
    const notices = await sent(id, 'silence');
    expect(notices.map((n) => ({ week: n.week, role: n.role, to: n.to }))).toEqual([
      { week: 2, role: 'owner', to: [OWNER] },
    ]);
    const lastAnswer = (await runtime.store.listFeedback(id)).find((f) => f.role === 'partner')!;
    expect(notices[0]!.mail.subject).toBe(`No answer from Ledgerly Outsourcing, week 2: ${TITLE}`);
    expect(notices[0]!.mail.body.text).toContain(
      `Ledgerly Outsourcing (the partner): no answer to week 2, even after a reminder; last answered on ${formatDate(lastAnswer.at, 'Europe/Berlin')}.`,
    );
    expect(notices[0]!.mail.body.text).toContain(`The weekly check decided: ${weeks[1]!.decision!.reason}.`);
  });

  it('marks the onboarding at risk when the partner’s silence passes the plan’s 7 days', async () => {
    // Week 2's window closes 8 days after week 1's check-in, the partner's last answer.
    expect(weeks.map((w) => w.reminder?.atRisk)).toEqual([false, true, true]);
    expect(weeks[1]!.reminder).toMatchObject({ silentRole: 'partner', silentDays: 8 });
    const onboarding = await runtime.store.getOnboarding(id);
    expect(onboarding.atRiskSince).toBe(weeks[1]!.remindAt);
  });

  it('tells the owner at the next check-in when the partner was last heard from, and that it is at risk', async () => {
    const ownerCheckins = (await sent(id, 'checkin')).filter((c) => c.role === 'owner');
    const text = (week: number) => ownerCheckins.find((c) => c.week === week)!.mail.body.text;
    expect(text(1)).not.toContain('Last heard from the partner');
    expect(text(2)).toContain('Last heard from the partner: 7 days ago.');
    expect(text(3)).toContain('Last heard from the partner: 14 days ago (at risk: the plan allows 7 days).');
  });

  it('shows the health and the at-risk mark in GET /onboardings/{id}', async () => {
    const { handler } = await import('#handlers/integration-api');
    const at = new Date(weeks[2]!.feedbackDueAt);
    const result = (await runWithClock({ now: () => at }, () =>
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
    const status = JSON.parse(result.body!) as OnboardingStatusView;
    const partnerAnswer = (await runtime.store.listFeedback(id)).find((f) => f.role === 'partner')!;
    expect(status.atRiskSince).toBe(weeks[1]!.remindAt);
    expect(status.health).toMatchObject({
      asOf: at.toISOString(),
      limitDays: 7,
      atRisk: true,
      partner: { lastHeardAt: partnerAnswer.at, atRisk: true },
      owner: { atRisk: false },
    });
    expect(status.health.partner.silentDays).toBeGreaterThan(14);
    expect(status.weeks.map((w) => w.reminded)).toEqual([[], ['partner'], ['partner']]);
  });
});

describe('an answer after the reminder, before the grace period ends', () => {
  const id = 'reminders-late-answer';
  let execution: Execution;

  beforeAll(async () => {
    // The partner answers week 1 only through its reminder, during the grace period; later weeks at once.
    const steady = SCENARIOS.steady!;
    const scenario: Scenario = {
      ...steady,
      description: 'a late partner in week 1',
      partner: (checkIn) => (checkIn.week === 1 ? undefined : steady.partner(checkIn)),
    };
    const simulate = runtime.stepFunctions.onWait;
    runtime.stepFunctions.onWait = async (wait) => {
      await simulate?.(wait);
      const { week } = wait.state as { week: number };
      if (wait.executionName === id && wait.stateName === 'WaitForGrace' && week === 1) {
        const [reminder] = await sent(id, 'reminder');
        await answerThroughLink(links, reminder!.mail, { rating: 4, comment: 'Sorry, late: a good week.' });
      }
    };
    execution = await run({ ...planWith(id), id }, scenario);
    runtime.stepFunctions.onWait = simulate;
  });

  it('counts for the week: the gate advances on it, and nobody is escalated to', async () => {
    const [week1] = await runtime.store.listWeeks(id);
    expect(week1!.reminder?.reminded).toEqual(['partner']);
    expect(week1!.decision).toMatchObject({ outcome: 'advance' });
    expect(week1!.decision!.reason).toContain('the partner the week 4/5');
    const answer = (await runtime.store.listFeedback(id)).find((f) => f.week === 1 && f.role === 'partner');
    expect(answer).toMatchObject({ rating: 4, source: 'link', from: PARTNER, at: week1!.remindAt });
    expect(Date.parse(answer!.at)).toBeLessThan(Date.parse(week1!.feedbackDueAt));
    expect(states(execution)).toContain('RemindSilent');
  });
});
