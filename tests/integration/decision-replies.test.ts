import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Clock, runWithClock } from '#adapters/clock';
import type { EmailRecord } from '#core/onboarding';
import type { OwnerChoice } from '#core/owner-decision';
import { onboardingRef, replyTokenOf, verifyReplyToken } from '#core/reply-address';
import { deliverLocally, LOCAL_INBOUND_ADDRESS, type LocalDelivery } from '#local/inbound';
import { LinkClicks } from '#local/link-clicks';
import type { ReceivedEmail } from '#local/mailbox';
import type { Execution, ParkedTask } from '#local/runner';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { SCENARIOS, type Scenario } from '#local/scenarios';
import { examplePlan, until, untilStopped } from './helpers.ts';

/**
 * Deciding by replying to the owner's question, on the local runtime: the gate asks the owner
 * after week 3 (the partner went silent; scenario owner-aborts), the execution waits on its task
 * token, and nobody decides for the test: it delivers the replies of
 * tests/fixtures/mail/replies/decision-*.eml to the question's Reply-To through the inbound
 * function, as SES would, at the execution's virtual time, and clicks the email's links.
 */

const OWNER = 'maria@santos-advisory.example';
const PARTNER = 'team@ledgerly.example';
const TITLE = 'Bookkeeping handover to Ledgerly';
/** The placeholder token the fixtures are addressed to; a test puts the question's own in its place. */
const PLACEHOLDER = `plans+${'a'.repeat(32)}@onramp.local`;
const LABEL: Record<OwnerChoice, string> = {
  continue: 'Continue',
  extend: 'Extend this stage',
  abort: 'Abort the onboarding',
};

let runtime: LocalRuntime;
const links = new LinkClicks();
/** Onboardings whose owner the test plays: the simulation neither decides nor lets time pass. */
const held = new Set<string>();
const started: Execution[] = [];

beforeAll(async () => {
  runtime = await startLocalRuntime();
  const simulate = runtime.stepFunctions.onPark;
  runtime.stepFunctions.onPark = async (task) => {
    if (!held.has(task.executionName)) await simulate?.(task);
  };
});
afterAll(async () => {
  for (const execution of started) if (execution.status === 'RUNNING') execution.abort();
  await runtime?.stop();
});

/** Starts an onboarding played by `scenario`, whose owner's decisions are left to the test. */
async function startHeld(id: string, scenario: Scenario = SCENARIOS['owner-aborts']!, plan = examplePlan()) {
  held.add(id);
  runtime.simulation.play(id, scenario);
  await runtime.startOnboarding({ plan: { ...plan, id } });
  const execution = runtime.stepFunctions.get(id);
  started.push(execution);
  const parked = await untilAsked(id);
  const question = await questionEmail(id);
  return { execution, parked, question, replyTo: question.email.replyTo[0]! };
}

