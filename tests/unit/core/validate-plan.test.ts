import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dateIn } from '#core/calendar';
import { PlanInvalid, problemCount } from '#core/errors';
import { latestEnd, MAX_RUN_DAYS } from '#core/run-limit';
import { formatIssues, type PlanResult, readPlanText, validatePlan } from '#core/validate-plan';
import { NOW, planInputFixture, taskInputFixture } from './fixtures.ts';

/** The fixture's tasks with task `index` changed, possibly into something the schema rejects. */
function withTask(index: number, overrides: Record<string, unknown>): Record<string, unknown>[] {
  return planInputFixture().tasks.map((task, i) => (i === index ? { ...task, ...overrides } : task));
}

function issuesOf(result: PlanResult) {
  if (result.ok) throw new Error('expected the plan to be rejected');
  return result.issues;
}

function planOf(result: PlanResult) {
  if (!result.ok) throw new Error(`expected a valid plan, got\n${formatIssues(result.issues)}`);
  return result.plan;
}

const fixture = planInputFixture();

describe('validatePlan: one mistake, one issue at the right path', () => {
  it.each<{ mistake: string; input: unknown; path: string; message: string }>([
    {
      mistake: 'a missing owner email',
      input: { ...fixture, owner: { name: 'Maria Santos', timeZone: 'Europe/Berlin' } },
      path: 'owner.email',
      message: 'is required',
    },
    {
      mistake: 'a malformed second partner address',
      input: {
        ...fixture,
        partner: { ...fixture.partner, emails: ['team@ledgerly.example', 'lead.ledgerly.example'] },
      },
      path: 'partner.emails[1]',
      message: 'not a valid email address: "lead.ledgerly.example"',
    },
    {
      mistake: 'an unknown time zone',
      input: { ...fixture, owner: { ...fixture.owner, timeZone: 'Mars/Olympus' } },
      path: 'owner.timeZone',
      message: 'unknown IANA time zone "Mars/Olympus"',
    },
    {
      mistake: 'a duplicate task id',
      input: {
        ...fixture,
        tasks: [
          ...fixture.tasks.slice(0, 2),
          taskInputFixture({ id: 'receipts' }),
          ...fixture.tasks.slice(2),
        ],
      },
      path: 'tasks[2].id',
      message: 'duplicate id "receipts" (also tasks[1])',
    },
    {
      mistake: 'a dependency on an unknown task',
      input: { ...fixture, tasks: withTask(3, { dependsOn: ['invoicing'] }) },
      path: 'tasks[3].dependsOn[0]',
      message: 'unknown task "invoicing"; known: bank-feeds, receipts, supplier-invoices, payment-runs',
    },
    {
      mistake: 'a task depending on itself',
      input: { ...fixture, tasks: withTask(1, { dependsOn: ['receipts'] }) },
      path: 'tasks[1].dependsOn[0]',
      message: 'a task cannot depend on itself',
    },
    {
      mistake: 'a dependency cycle',
      input: { ...fixture, tasks: withTask(2, { dependsOn: ['payment-runs'] }) },
      path: 'tasks[2].dependsOn',
      message: 'dependency cycle: supplier-invoices → payment-runs → supplier-invoices',
    },
    {
      mistake: 'a start in the past',
      input: { ...fixture, start: '2026-10-05' },
      path: 'start',
      message: '2026-10-05 is in the past (today is 2026-10-07 in Europe/Berlin)',
    },
    {
      mistake: 'a start on a Saturday',
      input: { ...fixture, start: '2026-10-10' },
      path: 'start',
      message: '2026-10-10 is a weekend day',
    },
    {
      mistake: 'a start on 30 February',
      input: { ...fixture, start: '2027-02-30' },
      path: 'start',
      message: 'must be a date like',
    },
    {
      mistake: 'a curve that falls',
      input: { ...fixture, ramp: { targetWeeklyVolume: 40, curve: [10, 30, 20, 100] } },
      path: 'ramp.curve[2]',
      message: "20% is below the previous stage's 30%; a ramp never falls",
    },
    {
      mistake: 'a curve that does not end at 100%',
      input: { ...fixture, ramp: { targetWeeklyVolume: 40, curve: [10, 50, 90] } },
      path: 'ramp.curve[2]',
      message: 'the last stage must be 100%',
    },
    {
      mistake: 'a curve stage of 0%',
      input: { ...fixture, ramp: { targetWeeklyVolume: 40, curve: [0, 50, 100] } },
      path: 'ramp.curve[0]',
      message: 'each stage must be more than 0%',
    },
    {
      mistake: 'fewer weeks than ramp stages',
      input: { ...fixture, weeks: 3 },
      path: 'weeks',
      message: "must be at least the ramp's 5 stages",
    },
    {
      mistake: 'priority 0',
      input: { ...fixture, tasks: withTask(0, { priority: 0 }) },
      path: 'tasks[0].priority',
      message: 'must be 1 (highest) to 5',
    },
    {
      mistake: 'priority 6',
      input: { ...fixture, tasks: withTask(0, { priority: 6 }) },
      path: 'tasks[0].priority',
      message: 'must be 1 (highest) to 5',
    },
    {
      mistake: 'an unknown field in a task',
      input: { ...fixture, tasks: withTask(1, { estimate: 3 }) },
      path: 'tasks[1].estimate',
      message:
        'unknown field; a task takes id, title, deliverable, acceptanceCriteria, priority, effort, dependsOn, recurring',
    },
    {
      mistake: 'a misspelt top-level field',
      input: { ...fixture, checkin: { weekday: 'friday' } },
      path: 'checkin',
      message: 'unknown field; a plan takes id, title, owner, partner, references, dueDiligence',
    },
    {
      mistake: 'zero effort',
      input: { ...fixture, tasks: withTask(0, { effort: 0 }) },
      path: 'tasks[0].effort',
      message: 'must be more than 0',
    },
    {
      mistake: 'no acceptance criteria',
      input: { ...fixture, tasks: withTask(0, { acceptanceCriteria: [] }) },
      path: 'tasks[0].acceptanceCriteria',
      message: 'list at least one acceptance criterion',
    },
    {
      mistake: 'a task id that is not a slug',
      input: { ...fixture, tasks: withTask(0, { id: 'Bank Feeds' }) },
      path: 'tasks[0].id',
      message: 'must be lowercase letters, digits and dashes',
    },
    {
      mistake: 'a check-in on a Saturday',
      input: { ...fixture, checkIn: { weekday: 'saturday' } },
      path: 'checkIn.weekday',
      message: 'must be a business day',
    },
    {
      mistake: 'a 12-hour check-in time',
      input: { ...fixture, checkIn: { time: '3pm' } },
      path: 'checkIn.time',
      message: 'must be a 24-hour time like "15:00"',
    },
    {
      mistake: 'no tasks',
      input: { ...fixture, tasks: [] },
      path: 'tasks',
      message: 'list at least one task',
    },
  ])('reports $mistake at $path', ({ input, path, message }) => {
    const issues = issuesOf(validatePlan(input, { now: NOW }));

    expect(issues).toEqual([{ path, message: expect.stringContaining(message) }]);
  });
});

