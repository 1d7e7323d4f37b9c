import { describe, expect, it } from 'vitest';
import type { PlanIssue } from '#core/errors';
import { type PlanResult, readPlanText, validatePlan } from '#core/validate-plan';
import { NOW, planInputFixture, taskInputFixture } from './fixtures.ts';

/**
 * What a refusal says, as the 422 of POST /onboardings and `onramp validate` show it: every
 * problem at once, each at its own path, saying what is allowed, in our words, never echoing a
 * long value back whole.
 */

function issuesOf(result: PlanResult): PlanIssue[] {
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.issues;
}

const fixture = planInputFixture();
const validate = (input: unknown) => issuesOf(validatePlan(input, { now: NOW }));

/** A plan read from JSON text, as the API and `onramp validate` read it. */
function fromJson(text: string): unknown {
  const read = readPlanText(text);
  if (!read.ok) throw new Error('expected valid JSON');
  return read.value;
}

describe('validatePlan: a malformed task id hides no other task problem', () => {
  it('reports a duplicate id and an unknown dependency next to a malformed id', () => {
    // Prepare
    const input = {
      ...fixture,
      tasks: [
        taskInputFixture({ id: 'Bad Id' }),
        taskInputFixture({ id: 'a', dependsOn: ['ghost'] }),
        taskInputFixture({ id: 'a' }),
      ],
    };

    // Act
    const issues = validate(input);

    // Assess
    expect(issues).toEqual([
      { path: 'tasks[0].id', message: expect.stringMatching(/^must be lowercase letters/) },
      { path: 'tasks[2].id', message: 'duplicate id "a" (also tasks[1])' },
      { path: 'tasks[1].dependsOn[0]', message: 'unknown task "ghost"; known: a' },
    ]);
  });

  it('finds a dependency cycle while another task has no id at all', () => {
    const input = {
      ...fixture,
      tasks: [
        { title: 'No id' },
        taskInputFixture({ id: 'a', dependsOn: ['b'] }),
        taskInputFixture({ id: 'b', dependsOn: ['a'] }),
      ],
    };

    expect(validate(input)).toContainEqual({
      path: 'tasks[1].dependsOn',
      message: 'dependency cycle: a → b → a',
    });
  });

  it('reports an unknown dependency next to a malformed one in the same list', () => {
    const input = { ...fixture, tasks: [taskInputFixture({ id: 'a', dependsOn: ['Not An Id', 'ghost'] })] };

    expect(validate(input)).toEqual([
      { path: 'tasks[0].dependsOn[0]', message: expect.stringMatching(/^must be lowercase letters/) },
      { path: 'tasks[0].dependsOn[1]', message: 'unknown task "ghost"; known: a' },
    ]);
  });

  it('does not call a dependency on a task with a malformed id unknown', () => {
    // "bank-feeds" is what "Bank Feeds" was meant to be: one problem, the id's
    const input = {
      ...fixture,
      tasks: [
        taskInputFixture({ id: 'Bank Feeds' }),
        taskInputFixture({ id: 'receipts', dependsOn: ['bank-feeds'] }),
      ],
    };

    expect(validate(input).map((i) => i.path)).toEqual(['tasks[0].id']);
  });

  it('reports no cycle through a list of dependencies the schema refused', () => {
    const input = {
      ...fixture,
      tasks: [
        taskInputFixture({ id: 'a', dependsOn: Array(21).fill('b') }),
        taskInputFixture({ id: 'b', dependsOn: ['a'] }),
      ],
    };

    expect(validate(input)).toEqual([
      { path: 'tasks[0].dependsOn', message: 'list at most 20 tasks it depends on' },
    ]);
  });
});

