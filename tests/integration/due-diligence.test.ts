import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runWithClock, VirtualClock } from '#adapters/clock';
import { MAX_ANSWERS_KEPT } from '#adapters/onboarding-store';
import { REFERENCE_QUESTIONS } from '#core/due-diligence';
import { verifyLinkToken } from '#core/link-token';
import type { EmailRecord } from '#core/onboarding';
import { LinkClicks } from '#local/link-clicks';
import type { ReceivedEmail } from '#local/mailbox';
import type { Execution } from '#local/runner';
import { type LocalRuntime, startLocalRuntime } from '#local/runtime';
import { SCENARIOS } from '#local/scenarios';
import { renderTimeline } from '#local/timeline';
import { deferred, examplePlan, until, untilStopped, withDeadline } from './helpers.ts';

/**
 * Due diligence on the local runtime (examples/freelance-developer.yaml, scenario due-diligence):
 * three references are emailed, answer through the real link pages (one from the partner's own
 * domain, flagged), the silent one is reminded once, the independent average is weak, and the
 * owner decides through the decision link before any work is released.
 */

const OWNER = 'dana@northbeam-digital.example';
const REFERENCES = ['priya@harbor-tours.example', 'sofia@carvalho-dev.example', 'tom@becker-bikes.example'];
const id = 'due-diligence-weak';

let runtime: LocalRuntime;
let execution: Execution;
let emails: EmailRecord[];
let received: ReceivedEmail[];

beforeAll(async () => {
  runtime = await startLocalRuntime();
  runtime.simulation.play(id, SCENARIOS['due-diligence']!);
  await runtime.startOnboarding({ plan: { ...examplePlan('examples/freelance-developer.yaml'), id } });
  execution = await untilStopped(runtime.stepFunctions.get(id), 60_000);
  emails = await runtime.store.listEmails(id);
  received = await runtime.mailbox.list();
}, 90_000);
afterAll(async () => {
  await runtime?.stop();
});

const states = () => execution.visits.map((v) => v.state);
const mailOf = (record: EmailRecord | undefined) => received.find((m) => m.messageId === record?.messageId);
const tokensIn = (email: ReceivedEmail | undefined) =>
  [...(email?.body.text ?? '').matchAll(/\/links\/([A-Za-z0-9_.-]+)/g)].map((m) => m[1]!);