describe('validatePlan: wrong types and named curves', () => {
  it('reports an effort written as text as a wrong type, not as missing', () => {
    const issues = issuesOf(
      validatePlan({ ...fixture, tasks: withTask(0, { effort: 'three' }) }, { now: NOW }),
    );

    expect(issues).toEqual([{ path: 'tasks[0].effort', message: expect.not.stringContaining('required') }]);
  });

  it('reports a fractional priority as "must be a whole number"', () => {
    const issues = issuesOf(
      validatePlan({ ...fixture, tasks: withTask(0, { priority: 1.5 }) }, { now: NOW }),
    );

    expect(issues).toEqual([{ path: 'tasks[0].priority', message: 'must be a whole number' }]);
  });

  // A YAML author easily writes `emails: team@ledgerly.example`: one message, about the type.
  it('reports a single address written without a list as one wrong-type issue', () => {
    const input = { ...fixture, partner: { ...fixture.partner, emails: 'team@ledgerly.example' } };

    const issues = issuesOf(validatePlan(input, { now: NOW }));

    expect(issues).toEqual([
      { path: 'partner.emails', message: expect.not.stringMatching(/required|at most/) },
    ]);
  });

  it('names the allowed curves when the curve is an unknown name', () => {
    const input = { ...fixture, ramp: { targetWeeklyVolume: 40, curve: 'exponential' } };

    const issues = issuesOf(validatePlan(input, { now: NOW }));

    expect(issues).toEqual([
      { path: 'ramp.curve', message: expect.stringContaining('linear, geometric, s-curve') },
    ]);
  });
});