describe('validatePlan: a schema problem hides no check of another part', () => {
  const badZone = { owner: { ...fixture.owner, timeZone: 'Mars/X' } };
  const zoneIssue = { path: 'owner.timeZone', message: expect.stringMatching(/^unknown IANA time zone/) };

  it('reports a falling curve next to an unknown time zone', () => {
    const input = { ...fixture, ...badZone, ramp: { targetWeeklyVolume: 40, curve: [50, 20, 100] } };

    expect(validate(input)).toEqual([
      zoneIssue,
      { path: 'ramp.curve[1]', message: "20% is below the previous stage's 50%; a ramp never falls" },
    ]);
  });

  it('reports a gate that cannot decide next to an unknown time zone', () => {
    const input = { ...fixture, ...badZone, gate: { advanceAt: 3, stepBackBelow: 4 } };

    expect(validate(input)).toEqual([zoneIssue, { path: 'gate.stepBackBelow', message: expect.any(String) }]);
  });

  it('reports a check-in that leaves the partner too little time next to an unknown time zone', () => {
    const input = { ...fixture, ...badZone, checkIn: { feedbackWindowDays: 2, graceDays: 2 } };

    expect(validate(input)).toEqual([zoneIssue, { path: 'checkIn.graceDays', message: expect.any(String) }]);
  });

  it("reports a reference who is the owner next to the partner's unknown time zone", () => {
    const input = {
      ...fixture,
      partner: { ...fixture.partner, timeZone: 'Mars/X' },
      references: [{ name: 'Maria Santos', email: fixture.owner.email }],
    };

    expect(validate(input)).toEqual([
      { path: 'partner.timeZone', message: expect.any(String) },
      { path: 'references[0].email', message: expect.stringMatching(/^is the owner's own address/) },
    ]);
  });

  it('reports a start in the past next to a broken task', () => {
    const input = { ...fixture, start: '2026-10-05', tasks: [taskInputFixture({ id: 'a', priority: 9 })] };

    expect(validate(input)).toEqual([
      { path: 'tasks[0].priority', message: 'must be 1 (highest) to 5' },
      { path: 'start', message: '2026-10-05 is in the past (today is 2026-10-07 in Europe/Berlin)' },
    ]);
  });

  it("reports fewer weeks than the ramp's stages, and too many extra weeks, next to a missing owner email", () => {
    const { email: _email, ...owner } = fixture.owner;
    const input = { ...fixture, owner, weeks: 3 };
    const tooLong = { ...fixture, owner, weeks: 50 };

    expect(validate(input)).toEqual([
      { path: 'owner.email', message: expect.stringMatching(/^is required/) },
      { path: 'weeks', message: "must be at least the ramp's 5 stages (one week per stage)" },
    ]);
    expect(validate(tooLong)).toContainEqual({ path: 'gate.maxExtraWeeks', message: expect.any(String) });
  });

  it("reports a start in the past next to a reference's malformed address", () => {
    const input = {
      ...fixture,
      start: '2026-10-05',
      references: [{ name: 'Ana Lima', email: 'not-an-address' }],
    };

    expect(validate(input)).toEqual([
      { path: 'references[0].email', message: expect.stringMatching(/^not a valid email address/) },
      { path: 'start', message: expect.stringMatching(/^2026-10-05 is in the past/) },
    ]);
  });

  it("reports a reminder after the references' deadline next to a malformed owner email", () => {
    const input = {
      ...fixture,
      owner: { ...fixture.owner, email: 'nope' },
      references: [{ name: 'Ana Lima', email: 'ana@lima-books.example' }],
      dueDiligence: { answerDays: 3, reminderAfterDays: 5 },
    };

    expect(validate(input)).toEqual([
      { path: 'owner.email', message: expect.stringMatching(/^not a valid email address/) },
      {
        path: 'dueDiligence.reminderAfterDays',
        message: expect.stringMatching(/^5 is not before the deadline/),
      },
    ]);
  });

  it('reports too many extra weeks next to a gate rating out of range', () => {
    const input = { ...fixture, weeks: 50, gate: { maxExtraWeeks: 4, advanceAt: 9 } };

    expect(validate(input)).toEqual([
      { path: 'gate.advanceAt', message: expect.any(String) },
      { path: 'gate.maxExtraWeeks', message: expect.stringMatching(/^weeks \(50\) plus 4 extra weeks/) },
    ]);
  });

  it('judges no curve with a stage the schema refused', () => {
    const input = { ...fixture, ramp: { targetWeeklyVolume: 40, curve: [50, 'twenty', 10] } };

    expect(validate(input)).toEqual([
      { path: 'ramp.curve[1]', message: expect.stringMatching(/^must be a number/) },
    ]);
  });

  it('judges no start against the day in a time zone the schema refused', () => {
    const input = { ...fixture, ...badZone, start: '2026-10-05' };

    expect(validate(input)).toEqual([zoneIssue]);
  });
});

describe('validatePlan: every limit says what is allowed, in our words', () => {
  const oneTask = (overrides: Record<string, unknown>) => [
    { ...taskInputFixture({ id: 'a' }), ...overrides },
  ];

  it.each<{ mistake: string; input: unknown; path: string; message: string }>([
    {
      mistake: 'a curve of 53 stages',
      input: { ...fixture, ramp: { targetWeeklyVolume: 40, curve: Array(53).fill(100) } },
      path: 'ramp.curve',
      message: 'list at most 52 stages (one a week)',
    },
    {
      mistake: 'an empty curve',
      input: { ...fixture, ramp: { targetWeeklyVolume: 40, curve: [] } },
      path: 'ramp.curve',
      message: 'list at least one stage',
    },
    {
      mistake: 'a named curve of no stages',
      input: { ...fixture, ramp: { targetWeeklyVolume: 40, curve: 'linear', stages: 0 } },
      path: 'ramp.stages',
      message: 'must be 1 to 52 stages',
    },
    {
      mistake: '21 acceptance criteria',
      input: { ...fixture, tasks: oneTask({ acceptanceCriteria: Array(21).fill('Reviewed') }) },
      path: 'tasks[0].acceptanceCriteria',
      message: 'list at most 20 acceptance criteria',
    },
    {
      mistake: 'an effort of 10001',
      input: { ...fixture, tasks: oneTask({ effort: 10_001 }) },
      path: 'tasks[0].effort',
      message: 'must be more than 0 and at most 10000',
    },
    {
      mistake: 'a target weekly volume of 10001',
      input: { ...fixture, ramp: { targetWeeklyVolume: 10_001 } },
      path: 'ramp.targetWeeklyVolume',
      message: 'must be more than 0 and at most 10000',
    },
    {
      mistake: 'a target weekly volume of 1e400 (Infinity)',
      input: fromJson(
        JSON.stringify({ ...fixture, ramp: { targetWeeklyVolume: 0 } }).replace(
          '"targetWeeklyVolume":0',
          '"targetWeeklyVolume":1e400',
        ),
      ),
      path: 'ramp.targetWeeklyVolume',
      message: 'must be more than 0 and at most 10000',
    },
    {
      mistake: 'a curve stage of YAML .inf',
      input: { ...fixture, ramp: { targetWeeklyVolume: 40, curve: [10, Number.POSITIVE_INFINITY] } },
      path: 'ramp.curve[1]',
      message: 'each stage must be more than 0% and at most 100%',
    },
    {
      mistake: 'a rating of YAML .nan',
      input: { ...fixture, gate: { advanceAt: Number.NaN } },
      path: 'gate.advanceAt',
      message: 'a rating must be 1 to 5',
    },
    {
      mistake: 'weeks past 2^53',
      input: fromJson(
        JSON.stringify({ ...fixture, weeks: 0 }).replace('"weeks":0', '"weeks":9007199254740993'),
      ),
      path: 'weeks',
      message: 'must be 1 to 52',
    },
    {
      mistake: 'a priority of Infinity',
      input: { ...fixture, tasks: oneTask({ priority: Number.POSITIVE_INFINITY }) },
      path: 'tasks[0].priority',
      message: 'must be 1 (highest) to 5',
    },
  ])('reports $mistake once, at $path', ({ input, path, message }) => {
    expect(validate(input)).toEqual([{ path, message }]);
  });

  it('reports 21 dependencies as too many', () => {
    const ids = Array.from({ length: 21 }, (_, i) => `t${i}`);
    const input = {
      ...fixture,
      tasks: [...ids.map((id) => taskInputFixture({ id })), taskInputFixture({ id: 'last', dependsOn: ids })],
    };

    expect(validate(input)).toEqual([
      { path: 'tasks[21].dependsOn', message: 'list at most 20 tasks it depends on' },
    ]);
  });

  it("never passes Zod's own wording on, whatever the numbers", () => {
    // Prepare: every number and list of the plan at or past its limits
    const input = {
      ...fixture,
      weeks: 1e300,
      references: Array(11).fill({ name: 'R', email: 'r@ref.example' }),
      dueDiligence: { minIndependentAnswers: -1, minAverage: 9, answerDays: 0.5, reminderAfterDays: 99 },
      ramp: { targetWeeklyVolume: -1, curve: [0, 101, ...Array(51).fill(50)], stages: 1e9 },
      checkIn: { feedbackWindowDays: 3, graceDays: 0 },
      gate: {
        advanceAt: 0,
        stepBackBelow: 6,
        partnerAtLeast: Number.POSITIVE_INFINITY,
        onTimeAtLeast: 2,
        maxExtraWeeks: 13,
        silenceLimitDays: 6,
      },
      partner: { ...fixture.partner, emails: Array(11).fill('team@ledgerly.example') },
      tasks: oneTask({ priority: -2, effort: -1, acceptanceCriteria: [], dependsOn: Array(21).fill('x') }),
    };

    // Act
    const issues = validate(input);

    // Assess
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'weeks',
        'references',
        ...['minIndependentAnswers', 'minAverage', 'answerDays', 'reminderAfterDays'].map(
          (field) => `dueDiligence.${field}`,
        ),
        'ramp.targetWeeklyVolume',
        'ramp.curve',
        'ramp.stages',
        'checkIn.feedbackWindowDays',
        'checkIn.graceDays',
        ...[
          'advanceAt',
          'stepBackBelow',
          'partnerAtLeast',
          'onTimeAtLeast',
          'maxExtraWeeks',
          'silenceLimitDays',
        ].map((field) => `gate.${field}`),
        'partner.emails',
        ...['acceptanceCriteria', 'priority', 'effort', 'dependsOn'].map((field) => `tasks[0].${field}`),
      ]),
    );
    expect(issues.filter((i) => /^(Too big|Too small|Invalid)|expected/.test(i.message))).toEqual([]);
  });
});

