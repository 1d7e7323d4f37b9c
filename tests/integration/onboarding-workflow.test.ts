import { Temporal } from 'temporal-polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime } from '#core/calendar';
import type { EmailRecord, Onboarding, WeekRecord } from '#core/onboarding';
import type { ReceivedEmail } from '#local/mailbox';
import type { Execution } from '#local/runner';
import { LOCAL_OPERATOR, type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { SCENARIOS } from '#local/scenarios';
import { examplePlan, untilStopped } from './helpers.ts';

let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startLocalRuntime();
});
afterAll(async () => {
  await runtime?.stop();
});

describe('a whole onboarding on the local runtime (examples/bookkeeping.yaml)', () => {
  const plan = { ...examplePlan(), id: 'bookkeeping-happy-path' };
  let execution: Execution;
  let onboarding: Onboarding;
  let weeks: WeekRecord[];
  let emails: EmailRecord[];
  let received: ReceivedEmail[];

  beforeAll(async () => {
    runtime.simulation.play(plan.id, SCENARIOS.steady!);
    const { onboardingId } = await runtime.startOnboarding({ plan });
    execution = await untilStopped(runtime.stepFunctions.get(onboardingId));
    [onboarding, weeks, emails, received] = await Promise.all([
      runtime.store.getOnboarding(onboardingId),
      runtime.store.listWeeks(onboardingId),
      runtime.store.listEmails(onboardingId),
      runtime.mailbox.list(),
    ]);
  });

  it('takes the weekly loop until all work is released, then wraps up', () => {
    expect(execution.status).toBe('SUCCEEDED');
    const path = execution.visits.map((v) => v.state);
    // No references in the plan: straight from Accept to the kickoff (no due diligence).
    expect(path.slice(0, 4)).toEqual(['Accept', 'IsDueDiligenceDue', 'Kickoff', 'WaitForRelease']);
    const week = [
      'ReleaseBatch',
      'IsReleaseHeld',
      'WaitForCheckin',
      'SendCheckins',
      'WaitForFeedback',
      'RemindSilent',
      'WaitForGrace',
      'Evaluate',
      'IsOnboardingDone',
    ];
    expect(path.filter((s) => s === 'ReleaseBatch')).toHaveLength(weeks.length);
    expect(path.slice(4, 4 + week.length)).toEqual(week);
    expect(path.at(-1)).toBe('WrapUp');
    expect(path).not.toContain('MarkFailed');
  });

  it('records both sides’ answers to every check-in, given through the email’s rating links', async () => {
    const feedback = await runtime.store.listFeedback('bookkeeping-happy-path');
    expect(feedback.map((f) => `${f.week}:${f.role}:${f.rating}`)).toEqual(
      weeks.flatMap((w) => [`${w.week}:owner:5`, `${w.week}:partner:4`]),
    );
    // Answered at the check-in, in the execution's time: the link handler ran on its clock.
    expect(feedback.slice(0, 2)).toEqual([
      expect.objectContaining({
        source: 'link',
        from: 'maria@santos-advisory.example',
        comment: 'Delivered as agreed, no corrections needed.',
        at: weeks[0]!.checkinAt,
      }),
      expect.objectContaining({ source: 'link', from: 'team@ledgerly.example', at: weeks[0]!.checkinAt }),
    ]);
    expect(new Set(feedback.map((f) => f.source))).toEqual(new Set(['link']));
  });

  it('records few history events a week, far below the 25,000 of a Standard execution over 52 weeks', () => {
    const eventsPerWeek = execution.eventCount / weeks.length;
    // A week is 4 Lambda Tasks (5 events each), 4 Waits and 2 Choices (2 each): about 32 events.
    expect(eventsPerWeek).toBeLessThanOrEqual(36);
    expect(eventsPerWeek * 52).toBeLessThan(25_000);
  });

  it('marks the onboarding completed in the table', () => {
    expect(onboarding).toMatchObject({ id: 'bookkeeping-happy-path', status: 'completed' });
    expect(onboarding.plan.owner.email).toBe('maria@santos-advisory.example');
  });

  it('writes one row per week, the stage rising one step a week up to full volume', () => {
    expect(weeks.length).toBeGreaterThanOrEqual(6);
    expect(weeks.map((w) => w.week)).toEqual(weeks.map((_, i) => i + 1));
    expect(weeks.map((w) => w.percent)).toEqual([10, 20, 35, 50, 75, 100, 100].slice(0, weeks.length));
    expect(weeks.map((w) => w.cap)).toEqual([4, 8, 14, 20, 30, 40, 40].slice(0, weeks.length));
    for (const w of weeks.slice(0, 5))
      expect(w.decision?.reason).toMatch(/^advance from \d+% to \d+%: the owner rated/);
    expect(weeks[5]?.decision?.reason).toMatch(/^stay at full volume/);
    expect(weeks.at(-1)?.decision).toEqual({
      outcome: 'finish',
      reason: 'every task handed over and a good last week: wrap up',
    });
  });

  it('reminds nobody when both sides answered, and records a healthy week each time the window closes', () => {
    for (const w of weeks) {
      expect(w.reminder).toEqual({
        at: w.remindAt,
        reminded: [],
        atRisk: false,
        silentDays: expect.any(Number),
        silentRole: expect.any(String),
      });
      expect(w.reminder!.silentDays).toBeLessThanOrEqual(1);
    }
    expect(onboarding.atRiskSince).toBeUndefined();
  });

  it('releases every task exactly once, never above the cap, highest priority first', () => {
    const released = weeks.flatMap((w) => w.tasks.map((t) => t.taskId));
    expect([...released].sort()).toEqual(plan.tasks.map((t) => t.id).sort());
    for (const w of weeks) expect(w.volume).toBeLessThanOrEqual(w.cap);
    expect(weeks[0]?.tasks.map((t) => t.taskId)).toEqual(['bank-feeds', 'receipts']);
    // Volume grows with the stage while there is work left to release.
    const volumes = weeks.slice(0, 6).map((w) => w.volume);
    expect(volumes).toEqual([...volumes].sort((a, b) => a - b));
  });

  it('records every email sent, and SES received exactly those', () => {
    const expected = [
      'kickoff:0:owner',
      'kickoff:0:partner',
      ...weeks.flatMap((w) => [
        `batch:${w.week}:partner`,
        `checkin:${w.week}:owner`,
        `checkin:${w.week}:partner`,
      ]),
      `summary:${weeks.length}:owner`,
    ];
    expect(emails.map((e) => `${e.kind}:${e.week}:${e.role}`).sort()).toEqual(expected.sort());
    const sesIds = new Set(received.map((m) => m.messageId));
    for (const email of emails) expect(sesIds.has(email.messageId)).toBe(true);
  });

  it('sends each email to the right people with the right subject', () => {
    const byId = new Map(received.map((m) => [m.messageId, m]));
    for (const email of emails) {
      const mail = byId.get(email.messageId)!;
      expect(mail.destination.to).toEqual(
        email.role === 'owner' ? ['maria@santos-advisory.example'] : ['team@ledgerly.example'],
      );
      expect(mail.subject).toBe(email.subject);
      expect(mail.body.text).toBeTruthy();
      expect(mail.body.html).toContain('<!doctype html>');
    }
    const partnerKickoff = byId.get(
      emails.find((e) => e.kind === 'kickoff' && e.role === 'partner')!.messageId,
    )!;
    expect(partnerKickoff.subject).toBe('Kickoff: Bookkeeping handover to Ledgerly');
    expect(partnerKickoff.body.text).toContain(
      'Deliverable: Every bank transaction of the week matched to a ledger entry in Xero',
    );
    expect(partnerKickoff.replyTo).toEqual(['maria@santos-advisory.example']);
  });

  it('holds check-ins 7 days apart at the same local time in the owner time zone, and sends them then', () => {
    const tz = onboarding.plan.owner.timeZone;
    const local = weeks.map((w) => Temporal.Instant.from(w.checkinAt).toZonedDateTimeISO(tz));
    for (const [i, at] of local.entries()) {
      expect(at.toPlainTime().toString()).toBe('15:00:00');
      expect(at.dayOfWeek).toBe(4);
      if (i > 0) expect(local[i - 1]!.toPlainDate().until(at.toPlainDate()).days).toBe(7);
    }
    // The virtual clock makes the email go out at the check-in, with that date in it.
    const byId = new Map(received.map((m) => [m.messageId, m]));
    for (const w of weeks) {
      const owner = emails.find((e) => e.kind === 'checkin' && e.week === w.week && e.role === 'owner')!;
      expect(owner.sentAt).toBe(new Date(w.checkinAt).toISOString());
      expect(byId.get(owner.messageId)!.body.text).toContain(formatDateTime(w.checkinAt, tz));
      // The partner answered at last week's check-in: the owner is told when, and it is no risk.
      if (w.week > 1)
        expect(byId.get(owner.messageId)!.body.text).toContain('Last heard from the partner: 7 days ago.');
    }
  });

  it('shows the partner dates in the partner time zone', () => {
    const partnerCheckin = emails.find((e) => e.kind === 'checkin' && e.week === 1 && e.role === 'partner')!;
    const mail = received.find((m) => m.messageId === partnerCheckin.messageId)!;
    expect(mail.body.text).toContain(formatDateTime(weeks[0]!.checkinAt, 'Asia/Manila'));
    expect(mail.body.text).toContain('at 22:00 Manila time');
  });
});