describe('validatePlan: several mistakes', () => {
  it('reports every schema mistake at once', () => {
    const input = {
      ...fixture,
      owner: { name: 'Maria Santos', timeZone: 'Europe/Berlin' },
      partner: { ...fixture.partner, timeZone: 'Mars/Olympus' },
      tasks: withTask(0, { priority: 6 }),
    };

    const issues = issuesOf(validatePlan(input, { now: NOW }));

    expect(issues.map((i) => i.path).sort()).toEqual([
      'owner.email',
      'partner.timeZone',
      'tasks[0].priority',
    ]);
  });

  it('reports task-graph mistakes together with schema mistakes', () => {
    const input = {
      ...fixture,
      owner: { ...fixture.owner, email: 'not-an-address' },
      tasks: withTask(0, { dependsOn: ['invoicing'] }),
    };

    const issues = issuesOf(validatePlan(input, { now: NOW }));

    expect(issues.map((i) => i.path)).toEqual(['owner.email', 'tasks[0].dependsOn[0]']);
  });

  it('reports every task-graph, start and ramp mistake at once', () => {
    const input = {
      ...fixture,
      start: '2026-10-10',
      weeks: 2,
      ramp: { targetWeeklyVolume: 40, curve: [10, 50, 90] },
      tasks: [
        ...withTask(3, { dependsOn: ['invoicing'] }),
        taskInputFixture({ id: 'receipts' }),
        taskInputFixture({ id: 'fixed-assets', dependsOn: ['fixed-assets'] }),
      ],
    };

    const issues = issuesOf(validatePlan(input, { now: NOW }));

    expect(issues.map((i) => i.path).sort()).toEqual([
      'ramp.curve[2]',
      'start',
      'tasks[3].dependsOn[0]',
      'tasks[4].id',
      'tasks[5].dependsOn[0]',
      'weeks',
    ]);
  });
});

describe('validatePlan: a plan with thousands of problems gets a short answer', () => {
  /** `count` valid tasks, each depending on a task the plan does not have. */
  const tasksDependingOnNothing = (count: number) =>
    Array.from({ length: count }, (_, i) =>
      taskInputFixture({ id: `task-${i + 1}`, dependsOn: ['invoicing'] }),
    );

  it('names at most 10 known tasks in an unknown-task problem, then how many more there are', () => {
    // Prepare
    const input = { ...fixture, tasks: tasksDependingOnNothing(15) };

    // Act
    const [first] = issuesOf(validatePlan(input, { now: NOW }));

    // Assess
    expect(first).toEqual({
      path: 'tasks[0].dependsOn[0]',
      message:
        'unknown task "invoicing"; known: task-1, task-2, task-3, task-4, task-5, task-6, task-7, task-8, task-9, task-10 … and 5 more',
    });
  });

  it('lists the first 100 problems, then how many more there are', () => {
    // Prepare
    const input = { ...fixture, tasks: tasksDependingOnNothing(160) };

    // Act
    const issues = issuesOf(validatePlan(input, { now: NOW }));

    // Assess
    expect(issues).toHaveLength(101);
    expect(issues[99]!.path).toBe('tasks[99].dependsOn[0]');
    expect(issues[100]).toEqual({ path: '', message: '…and 60 more problems', more: 60 });
    expect(problemCount(issues)).toBe(160);
    expect(new PlanInvalid(issues).message).toBe('The plan has 160 problems');
  });

  it('keeps the answer to 200 tasks depending on an unknown one well under a megabyte', () => {
    const issues = issuesOf(validatePlan({ ...fixture, tasks: tasksDependingOnNothing(200) }, { now: NOW }));

    expect(JSON.stringify(issues).length).toBeLessThan(30_000);
  });

  it('refuses a plan over the task limit by its count alone, without a problem per task', () => {
    // Prepare: 5,000 empty tasks would be some 30,000 problems
    const input = { ...fixture, tasks: Array.from({ length: 5000 }, () => ({})) };

    // Act + Assess
    expect(issuesOf(validatePlan(input, { now: NOW }))).toEqual([
      { path: 'tasks', message: 'at most 200 tasks; the plan has 5000' },
    ]);
  });

  it('still reports what is wrong outside the tasks of a plan over the task limit', () => {
    // Prepare
    const input = {
      ...fixture,
      owner: { ...fixture.owner, email: 'not-an-address' },
      tasks: tasksDependingOnNothing(201),
    };

    // Act
    const issues = issuesOf(validatePlan(input, { now: NOW }));

    // Assess
    expect(issues).toEqual([
      { path: 'owner.email', message: 'not a valid email address: "not-an-address"' },
      { path: 'tasks', message: 'at most 200 tasks; the plan has 201' },
    ]);
  });
});