describe('due diligence with a self-reference and a weak score → owner decides', () => {
  it('asks, reminds, scores, waits for the owner, then kicks off', () => {
    const path = states();
    expect(path.slice(0, 12)).toEqual([
      'Accept',
      'IsDueDiligenceDue',
      'AskReferences',
      'WaitForReferenceReminder',
      'RemindReferences',
      'WaitForReferences',
      'ScoreReferences',
      'IsDueDiligencePassed',
      'WaitForDueDiligenceDecision',
      'ApplyDueDiligenceDecision',
      'IsDueDiligenceDecided',
      'Kickoff',
    ]);
    expect(path.at(-1)).toBe('WrapUp');
    expect(execution.status).toBe('SUCCEEDED');
  });

  it('keeps addresses and tokens out of the execution history', () => {
    expect(JSON.stringify(execution.visits)).not.toMatch(/@|local-task-token/);
  });

  it('records each answer, the self-reference flagged, and the verdict with the owner’s decision', async () => {
    const [answers, verdict, question] = await Promise.all([
      runtime.store.listReferenceAnswers(id),
      runtime.store.findDueDiligence(id),
      runtime.store.findDecision(id, 0),
    ]);
    expect(answers.map((a) => [a.reference, a.independent, a.scores])).toEqual([
      [1, true, { reliability: 3, quality: 3, communication: 2 }],
      [2, false, { reliability: 5, quality: 5, communication: 5 }],
      [3, true, { reliability: 4, quality: 3, communication: 3 }],
    ]);
    expect(verdict).toMatchObject({
      outcome: 'ask-owner',
      score: { asked: 3, answered: 3, independentAnswers: 2, flaggedAnswers: 1, average: 3 },
      owner: { choice: 'continue', by: OWNER },
    });
    expect(verdict?.reason).toContain('the independent average 3.0 of 5 is below 3.5');
    expect(question).toMatchObject({ week: 0, state: 'decided', choice: 'continue', decidedBy: OWNER });
    expect(question?.taskToken).toBeUndefined();
  });

  it('emails each reference once, with links that verify for purpose reference and name that reference', () => {
    const asked = emails.filter((e) => e.kind === 'reference');
    expect(asked.map((e) => `${e.role}:${e.to.join()}`).sort()).toEqual(
      REFERENCES.map((to, i) => `reference-${i + 1}:${to}`),
    );
    for (const record of asked) {
      const n = Number(record.role.split('-')[1]);
      const tokens = tokensIn(mailOf(record));
      // The form, and five scores for each of the three questions.
      expect(tokens).toHaveLength(1 + 5 * REFERENCE_QUESTIONS.length);
      for (const token of tokens) {
        const check = verifyLinkToken(token, runtime.secrets.link, {
          purposes: ['reference'],
          now: new Date(Date.parse(record.sentAt)),
        });
        expect(check).toMatchObject({
          ok: true,
          claims: {
            onboardingId: id,
            week: 0,
            role: 'reference',
            recipient: REFERENCES[n - 1],
            reference: n,
          },
        });
      }
    }
  });

  it('reminds only the reference who had not answered, once', () => {
    const reminders = emails.filter((e) => e.kind === 'reference-reminder');
    expect(reminders.map((e) => e.to.join())).toEqual([REFERENCES[2]]);
    expect(mailOf(reminders[0])?.subject).toMatch(/^Reminder: /);
  });

  it('asks the owner with the answers and two signed choices: continue and abort', () => {
    const record = emails.find((e) => e.kind === 'escalation' && e.week === 0);
    const email = mailOf(record);
    expect(email?.destination.to).toEqual([OWNER]);
    expect(email?.subject).toBe(
      'Your decision before the kickoff: Booking app maintenance handover to Rui Carvalho',
    );
    expect(email?.body.text).toContain("Sofia Carvalho (partner's own domain: not counted)");
    const choices = tokensIn(email).map((token) => {
      const check = verifyLinkToken(token, runtime.secrets.link, {
        purposes: ['decision'],
        now: new Date(Date.parse(record!.sentAt)),
      });
      return check.ok ? `${check.claims.week}:${check.claims.choice}` : check.reason;
    });
    expect(choices).toEqual(['0:continue', '0:abort']);
  });

  it('releases no work and sends no kickoff before the owner decided', async () => {
    const [verdict, weeks] = await Promise.all([
      runtime.store.findDueDiligence(id),
      runtime.store.listWeeks(id),
    ]);
    const decidedAt = verdict!.owner!.at;
    const kickoff = emails.filter((e) => e.kind === 'kickoff');
    expect(kickoff).toHaveLength(2);
    for (const e of kickoff) expect(e.sentAt >= decidedAt).toBe(true);
    expect(weeks[0]!.releasedAt >= decidedAt).toBe(true);
    const firstRelease = execution.visits.find((v) => v.state === 'ReleaseBatch')!;
    const decided = execution.visits.find((v) => v.state === 'ApplyDueDiligenceDecision')!;
    expect(firstRelease.enteredAt >= decided.enteredAt).toBe(true);
  });
});