describe('validatePlan: values from the plan are shown short and quoted', () => {
  it('shows at most 40 characters of an unknown time zone', () => {
    const zone = `Europe/${'x'.repeat(5000)}`;

    const [issue] = validate({ ...fixture, owner: { ...fixture.owner, timeZone: zone } });

    expect(issue).toEqual({
      path: 'owner.timeZone',
      message: `unknown IANA time zone "${zone.slice(0, 40)}…"; use a name like "Europe/Berlin" or "America/New_York"`,
    });
  });

  it('shows at most 40 characters of a malformed address, and refuses one longer than SMTP carries', () => {
    const long = `${'a'.repeat(300)}@ledgerly.example`;

    const issues = validate({
      ...fixture,
      owner: { ...fixture.owner, email: `${'b'.repeat(300)}` },
      partner: { ...fixture.partner, emails: [long] },
    });

    expect(issues).toEqual([
      { path: 'owner.email', message: `not a valid email address: "${'b'.repeat(40)}…"` },
      { path: 'partner.emails[0]', message: 'an email address is at most 254 characters' },
    ]);
  });

  it('escapes what would act in a terminal or reorder the text, rather than showing it', () => {
    const zone = 'Mars\u001b[2J\u009b31m\u202Eevil';

    const [issue] = validate({ ...fixture, owner: { ...fixture.owner, timeZone: zone } });

    expect(issue!.message).toContain('"Mars\\u001b[2J\\u009b31m\\u202eevil"');
    for (const raw of ['\u001b', '\u009b', '\u202e']) expect(issue!.message).not.toContain(raw);
  });
});