describe('validatePlan: the default start', () => {
  it('is the next business day: Monday when "now" is a Friday', () => {
    const plan = planOf(validatePlan(planInputFixture(), { now: '2026-10-09T10:00:00Z' }));

    expect(plan.start).toBe('2026-10-12');
  });

  it('is the next day when "now" is a Wednesday', () => {
    const plan = planOf(validatePlan(planInputFixture(), { now: NOW }));

    expect(plan.start).toBe('2026-10-08');
  });

  it('follows the owner’s calendar: Thursday evening in Berlin gives Friday', () => {
    const plan = planOf(validatePlan(planInputFixture(), { now: '2026-10-08T20:00:00Z' }));

    expect(plan.start).toBe('2026-10-09');
  });

  it('follows the owner’s calendar: the same instant is Friday morning in Manila and gives Monday', () => {
    const input = planInputFixture({
      owner: { name: 'Ana Reyes', email: 'ana@reyes.example', timeZone: 'Asia/Manila' },
    });

    const plan = planOf(validatePlan(input, { now: '2026-10-08T20:00:00Z' }));

    expect(plan.start).toBe('2026-10-12');
  });

  it('accepts a start of today', () => {
    const plan = planOf(validatePlan(planInputFixture({ start: '2026-10-07' }), { now: NOW }));

    expect(plan.start).toBe('2026-10-07');
  });
});