describe('the timeline of a due diligence', () => {
  it('shows the references asked (the self-reference flagged), reminded, answered, the verdict and the decision', async () => {
    const [onboarding, weeks, feedback, answers, verdict] = await Promise.all([
      runtime.store.getOnboarding(id),
      runtime.store.listWeeks(id),
      runtime.store.listFeedback(id),
      runtime.store.listReferenceAnswers(id),
      runtime.store.findDueDiligence(id),
    ]);
    const sorted = [...emails].sort((a, b) => a.sentAt.localeCompare(b.sentAt));
    const timeline = renderTimeline({
      onboarding,
      weeks,
      emails: sorted,
      feedback,
      visits: execution.visits,
      dueDiligence: { answers, verdict },
    });
    const section = timeline.slice(timeline.indexOf('Due diligence'), timeline.indexOf('Kickoff'));
    expect(section).toContain("reference 2: Sofia Carvalho  ⚑ partner's own domain: not counted");
    expect(section).toMatch(/✉ reference-3 tom@becker-bikes\.example — "Reminder: /);
    expect(section).toMatch(/reference 2 answered .*: reliability 5, quality 5, communication 5 \(flagged\)/);
    expect(section).toContain('ask the owner: 3 of 3 references answered');
    expect(section).toMatch(/owner decided .* by link: continue/);
  });
});

describe('a reference’s link page, while the references are being asked', () => {
  const heldId = 'due-diligence-pages';
  const released = deferred<void>();
  const links = new LinkClicks();
  let held: Execution;
  let formLink: string;
  let scoreLink: string;

  beforeAll(async () => {
    const reached = deferred<void>();
    const simulate = runtime.stepFunctions.onWait;
    runtime.stepFunctions.onWait = async (wait) => {
      await simulate?.(wait);
      if (wait.executionName === heldId && wait.stateName === 'WaitForReferenceReminder') {
        reached.resolve();
        await released.promise;
      }
    };
    await runtime.startOnboarding({
      plan: { ...examplePlan('examples/freelance-developer.yaml'), id: heldId },
    });
    held = runtime.stepFunctions.get(heldId);
    await withDeadline(reached.promise, 'the references asked');
    const record = (await runtime.store.listEmails(heldId)).find((e) => e.role === 'reference-2');
    const text =
      (await runtime.mailbox.list()).find((m) => m.messageId === record?.messageId)?.body.text ?? '';
    formLink = text.split('Answer all three, with a comment:\n')[1]!.split(/\s/)[0]!;
    scoreLink = text.split('Quality 2 of 5:\n')[1]!.split(/\s/)[0]!;
  }, 60_000);
  afterAll(() => released.resolve());

  const click = (link: string, form?: Record<string, string>) =>
    runWithClock(held.clock, () => links.click(link, form));

  it('GET shows the form with the clicked score chosen, and records nothing', async () => {
    const page = await click(scoreLink);

    expect(page.status).toBe(200);
    expect(page.body).toContain('name="quality" value="2" checked');
    expect(page.body).not.toContain('name="reliability" value="2" checked');
    expect(await runtime.store.listReferenceAnswers(heldId)).toEqual([]);
  });

  it('POST with a score missing says which, and records nothing', async () => {
    const page = await click(formLink, { reliability: '4', quality: '2' });

    expect(page.status).toBe(400);
    expect(page.body).toContain('Communication: choose a score from 1 to 5');
    expect(await runtime.store.listReferenceAnswers(heldId)).toEqual([]);
  });

  it('POST records the answer, flagged for a reference at the partner’s domain; a later one replaces it', async () => {
    const first = await click(scoreLink, {
      reliability: '4',
      quality: '2',
      communication: '3',
      comment: '<b>ok</b>',
    });
    const second = await click(formLink, { reliability: '5', quality: '5', communication: '5' });

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body).toContain('Quality 2 of 5');
    const answers = await runtime.store.listReferenceAnswers(heldId);
    expect(answers).toEqual([
      expect.objectContaining({
        reference: 2,
        independent: false,
        scores: { reliability: 5, quality: 5, communication: 5 },
      }),
    ]);
    expect(answers[0]).not.toHaveProperty('comment');
    const again = await click(formLink);
    expect(again.body).toContain('Sending the form again replaces that answer');
  });

  it('takes at most 20 answers from one reference, then shows the one that stands and says why', async () => {
    // Two answers are in already (the test above); the last of these eighteen is the one that stands.
    for (let n = 3; n <= MAX_ANSWERS_KEPT; n++) {
      const last = n === MAX_ANSWERS_KEPT;
      const sent = await click(formLink, {
        reliability: last ? '3' : '1',
        quality: '4',
        communication: '4',
        comment: last ? 'Reliable after a slow start.' : 'x'.repeat(2000),
      });
      expect(sent.status).toBe(200);
    }

    const refused = await click(formLink, { reliability: '1', quality: '1', communication: '1' });

    expect(refused.status).toBe(400);
    expect(refused.body).toContain(
      'You have answered 20 times, the most one reference may: your last answer stands.',
    );
    expect(refused.body).toContain('Reliable after a slow start.</textarea>');
    expect(refused.body).toContain('name="reliability" value="3" checked');
    expect(await runtime.store.listReferenceAnswers(heldId)).toEqual([
      expect.objectContaining({ reference: 2, scores: { reliability: 3, quality: 4, communication: 4 } }),
    ]);
  });
});