describe('starting an onboarding', () => {
  it('twice, even at once, makes one onboarding, one execution and one kickoff', async () => {
    const plan = { ...examplePlan(), id: 'twice-started' };
    const [first, second] = await Promise.all([
      runtime.startOnboarding({ plan }),
      runtime.startOnboarding({ plan }),
    ]);
    const third = await runtime.startOnboarding({ plan });
    await untilStopped(runtime.stepFunctions.get('twice-started'));

    expect([first.created, second.created].sort()).toEqual([false, true]);
    expect(third.created).toBe(false);
    expect([...runtime.stepFunctions.executions.keys()].filter((k) => k === 'twice-started')).toHaveLength(1);
    const emails = await runtime.store.listEmails('twice-started');
    expect(
      emails
        .filter((e) => e.kind === 'kickoff')
        .map((e) => e.role)
        .sort(),
    ).toEqual(['owner', 'partner']);
    const kickoffIds = new Set(emails.filter((e) => e.kind === 'kickoff').map((e) => e.messageId));
    const received = (await runtime.mailbox.list()).filter((m) => kickoffIds.has(m.messageId));
    expect(received).toHaveLength(2);
  });

  it('again with the same id but another plan is a conflict that changes nothing', async () => {
    const plan = { ...examplePlan(), id: 'conflicting-start' };
    await runtime.startOnboarding({ plan });
    await untilStopped(runtime.stepFunctions.get('conflicting-start'));
    const before = await runtime.store.getOnboarding('conflicting-start');

    await expect(runtime.startOnboarding({ plan: { ...plan, title: 'Another plan' } })).rejects.toMatchObject(
      {
        name: 'OnboardingConflict',
      },
    );
    expect(await runtime.store.getOnboarding('conflicting-start')).toEqual(before);
  });

  it('under an id that cannot name an execution is refused, and nothing is written or started', async () => {
    const error = await runtime
      .startOnboarding({ plan: examplePlan(), onboardingId: 'Delivery 42:retry' })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'PlanInvalid', issues: [{ path: 'onboardingId' }] });
    expect(await runtime.store.findOnboarding('Delivery 42:retry')).toBeUndefined();
    expect(runtime.stepFunctions.executions.has('Delivery 42:retry')).toBe(false);
  });

  it('from an invalid plan is refused with every problem, and nothing is written or started', async () => {
    const plan = examplePlan();
    const bad = {
      ...plan,
      id: 'invalid-plan',
      owner: { ...plan.owner, timeZone: 'Mars/Olympus' },
      tasks: plan.tasks.map((t, i) => (i === 2 ? { ...t, dependsOn: ['invoicing'] } : t)),
    };
    const error = await runtime.startOnboarding({ plan: bad }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PlanInvalid' });
    expect((error as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toContain(
      'owner.timeZone',
    );

    const good = { ...plan, id: 'invalid-plan', tasks: bad.tasks };
    const second = await runtime.startOnboarding({ plan: good }).catch((e: unknown) => e);
    expect((second as { issues: Array<{ path: string; message: string }> }).issues).toEqual([
      expect.objectContaining({
        path: 'tasks[2].dependsOn[0]',
        message: expect.stringContaining('unknown task "invoicing"'),
      }),
    ]);
    expect(await runtime.store.findOnboarding('invalid-plan')).toBeUndefined();
    expect(runtime.stepFunctions.executions.has('invalid-plan')).toBe(false);
  });
});

describe('when a step fails', () => {
  it('marks the onboarding failed and tells the owner and the operator the error name', async () => {
    // A stored plan that no longer validates (as if written by hand): Accept throws PlanInvalid.
    const plan = { ...examplePlan(), id: 'fails-in-accept' };
    const { onboardingId } = await runtime.startOnboarding({ plan });
    await untilStopped(runtime.stepFunctions.get(onboardingId));
    const broken = {
      ...(await runtime.store.getOnboarding(onboardingId)),
      id: 'fails-later',
      status: 'pending' as const,
    };
    broken.plan = { ...broken.plan, tasks: [] };
    await runtime.store.createOnboarding(broken);

    const execution = await untilStopped(
      runtime.stepFunctions.start('fails-later', JSON.stringify({ onboardingId: 'fails-later' })),
    );

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('PlanInvalid');
    expect(execution.visits.map((v) => v.state)).toEqual(['Accept', 'MarkFailed', 'Failed']);
    expect(await runtime.store.getOnboarding('fails-later')).toMatchObject({
      status: 'failed',
      failure: 'PlanInvalid',
    });
    const emails = await runtime.store.listEmails('fails-later');
    expect(emails.map((e) => `${e.kind}:${e.role}:${e.to.join()}`).sort()).toEqual([
      `failure:operator:${LOCAL_OPERATOR}`,
      'failure:owner:maria@santos-advisory.example',
    ]);
    const mail = (await runtime.mailbox.list()).find((m) => m.messageId === emails[0]!.messageId)!;
    expect(mail.body.text).toContain('stopped on an error: PlanInvalid');
    expect(mail.body.text).not.toContain('problem');
  });
});