describe('validatePlan: defaults', () => {
  it('checks in on Thursday at 15:00 with one business day for feedback', () => {
    const plan = planOf(validatePlan(planInputFixture(), { now: NOW }));

    expect(plan.checkIn).toEqual({ weekday: 'thursday', time: '15:00', feedbackWindowDays: 1, graceDays: 1 });
  });

  it('fills in the rest of a partly written check-in', () => {
    const plan = planOf(validatePlan(planInputFixture({ checkIn: { weekday: 'friday' } }), { now: NOW }));

    expect(plan.checkIn).toEqual({ weekday: 'friday', time: '15:00', feedbackWindowDays: 1, graceDays: 1 });
  });

  it('counts effort in hours', () => {
    const plan = planOf(validatePlan(planInputFixture(), { now: NOW }));

    expect(plan.effortUnit).toBe('hours');
  });

  it('ramps up over 10, 25, 50, 75 and 100%', () => {
    const plan = planOf(validatePlan(planInputFixture(), { now: NOW }));

    expect(plan.ramp.curve).toEqual([10, 25, 50, 75, 100]);
  });

  it('runs the default ramp’s 5 stages plus two weeks at full volume', () => {
    const plan = planOf(validatePlan(planInputFixture(), { now: NOW }));

    expect(plan.weeks).toBe(7);
  });

  it('runs a named curve’s stages plus two weeks', () => {
    const input = planInputFixture({ ramp: { targetWeeklyVolume: 40, curve: 'linear', stages: 8 } });

    const plan = planOf(validatePlan(input, { now: NOW }));

    expect(plan.weeks).toBe(10);
  });

  it('defaults the length to the ramp’s stages plus two weeks', () => {
    const input = planInputFixture({
      ramp: { targetWeeklyVolume: 40, curve: 'linear', stages: 45 },
      gate: { maxExtraWeeks: 0 },
    });

    const plan = planOf(validatePlan(input, { now: NOW }));

    expect(plan.weeks).toBe(47);
  });

  it('refuses weeks and extra weeks that together pass week 52', () => {
    const result = validatePlan(planInputFixture({ weeks: 50 }), { now: NOW });

    expect(issuesOf(result)).toContainEqual({
      path: 'gate.maxExtraWeeks',
      message: 'weeks (50) plus 4 extra weeks would pass week 52; lower weeks or gate.maxExtraWeeks',
    });
  });

  it('gives tasks no dependencies and no recurrence unless written', () => {
    const input = planInputFixture({ tasks: [taskInputFixture({ id: 'receipts' })] });

    const plan = planOf(validatePlan(input, { now: NOW }));

    expect(plan.tasks[0]).toMatchObject({ dependsOn: [], recurring: false });
  });

  it('derives the id from the title and the plan as written, the same on any day', () => {
    const today = planOf(validatePlan(planInputFixture(), { now: NOW }));
    const nextWeek = planOf(validatePlan(planInputFixture(), { now: '2026-10-14T10:00:00Z' }));
    const other = planOf(validatePlan(planInputFixture({ ramp: { targetWeeklyVolume: 30 } }), { now: NOW }));

    expect(today.id).toMatch(/^bookkeeping-handover-to-ledgerly-[0-9a-f]{8}$/);
    expect(nextWeek.id).toBe(today.id);
    expect(other.id).not.toBe(today.id);
  });

  it('refuses a plan that could run past the one-year life of an execution', () => {
    const result = validatePlan(planInputFixture({ start: '2027-07-05', weeks: 30 }), { now: NOW });

    expect(issuesOf(result)).toEqual([
      {
        path: 'weeks',
        message: expect.stringMatching(/^with up to 4 extra weeks the onboarding could run until 2028-/),
      },
    ]);
  });

  describe('the run’s length, every extra week included, against the line a year less a week away', () => {
    const input = planInputFixture({ start: '2027-03-01', weeks: 20 });
    const end = latestEnd(planOf(validatePlan(input, { now: NOW })));
    const submittedDaysBefore = (days: number) => new Date(Date.parse(end) - days * 86_400_000).toISOString();

    it('accepts a plan whose last possible gate is exactly at the line, or a day before it', () => {
      expect(validatePlan(input, { now: submittedDaysBefore(MAX_RUN_DAYS) }).ok).toBe(true);
      expect(validatePlan(input, { now: submittedDaysBefore(MAX_RUN_DAYS - 1) }).ok).toBe(true);
    });

    it('refuses one whose last possible gate is a day past the line', () => {
      const result = validatePlan(input, { now: submittedDaysBefore(MAX_RUN_DAYS + 1) });

      expect(issuesOf(result)).toEqual([
        {
          path: 'weeks',
          message: expect.stringContaining(
            `could run until ${end.slice(0, 10)}, 359 days from now; an onboarding runs at most 358 days`,
          ),
        },
      ]);
    });

    it('names the last day in the owner’s time zone, not in UTC', () => {
      // Prepare: Monday 09:00 in Auckland is still Sunday in UTC.
      const auckland = planInputFixture({
        start: '2027-03-01',
        weeks: 20,
        owner: { ...planInputFixture().owner, timeZone: 'Pacific/Auckland' },
        checkIn: { weekday: 'monday', time: '09:00' },
      });
      const last = latestEnd(planOf(validatePlan(auckland, { now: NOW })));
      const now = new Date(Date.parse(last) - (MAX_RUN_DAYS + 1) * 86_400_000).toISOString();

      // Act
      const [issue] = issuesOf(validatePlan(auckland, { now }));

      // Assess
      const ownersDay = dateIn(last, 'Pacific/Auckland').toString();
      expect(ownersDay).not.toBe(last.slice(0, 10));
      expect(issue?.message).toContain(`could run until ${ownersDay},`);
    });
  });

  it('refuses a named curve whose first stage rounds to nothing', () => {
    const result = validatePlan(
      planInputFixture({ ramp: { targetWeeklyVolume: 2, curve: 'linear', stages: 52 }, weeks: 52 }),
      { now: NOW },
    );

    expect(issuesOf(result)).toContainEqual({
      path: 'ramp.stages',
      message: expect.stringMatching(/^stage 1's cap/),
    });
  });

  it('takes the id given by the caller over the derived one', () => {
    const plan = planOf(validatePlan(planInputFixture(), { now: NOW, id: 'ledgerly-q4' }));

    expect(plan.id).toBe('ledgerly-q4');
  });
});

describe('validatePlan: capacity', () => {
  const tooMuchWork = planInputFixture({ ramp: { targetWeeklyVolume: 4, curve: [50, 100] }, weeks: 2 });

  it('accepts a plan whose tasks do not all fit in its weeks', () => {
    const result = validatePlan(tooMuchWork, { now: NOW });

    expect(result.ok).toBe(true);
  });

  it('warns about a plan whose tasks do not all fit in its weeks, naming the tasks', () => {
    const { warnings } = validatePlan(tooMuchWork, { now: NOW });

    expect(warnings).toEqual([
      {
        path: 'tasks',
        message: expect.stringContaining(
          '2 tasks (supplier-invoices, payment-runs) cannot be released within 2 weeks at 4 hours a week',
        ),
      },
    ]);
  });

  it('gives no warning when every task fits', () => {
    const { warnings } = validatePlan(planInputFixture(), { now: NOW });

    expect(warnings).toEqual([]);
  });
});

describe('readPlanText', () => {
  it('parses YAML', () => {
    const result = readPlanText('title: Handover\nweeks: 6\ntasks:\n  - id: receipts\n');

    expect(result).toEqual({ ok: true, value: { title: 'Handover', weeks: 6, tasks: [{ id: 'receipts' }] } });
  });

  it('parses JSON', () => {
    const result = readPlanText('{"title": "Handover", "weeks": 6, "tasks": [{"id": "receipts"}]}');

    expect(result).toEqual({ ok: true, value: { title: 'Handover', weeks: 6, tasks: [{ id: 'receipts' }] } });
  });

  it('reports a YAML syntax error with its line and column', () => {
    const result = readPlanText('title: Handover\nowner:\n\tname: Maria\n');

    expect(result).toEqual({
      ok: false,
      issues: [{ path: '', message: 'line 3, column 1: not valid YAML or JSON (TAB_AS_INDENT)' }],
    });
  });

  it('reports a key written twice', () => {
    const result = readPlanText('title: Handover\ntitle: Again\n');

    expect(result).toEqual({
      ok: false,
      issues: [{ path: '', message: 'line 2, column 1: not valid YAML or JSON (DUPLICATE_KEY)' }],
    });
  });
});

describe('readPlanText: anchors and aliases', () => {
  it('reads an alias to an anchor set before it', () => {
    const result = readPlanText('criteria: &usual [Reviewed by the owner]\nagain: *usual\n');

    expect(result).toEqual({
      ok: true,
      value: { criteria: ['Reviewed by the owner'], again: ['Reviewed by the owner'] },
    });
  });

  it('reports an alias to an anchor that is not set, with its line and column, rather than throwing', () => {
    const result = readPlanText('title: Handover\nowner: *me\n');

    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: '',
          message:
            'line 2, column 8: the alias *me refers to no anchor; mark the value it repeats with &me before the alias, or write the value out',
        },
      ],
    });
  });

  it('reports an alias set only after it as referring to no anchor', () => {
    const result = readPlanText('first: *later\nsecond: &later 1\n');

    expect(result).toMatchObject({
      ok: false,
      issues: [
        {
          path: '',
          message: expect.stringMatching(/^line 1, column 8: the alias \*later refers to no anchor/),
        },
      ],
    });
  });

  it('reports an alias bomb as aliases used too often, rather than throwing', () => {
    // Prepare: each level repeats the one before ten times, ten levels deep
    const levels = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );

    // Act
    const result = readPlanText(levels.join('\n'));

    // Assess
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: '',
          message:
            'the YAML uses its aliases (*name) too often: an anchored value may be used at most 100 times, counting uses inside other aliased values; write the repeated values out',
        },
      ],
    });
  });
});

describe('examples', () => {
  const dir = new URL('../../../examples/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('has at least one example to check', () => {
    expect(files).not.toEqual([]);
  });

  it.each(files)('examples/%s reads and validates without issues or warnings', (file) => {
    const read = readPlanText(readFileSync(new URL(file, dir), 'utf8'));

    const result = validatePlan(read.ok ? read.value : undefined, { now: NOW });

    expect({ read: read.ok, ok: result.ok, warnings: result.warnings }).toEqual({
      read: true,
      ok: true,
      warnings: [],
    });
  });
});

describe('formatIssues', () => {
  it('writes one `path: message` line per issue, and the bare message for the whole plan', () => {
    const text = formatIssues([
      { path: 'owner.email', message: 'is required (string)' },
      { path: 'tasks[3].dependsOn[0]', message: 'unknown task "invoicing"' },
      { path: '', message: 'line 3, column 1: not valid YAML or JSON (TAB_AS_INDENT)' },
    ]);

    expect(text).toBe(
      [
        'owner.email: is required (string)',
        'tasks[3].dependsOn[0]: unknown task "invoicing"',
        'line 3, column 1: not valid YAML or JSON (TAB_AS_INDENT)',
      ].join('\n'),
    );
  });
});