describe('validatePlan: an unknown field is reported at its own path, with the fields allowed there', () => {
  it('reports an unknown owner field at owner.<name>, naming what owner takes', () => {
    const input = { ...fixture, owner: { ...fixture.owner, phone: '+49 30 1234' } };

    expect(validate(input)).toEqual([
      { path: 'owner.phone', message: 'unknown field; owner takes name, email, timeZone' },
    ]);
  });

  it('reports an unknown field of the plan at its name alone, naming what a plan takes', () => {
    expect(validate({ ...fixture, budget: 1200 })).toEqual([
      {
        path: 'budget',
        message:
          'unknown field; a plan takes id, title, owner, partner, references, dueDiligence, effortUnit, start, weeks, ramp, checkIn, gate, tasks',
      },
    ]);
  });

  it('reports each unknown field apart', () => {
    const input = { ...fixture, ramp: { targetWeeklyVolume: 40, speed: 2, shape: 'linear' } };

    expect(validate(input)).toEqual([
      { path: 'ramp.speed', message: 'unknown field; ramp takes targetWeeklyVolume, curve, stages' },
      { path: 'ramp.shape', message: 'unknown field; ramp takes targetWeeklyVolume, curve, stages' },
    ]);
  });

  it('shows a field name that is not a plain one quoted, escaped and cut short', () => {
    const input = { ...fixture, gate: { 'max extra\nweeks': 2, ['w'.repeat(100)]: 1 } };

    expect(validate(input).map((i) => i.path)).toEqual([
      'gate["max extra\\nweeks"]',
      `gate["${'w'.repeat(40)}…"]`,
    ]);
  });
});