describe('a reference’s answer sent as the answers are scored', () => {
  const raceId = 'due-diligence-race';
  const links = new LinkClicks();
  let page: { status: number; body: string };

  beforeAll(async () => {
    const { store } = await import('#handlers/shared/store');
    // Nobody answers on their own: the test sends the one answer, at the moment that matters.
    const reached = deferred<void>();
    const released = deferred<void>();
    const simulate = runtime.stepFunctions.onWait;
    runtime.stepFunctions.onWait = async (wait) => {
      await simulate?.(wait);
      if (wait.executionName === raceId && wait.stateName === 'WaitForReferences') {
        reached.resolve();
        await released.promise;
      }
    };
    const closed = deferred<void>();
    const close = store.closeReferenceAnswers.bind(store);
    const closing = vi
      .spyOn(store, 'closeReferenceAnswers')
      .mockImplementation(async (onboardingId, n, at) => {
        await close(onboardingId, n, at);
        if (onboardingId === raceId) closed.resolve();
      });
    const put = store.putReferenceAnswer.bind(store);
    const putting = vi.spyOn(store, 'putReferenceAnswer').mockImplementation(async (onboardingId, answer) => {
      // The page found the answers open; its write comes once the scoring has closed them.
      if (onboardingId === raceId) await withDeadline(closed.promise, 'the scoring’s close of the answers');
      return put(onboardingId, answer);
    });
    try {
      await runtime.startOnboarding({
        plan: { ...examplePlan('examples/freelance-developer.yaml'), id: raceId },
      });
      const execution = runtime.stepFunctions.get(raceId);
      await withDeadline(reached.promise, 'the wait for the references');
      const record = (await runtime.store.listEmails(raceId)).find((e) => e.role === 'reference-1');
      const text =
        (await runtime.mailbox.list()).find((m) => m.messageId === record?.messageId)?.body.text ?? '';
      const formLink = text.split('Answer all three, with a comment:\n')[1]!.split(/\s/)[0]!;
      // Sent just before the deadline: its own moment, while the execution's clock moves on.
      const sentAt = new VirtualClock(execution.clock.now());
      const answering = runWithClock(sentAt, () =>
        links.click(formLink, { reliability: '5', quality: '5', communication: '5' }),
      );
      released.resolve();
      page = await answering;
      await until(async () => (await runtime.store.findDueDiligence(raceId)) !== undefined, 'the verdict');
    } finally {
      closing.mockRestore();
      putting.mockRestore();
    }
  }, 60_000);
  afterAll(async () => {
    const execution = runtime.stepFunctions.executions.get(raceId);
    if (execution?.status === 'RUNNING') await untilStopped(runtime.stepFunctions.stop(raceId));
  });

  it('is refused with the page that says the answers are in, recording nothing', async () => {
    expect(page.status).toBe(410);
    expect(page.body).toContain('Nothing was recorded.');
    expect(await runtime.store.listReferenceAnswers(raceId)).toEqual([]);
  });

  it('and the verdict is made without it: no answer was stored and left out', async () => {
    expect(await runtime.store.findDueDiligence(raceId)).toMatchObject({ score: { answered: 0 } });
  });
});