/** Polls until the execution waits for the owner's decision, failing past the deadline or if it ends. */
async function untilAsked(id: string, deadlineMs = 60_000): Promise<ParkedTask> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const parked = runtime.stepFunctions.parked(id).find((p) => /Decision$/.test(p.stateName));
    if (parked) return parked;
    const { status } = runtime.stepFunctions.get(id);
    if (status !== 'RUNNING') throw new Error(`${id} ended ${status} instead of asking the owner`);
    if (Date.now() > deadline) throw new Error(`${id} did not ask the owner within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The owner's question email (the latest escalation, or the due diligence's) as received. */
async function questionEmail(id: string): Promise<{ record: EmailRecord; email: ReceivedEmail }> {
  const record = (await runtime.store.listEmails(id)).findLast((e) => e.kind === 'escalation')!;
  const email = await runtime.mailbox.get(record.messageId);
  if (!email) throw new Error(`${id}: the question email did not arrive`);
  return { record, email };
}

/**
 * A fixture sent to `to`, delivered at the execution's time (or `at`): its Message-ID is made the
 * delivery's own (`tag`), as each fixture stands for a message of its own in each test.
 */
async function deliver(
  file: string,
  to: string,
  {
    clock,
    tag,
    from,
    addressed,
    toHeader,
  }: { clock: Clock; tag: string; from?: string; addressed?: string; toHeader?: string },
): Promise<LocalDelivery> {
  const fixture = readFileSync(`tests/fixtures/mail/replies/${file}`, 'latin1');
  // `toHeader`: the reply's To and Cc lines as given (a reply to all), `{to}` standing for the address.
  const headed = toHeader ? fixture.replace(/^To: .*$/m, toHeader.replaceAll('{to}', to)) : fixture;
  const raw = headed
    .replaceAll(PLACEHOLDER, addressed ?? to)
    .replace(/^Message-ID: </m, `Message-ID: <${tag}.`);
  // `addressed`: the To header names another address than the one SES received it for (`to`).
  const options = { ...(from ? { from } : {}), ...(addressed ? { to } : {}) };
  return runWithClock(clock, () => deliverLocally(runtime, Buffer.from(raw, 'latin1'), options));
}

function linkIn(email: ReceivedEmail, choice: OwnerChoice): string {
  const link = email.body.text?.split(`${LABEL[choice]}:\n`)[1]?.split(/\s/)[0];
  if (!link) throw new Error(`no ${choice} link in "${email.subject}"`);
  return link;
}

const states = (execution: Execution) => execution.visits.map((v) => v.state);

describe('the escalation email', () => {
  const id = 'reply-address-of-question';
  let question: ReceivedEmail;
  let replyTo: string;

  beforeAll(async () => {
    ({
      question: { email: question },
      replyTo,
    } = await startHeld(id));
  });

  it('carries a Reply-To of its own: the owner’s decision about week 3, not a check-in answer', async () => {
    const check = verifyReplyToken(replyTokenOf(replyTo, LOCAL_INBOUND_ADDRESS)!, runtime.secrets.link);
    const checkins = (await runtime.store.listEmails(id)).filter((e) => e.kind === 'checkin');
    const checkinReplyTo = await Promise.all(
      checkins.map(async (c) => (await runtime.mailbox.get(c.messageId))?.replyTo[0]),
    );

    expect(replyTo).toMatch(/^plans\+[a-z2-7]{32}@onramp\.local$/);
    expect(check).toEqual({
      ok: true,
      claims: { ref: onboardingRef(id, runtime.secrets.link), week: 3, purpose: 'decision', role: 'owner' },
    });
    expect(checkinReplyTo).not.toContain(replyTo);
  });

  it('tells the owner the three words a reply can say, besides the links', () => {
    expect(question.body.text).toContain(
      'Or reply to this email with one word on the first line: CONTINUE, EXTEND or ABORT.',
    );
    expect(question.body.text).toContain('The links and a reply decide in your name');
    expect(question.body.html).toContain('CONTINUE, EXTEND or ABORT');
  });
});

describe('the owner replies "ABORT" from Gmail', () => {
  const id = 'reply-aborts';
  let execution: Execution;
  let question: ReceivedEmail;
  let replyTo: string;
  let delivery: LocalDelivery;

  beforeAll(async () => {
    ({
      execution,
      replyTo,
      question: { email: question },
    } = await startHeld(id));
    delivery = await deliver('decision-abort-gmail.eml', replyTo, { clock: execution.clock, tag: id });
    await untilStopped(execution);
  });

  it('decides: the workflow applies the abort and ends as succeeded, without wrapping up', () => {
    expect(delivery.outcome).toEqual({
      outcome: 'decision-recorded',
      onboardingId: id,
      week: 3,
      choice: 'abort',
      replied: true,
    });
    expect(states(execution).slice(-4)).toEqual([
      'WaitForOwnerDecision',
      'ApplyOwnerDecision',
      'IsOnboardingDone',
      'Aborted',
    ]);
    expect(states(execution)).not.toContain('WrapUp');
    expect(execution.status).toBe('SUCCEEDED');
    const waited = execution.visits.findLast((v) => v.state === 'WaitForOwnerDecision')!;
    expect(waited.output).toMatchObject({ ownerAnswer: { choice: 'abort' } });
  });

  it('records the decision as the owner’s, and the onboarding as aborted', async () => {
    const [onboarding, weeks, decided] = await Promise.all([
      runtime.store.getOnboarding(id),
      runtime.store.listWeeks(id),
      runtime.store.findDecision(id, 3),
    ]);
    expect(decided).toMatchObject({
      state: 'decided',
      choice: 'abort',
      decidedBy: OWNER,
      decidedVia: 'email',
    });
    expect(decided?.taskToken).toBeUndefined();
    expect(weeks[2]!.decision?.owner).toMatchObject({
      choice: 'abort',
      by: OWNER,
      via: 'email',
      at: decided!.decidedAt,
    });
    expect(onboarding).toMatchObject({ status: 'aborted', abortedAt: decided!.decidedAt });
  });

  it('tells both sides the onboarding stopped', async () => {
    const aborted = (await runtime.store.listEmails(id)).filter((e) => e.kind === 'aborted');
    expect(aborted.map((e) => `${e.role}:${e.to.join()}`).sort()).toEqual([
      `owner:${OWNER}`,
      `partner:${PARTNER}`,
    ]);
  });

  it('answers the owner with what was decided, for which onboarding and week', () => {
    expect(delivery.reply).toMatchObject({
      subject: `Decided: Abort the onboarding, after week 3 of ${TITLE}`,
      destination: { to: [OWNER] },
      replyTo: [replyTo],
    });
    expect(delivery.reply!.body.text).toContain(
      `your reply is recorded as your decision after week 3 of “${TITLE}” (onboarding ${id})`,
    );
    expect(delivery.reply!.body.text).toContain('Stop the onboarding now');
  });

  it('does nothing again when the same reply is delivered again', async () => {
    const again = await deliver('decision-abort-gmail.eml', replyTo, { clock: execution.clock, tag: id });

    expect(again.outcome).toEqual({ outcome: 'already-answered', onboardingId: id });
    expect(again.reply).toBeUndefined();
  });

  it('a link clicked after the reply shows the first decision and changes nothing', async () => {
    const before = await runtime.store.findDecision(id, 3);
    const page = await runWithClock(execution.clock, () =>
      links.click(linkIn(question, 'continue'), { choice: 'continue' }),
    );

    expect(page.status).toBe(409);
    expect(page.body).toContain('Already decided: Abort the onboarding');
    expect(await runtime.store.findDecision(id, 3)).toEqual(before);
    expect((await runtime.store.getOnboarding(id)).status).toBe('aborted');
  });
});

describe('the owner replies "Continue." from Outlook', () => {
  const id = 'reply-continues';
  let execution: Execution;
  let delivery: LocalDelivery;

  beforeAll(async () => {
    let replyTo: string;
    ({ execution, replyTo } = await startHeld(id));
    delivery = await deliver('decision-continue-outlook.eml', replyTo, { clock: execution.clock, tag: id });
  });

  it('decides: next week’s batch brings new work at the stage the check set', async () => {
    expect(delivery.outcome).toMatchObject({ outcome: 'decision-recorded', week: 3, choice: 'continue' });
    await until(async () => (await runtime.store.getWeek(id, 4)) !== undefined, 'week 4 released');
    const weeks = await runtime.store.listWeeks(id);
    expect(weeks[2]!.decision).toMatchObject({ releaseNew: true, owner: { choice: 'continue', by: OWNER } });
    expect(weeks[3]).toMatchObject({ stage: weeks[2]!.stage, releasesNew: true });
    expect(states(execution)).toContain('ApplyOwnerDecision');
    expect((await runtime.store.getOnboarding(id)).status).toBe('active');
  });

  it('answers the owner with the decision', () => {
    expect(delivery.reply?.subject).toBe(`Decided: Continue, after week 3 of ${TITLE}`);
  });
});

describe('replies that decide nothing', () => {
  const id = 'reply-refused';
  let execution: Execution;
  let question: { record: EmailRecord; email: ReceivedEmail };
  let replyTo: string;

  beforeAll(async () => {
    ({ execution, replyTo, question } = await startHeld(id));
  });

  const decision = () => runtime.store.findDecision(id, 3);
  const at = (clock: Clock) => ({ clock, tag: `${id}.${Math.random().toString(36).slice(2)}` });

  it('the partner replying "ABORT" to the owner’s question: dropped without an answer', async () => {
    const before = await decision();
    const delivery = await deliver('decision-abort-partner.eml', replyTo, at(execution.clock));

    expect(delivery.outcome).toEqual({ outcome: 'dropped', reasons: ['not-the-recipient'] });
    expect(delivery.reply).toBeUndefined();
    expect(await decision()).toEqual(before);
    expect(before).toMatchObject({ state: 'waiting' });
    expect(runtime.stepFunctions.parked(id)).toHaveLength(1);
  });

  it('the owner’s own signed "ABORT" to someone else, sent on to the reply address: dropped without an answer', async () => {
    const before = await decision();
    const delivery = await deliver('decision-abort-gmail.eml', replyTo, {
      ...at(execution.clock),
      addressed: 'ana@santos-advisory.example',
    });

    expect(delivery.outcome).toEqual({ outcome: 'dropped', reasons: ['reply-address-not-in-headers'] });
    expect(delivery.reply).toBeUndefined();
    expect(await decision()).toEqual(before);
    expect(before).toMatchObject({ state: 'waiting' });
    expect(runtime.stepFunctions.parked(id)).toHaveLength(1);
  });

  it('"Continue or abort?": ambiguous, and the owner is told what was read and which words count', async () => {
    const before = await decision();
    const delivery = await deliver('decision-ambiguous.eml', replyTo, at(execution.clock));

    expect(delivery.outcome).toEqual({
      outcome: 'decision-not-recorded',
      onboardingId: id,
      week: 3,
      reason: 'ambiguous',
      replied: true,
    });
    expect(await decision()).toEqual(before);
    expect(runtime.stepFunctions.parked(id)).toHaveLength(1);
    expect(delivery.reply).toMatchObject({
      subject: `Nothing decided: your reply after week 3 of ${TITLE}`,
      destination: { to: [OWNER] },
      replyTo: [replyTo],
    });
    const text = delivery.reply!.body.text!;
    expect(text).toContain("we read “Continue or abort? I am not sure yet, let's talk on Monday.”");
    expect(text).toContain('names CONTINUE and ABORT: only one choice can be made');
    expect(text).toContain('reply with one word on the first line: CONTINUE, EXTEND or ABORT');
  });

  it('a reply with only the quoted question: nothing decided, and how to decide', async () => {
    const delivery = await deliver('decision-quoted-only.eml', replyTo, at(execution.clock));

    expect(delivery.outcome).toMatchObject({ outcome: 'decision-not-recorded', reason: 'empty' });
    expect(delivery.reply!.body.text).toContain('we found nothing written above the quoted email');
    expect(await decision()).toMatchObject({ state: 'waiting' });
  });

  it('"ABORT" to the owner’s check-in address of the week is a check-in answer, never a decision', async () => {
    const checkin = (await runtime.store.listEmails(id, { kind: 'checkin', week: 3 })).find(
      (e) => e.role === 'owner',
    )!;
    const checkinReplyTo = (await runtime.mailbox.get(checkin.messageId))!.replyTo[0]!;
    const delivery = await deliver('decision-abort-gmail.eml', checkinReplyTo, at(execution.clock));

    expect(delivery.outcome).toMatchObject({ outcome: 'feedback-not-recorded', role: 'owner', week: 3 });
    expect(await decision()).toMatchObject({ state: 'waiting' });
  });

  it('a reply after the deadline: too late, and the owner is told what happens by default', async () => {
    const dueAt = Date.parse((await decision())!.dueAt);
    const late = { now: () => new Date(dueAt + 60_000) };
    const delivery = await deliver('decision-continue-outlook.eml', replyTo, at(late));

    expect(delivery.outcome).toMatchObject({ outcome: 'decision-not-recorded', reason: 'too-late' });
    expect(delivery.reply?.subject).toBe(`Too late to decide: after week 3 of ${TITLE}`);
    expect(delivery.reply!.body.text).toContain('the stage holds one more week');
    expect(await decision()).toMatchObject({ state: 'waiting' });
  });

  it('after the owner decided through a link, a reply changes nothing and says what was decided', async () => {
    const page = await runWithClock(execution.clock, () =>
      links.click(linkIn(question.email, 'extend'), { choice: 'extend' }),
    );
    expect(page.status).toBe(200);
    const delivery = await deliver('decision-abort-gmail.eml', replyTo, at(execution.clock));

    expect(delivery.outcome).toMatchObject({ outcome: 'decision-not-recorded', reason: 'settled' });
    expect(delivery.reply?.subject).toBe(`Already decided: Extend this stage, after week 3 of ${TITLE}`);
    expect(delivery.reply!.body.text).toContain(
      `by ${OWNER}: Extend this stage. The first decision stands; your reply changed nothing.`,
    );
    expect(await decision()).toMatchObject({ state: 'decided', choice: 'extend' });
    expect((await runtime.store.getOnboarding(id)).status).not.toBe('aborted');
  });
});

describe('the due diligence’s question, decided by reply', () => {
  const id = 'due-diligence-by-reply';
  const DD_OWNER = 'dana@northbeam-digital.example';
  let execution: Execution;
  let parked: ParkedTask;
  let question: ReceivedEmail;
  let replyTo: string;

  beforeAll(async () => {
    const scenario: Scenario = { ...SCENARIOS['due-diligence']!, decidesBy: 'email' };
    ({
      execution,
      parked,
      replyTo,
      question: { email: question },
    } = await startHeld(id, scenario, examplePlan('examples/freelance-developer.yaml')));
  }, 90_000);

  it('offers CONTINUE or ABORT by reply: there is no stage to extend before the kickoff', () => {
    expect(
      verifyReplyToken(replyTokenOf(replyTo, LOCAL_INBOUND_ADDRESS)!, runtime.secrets.link),
    ).toMatchObject({ ok: true, claims: { week: 0, purpose: 'decision', role: 'owner' } });
    expect(question.body.text).toContain(
      'reply to this email with one word on the first line: CONTINUE or ABORT.',
    );
    expect(question.body.text).not.toContain('EXTEND');
  });

  it('"Extend" is not one of its choices: nothing decided, and the owner is told the two words', async () => {
    const delivery = await deliver('decision-extend-apple.eml', replyTo, {
      clock: execution.clock,
      tag: id,
      from: DD_OWNER,
    });

    expect(delivery.outcome).toMatchObject({
      outcome: 'decision-not-recorded',
      week: 0,
      reason: 'not-offered',
    });
    expect(delivery.reply!.body.text).toContain(
      'we read EXTEND, but the decision before the kickoff offers only CONTINUE or ABORT',
    );
    expect(await runtime.store.findDecision(id, 0)).toMatchObject({ state: 'waiting' });
  });

  it('the scenario’s owner replies CONTINUE: the kickoff goes out and the onboarding runs', async () => {
    held.delete(id);
    // As the runner calls it: at the execution's time, which the owner lets run to the next morning.
    await runWithClock(execution.clock, () => runtime.simulation.onPark(parked));
    await untilStopped(execution, 60_000);

    expect(await runtime.store.findDecision(id, 0)).toMatchObject({
      state: 'decided',
      choice: 'continue',
      decidedBy: DD_OWNER,
    });
    expect(states(execution)).toContain('Kickoff');
    expect(execution.status).toBe('SUCCEEDED');
    expect((await runtime.store.getOnboarding(id)).status).toBe('completed');
  }, 90_000);
});

describe('a cancel that lands while the reply is read', () => {
  const id = 'reply-as-cancelled';

  it('decides nothing: the onboarding is read again before deciding, and the owner is told it has ended', async () => {
    const { execution, replyTo } = await startHeld(id);
    const { store } = await import('#handlers/shared/store');
    const { workflow } = await import('#handlers/shared/workflow');
    const controls = await import('#handlers/onboarding-controls');
    // The stop is held back, so the execution still waits on the owner's token.
    const stopLate = vi.spyOn(workflow, 'stop').mockResolvedValue({ stopped: false });
    // The cancel lands once the reply's address is checked against the onboarding, before the
    // message is fetched and read.
    const read = store.findOnboardingWeek.bind(store);
    let cancelled = false;
    const landing = vi.spyOn(store, 'findOnboardingWeek').mockImplementation(async (onboardingId, week) => {
      const found = await read(onboardingId, week);
      if (onboardingId === id && !cancelled) {
        cancelled = true;
        await runWithClock(execution.clock, () => controls.cancelOnboarding(id));
      }
      return found;
    });
    let delivery: LocalDelivery;
    try {
      delivery = await deliver('decision-continue-outlook.eml', replyTo, {
        clock: execution.clock,
        tag: `${id}.continue`,
      });
    } finally {
      landing.mockRestore();
      stopLate.mockRestore();
    }

    expect(cancelled).toBe(true);
    expect(delivery.outcome).toMatchObject({ outcome: 'decision-not-recorded', reason: 'ended' });
    expect(delivery.reply?.subject).toBe(`Nothing decided: ${TITLE} has ended`);
    expect(await runtime.store.findDecision(id, 3)).not.toMatchObject({ state: 'decided' });
    expect((await runtime.store.listWeeks(id))[2]?.decision?.owner).toBeUndefined();
    expect((await runtime.store.getOnboarding(id)).status).toBe('cancelled');
  });
});

describe('a reply to all: the reply address among other recipients', () => {
  const id = 'reply-to-all';

  it('decides, whether the others are in To beside it or in Cc', async () => {
    const { execution, replyTo } = await startHeld(id);
    // Outlook puts everyone in one To line; a second header line, and Cc, are read too.
    const delivery = await deliver('decision-continue-outlook.eml', replyTo, {
      clock: execution.clock,
      tag: `${id}.continue`,
      toHeader:
        'To: "Ledgerly Team" <team@ledgerly.example>, onramp <{to}>,\r\n "Tom, bookkeeping" <tom@santos-advisory.example>\r\nCc: Ana <ana@santos-advisory.example>',
    });

    expect(delivery.outcome).toMatchObject({ outcome: 'decision-recorded', week: 3, choice: 'continue' });
    expect(await runtime.store.findDecision(id, 3)).toMatchObject({ state: 'decided', choice: 'continue' });
  });
});
