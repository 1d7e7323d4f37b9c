import { Temporal } from 'temporal-polyfill';
import { type Document, isAlias, LineCounter, parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { dateIn, isBusinessDay, nextBusinessDay } from './calendar.ts';
import { dueDiligenceSettings, earliestStartWithReferences } from './due-diligence.ts';
import type { PlanIssue } from './errors.ts';
import { type ParsedPlan, type Plan, planSchema, slug, zodIssues } from './plan.ts';
import { digestOf } from './plan-digest.ts';
import { stageCap, stagePercentages, unreleasedAtBestPace } from './ramp.ts';
import { fitsRunLimit, latestEnd, MAX_RUN_DAYS } from './run-limit.ts';
import { BUSINESS_DAYS_PER_WEEK, FIRST_WEEK_BUSINESS_DAYS } from './schedule.ts';
import { dueDiligenceIssues, referenceIssues, referenceWarnings } from './validate-references.ts';

export type PlanResult =
  | { ok: true; plan: Plan; warnings: PlanIssue[] }
  | { ok: false; issues: PlanIssue[]; warnings: PlanIssue[] };

export interface ValidateOptions {
  /** The time the plan is submitted (ISO-8601): the start date may not be before its day. */
  now: string;
  /** The onboarding id, over the plan's own. */
  id?: string;
  /** What a default id is derived from (a delivery's id), rather than the plan as written. */
  idFrom?: unknown;
}

/**
 * Validates a plan completely: the schema, then what a schema cannot say (unique ids,
 * dependencies that exist and form no cycle, a start that is not in the past, a ramp that fits
 * in the plan's weeks). Reports every problem at once, up to MAX_LISTED_ISSUES and then how many
 * more; a plan over the task limit is refused by its count, its tasks unread. Each check beyond
 * the schema runs when the part of the plan it reads is valid, whatever is wrong elsewhere, so
 * one mistake hides no other; it never reads a value the schema refused, nor reports again on a
 * part the schema already has. `now` decides "the past" and the default start (the next business
 * day in the owner's time zone), so examples never go stale.
 */
export function validatePlan(input: unknown, options: ValidateOptions): PlanResult {
  const tooMany = taskCountIssues(input);
  if (tooMany) return refused(tooMany);
  const parsed = planSchema.safeParse(input, { reportInput: true });
  const issues = [
    ...(parsed.success ? [] : zodIssues(parsed.error)),
    ...taskGraphIssues(taskGraphOf(input)),
    ...whenValid(rampPart, input, rampIssues),
    ...whenValid(gatePart, input, gateIssues),
    ...whenValid(checkInPart, input, checkInIssues),
    ...whenValid(referencesPart, input, referenceIssues),
    ...whenValid(dueDiligencePart, input, dueDiligenceIssues),
    ...whenValid(startPart, input, (part) => startIssues(part, options.now)),
    ...whenValid(extraWeeksPart, input, extraWeeksIssues),
    ...whenValid(weeksPart, input, weeksIssues),
  ];
  if (!parsed.success || issues.length > 0) return refused(issues);

  const draft = parsed.data;
  const plan: Plan = {
    ...draft,
    id: options.id ?? draft.id ?? defaultId(draft.title, options.idFrom ?? input),
    start: startOf(draft, options.now).start.toString(),
    weeks: weeksOf(draft),
  };
  const limits = limitIssues(plan, options.now);
  if (limits.length > 0) return refused(limits);
  return { ok: true, plan, warnings: [...capacityWarnings(plan), ...referenceWarnings(plan)] };
}

/** The problems `check` finds in the part of the plan `part` reads; none when that part is not valid. */
function whenValid<T>(part: z.ZodType<T>, input: unknown, check: (part: T) => PlanIssue[]): PlanIssue[] {
  const parsed = part.safeParse(input);
  return parsed.success ? check(parsed.data) : [];
}

/*
 * The parts of a plan the checks beyond the schema read: the plan schema's own fields (so a rule
 * is written once), every other field ignored.
 */
const { owner, partner } = planSchema.shape;
const rampPart = planSchema.pick({ ramp: true, effortUnit: true }).loose();
const gatePart = planSchema.pick({ gate: true }).loose();
const checkInPart = planSchema.pick({ checkIn: true }).loose();
/** What referenceIssues (validate-references.ts) reads: the references, and whose they must not be. */
const referencesPart = planSchema
  .pick({ references: true })
  .extend({ owner: owner.pick({ email: true }).loose(), partner: partner.pick({ emails: true }).loose() })
  .loose();
const dueDiligencePart = planSchema.pick({ dueDiligence: true }).loose();
/** The start reads only whether there are references (their time to answer delays it), not what they are. */
const startPart = planSchema
  .pick({ start: true, dueDiligence: true })
  .extend({
    references: z.array(z.unknown()).default([]),
    owner: owner.pick({ timeZone: true }).loose(),
  })
  .loose();
const weeksPart = planSchema.pick({ ramp: true, weeks: true }).loose();
const extraWeeksPart = planSchema
  .pick({ ramp: true, weeks: true })
  .extend({
    gate: planSchema.shape.gate.unwrap().pick({ maxExtraWeeks: true }).loose().default({ maxExtraWeeks: 4 }),
  })
  .loose();

type StartPart = z.output<typeof startPart>;
type WeeksPart = z.output<typeof weeksPart>;

/**
 * The owner's today, the earliest start the plan allows (with references, no work before their
 * answers are in, and the owner decided, if asked), and the start: as written, or the earliest.
 */
function startOf(plan: StartPart, now: string) {
  const today = dateIn(now, plan.owner.timeZone);
  const earliest =
    plan.references.length > 0 ? earliestStartWithReferences(plan, today) : nextBusinessDay(today);
  const start = plan.start ? Temporal.PlainDate.from(plan.start) : earliest;
  return { today, earliest, start };
}

function startIssues(plan: StartPart, now: string): PlanIssue[] {
  if (!plan.start) return [];
  const { today, earliest, start } = startOf(plan, now);
  if (Temporal.PlainDate.compare(start, today) < 0) {
    return [
      {
        path: 'start',
        message: `${plan.start} is in the past (today is ${today} in ${plan.owner.timeZone})`,
      },
    ];
  }
  if (!isBusinessDay(start)) {
    return [
      {
        path: 'start',
        message: `${plan.start} is a weekend day; start on a business day (Monday to Friday)`,
      },
    ];
  }
  if (Temporal.PlainDate.compare(start, earliest) < 0 && plan.references.length > 0) {
    const { answerDays } = dueDiligenceSettings(plan);
    return [
      {
        path: 'start',
        message: `${plan.start} leaves the references too little time: they have ${answerDays} business days (dueDiligence.answerDays) to answer, and you a business day to decide if their answers are weak, before any work is released; start on ${earliest} or later, or leave start out`,
      },
    ];
  }
  return [];
}

/** The plan's last week: as written, or the ramp's stages plus two weeks at full volume. */
function weeksOf(plan: WeeksPart): number {
  return plan.weeks ?? Math.min(52, stagePercentages(plan.ramp).length + 2);
}

function extraWeeksIssues(plan: z.output<typeof extraWeeksPart>): PlanIssue[] {
  const weeks = weeksOf(plan);
  if (weeks + plan.gate.maxExtraWeeks <= 52) return [];
  return [
    {
      path: 'gate.maxExtraWeeks',
      message: `weeks (${weeks}) plus ${plan.gate.maxExtraWeeks} extra weeks would pass week 52; lower weeks or gate.maxExtraWeeks`,
    },
  ];
}

function weeksIssues(plan: WeeksPart): PlanIssue[] {
  const stages = stagePercentages(plan.ramp).length;
  if (weeksOf(plan) >= stages) return [];
  return [{ path: 'weeks', message: `must be at least the ramp's ${stages} stages (one week per stage)` }];
}

/**
 * The most problems a refusal lists. A plan of thousands of broken tasks has tens of thousands;
 * listed in full they would make a reply larger than SES sends, and an API error larger than a
 * response (or the idempotency record keeping it) may be. The first hundred show what to fix.
 */
const MAX_LISTED_ISSUES = 100;

/** A refusal listing at most MAX_LISTED_ISSUES problems, and then how many more there are. */
function refused(issues: PlanIssue[]): PlanResult {
  if (issues.length <= MAX_LISTED_ISSUES) return { ok: false, issues, warnings: [] };
  const more = issues.length - MAX_LISTED_ISSUES;
  return {
    ok: false,
    issues: [
      ...issues.slice(0, MAX_LISTED_ISSUES),
      { path: '', message: `…and ${more} more problem${more === 1 ? '' : 's'}`, more },
    ],
    warnings: [],
  };
}

/** The schema's limit on tasks, read from the schema so that the limit is written once. */
const MAX_TASKS = z.toJSONSchema(planSchema.shape.tasks, { io: 'input' }).maxItems ?? Infinity;

/**
 * A plan with more tasks than the schema allows, refused before any task is read (each broken
 * task would cost a problem or more, and time): the limit, and what is wrong outside the tasks.
 * Undefined when the task count is within the limit.
 */
function taskCountIssues(input: unknown): PlanIssue[] | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const { tasks, ...rest } = input as Record<string, unknown>;
  if (!Array.isArray(tasks) || tasks.length <= MAX_TASKS) return undefined;
  const others = planSchema.omit({ tasks: true }).safeParse(rest, { reportInput: true });
  return [
    ...(others.success ? [] : zodIssues(others.error)),
    { path: 'tasks', message: `at most ${MAX_TASKS} tasks; the plan has ${tasks.length}` },
  ];
}

/** DynamoDB's item limit is 400 KB; the plan shares its item with a little bookkeeping. */
const MAX_PLAN_BYTES = 350_000;

/** What AWS itself would refuse later: a plan too large to store, a run longer than a year. */
function limitIssues(plan: Plan, now: string): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const bytes = new TextEncoder().encode(JSON.stringify(plan)).length;
  if (bytes > MAX_PLAN_BYTES) {
    issues.push({
      path: '',
      message: `the plan is ${Math.ceil(bytes / 1000)} KB; at most ${MAX_PLAN_BYTES / 1000} KB`,
    });
  }
  // The same line a pause is held to later (run-limit.ts): `now` is the onboarding's createdAt.
  if (!fitsRunLimit(plan, now, 0)) {
    const lastFeedback = latestEnd(plan);
    const days = (Date.parse(lastFeedback) - Date.parse(now)) / 86_400_000;
    issues.push({
      path: 'weeks',
      message:
        `with up to ${plan.gate.maxExtraWeeks} extra weeks the onboarding could run until ${dateIn(lastFeedback, plan.owner.timeZone)}, ` +
        `${Math.ceil(days)} days from now; an onboarding runs at most ${MAX_RUN_DAYS} days (a workflow lasts a year, less a week's margin): start sooner, or plan fewer weeks or extra weeks`,
    });
  }
  return issues;
}

/**
 * How many times an anchored value may be used through aliases, a use inside another aliased
 * value counting once for each use of that one (yaml's `maxAliasCount`; 100 is its default). An
 * alias bomb, a few lines whose nested aliases stand for billions of values, stops here. No lower:
 * that would refuse a large plan giving each task one anchored list of acceptance criteria, and
 * gain nothing, as an alias shares its value rather than copying it and the schema bounds every
 * list and text a plan has.
 */
const MAX_ALIAS_USES = 100;

/**
 * Reads a plan file's text: YAML, of which JSON is a subset. Whatever is wrong with the YAML
 * comes back as a problem with the plan as a whole (path ''), never as a thrown error: an emailed
 * plan must get an answer, and `onramp validate` must say what is wrong.
 */
export function readPlanText(
  source: string,
): { ok: true; value: unknown } | { ok: false; issues: PlanIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true, lineCounter });
  const [error] = doc.errors;
  if (error) {
    const where = error.linePos?.[0];
    const at = where ? `line ${where.line}, column ${where.col}: ` : '';
    return { ok: false, issues: [{ path: '', message: `${at}not valid YAML or JSON (${error.code})` }] };
  }
  // yaml throws a ReferenceError for both of these when it builds the value: found first, an
  // alias without an anchor can be named with its place.
  const unresolved = unresolvedAlias(doc);
  if (unresolved) {
    const { line, col } = lineCounter.linePos(unresolved.offset);
    const name = unresolved.source;
    return {
      ok: false,
      issues: [
        {
          path: '',
          message: `line ${line}, column ${col}: the alias *${name} refers to no anchor; mark the value it repeats with &${name} before the alias, or write the value out`,
        },
      ],
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_USES }) };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    return {
      ok: false,
      issues: [
        {
          path: '',
          message: `the YAML uses its aliases (*name) too often: an anchored value may be used at most ${MAX_ALIAS_USES} times, counting uses inside other aliased values; write the repeated values out`,
        },
      ],
    };
  }
}

/**
 * The first alias whose anchor is not set before it, in the order yaml resolves aliases (an alias
 * refers to the last node before it with that anchor), with its offset in the source.
 */
function unresolvedAlias(doc: Document): { source: string; offset: number } | undefined {
  const anchors = new Set<string>();
  let found: { source: string; offset: number } | undefined;
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        if (anchors.has(node.source)) return undefined;
        found = { source: node.source, offset: node.range?.[0] ?? 0 };
        return visit.BREAK;
      }
      if (node.anchor) anchors.add(node.anchor);
      return undefined;
    },
  });
  return found;
}

/** A task of the plan's task graph: only what is valid of it. */
interface GraphTask {
  /** Where the task is in the plan's list. */
  at: number;
  id: string;
  /** The dependencies that are valid ids, each with where it is in the task's list. */
  dependsOn: { at: number; id: string }[];
  /**
   * Whether the task's whole list of dependencies is valid: only then are they edges of the graph,
   * so a cycle is never reported on a list the schema refused (too long, say).
   */
  edges: boolean;
}

/** The task graph as far as it is valid. */
interface TaskGraph {
  tasks: GraphTask[];
  /**
   * The ids the tasks whose id is malformed were probably meant to have ("Bank Feeds" →
   * "bank-feeds"): a dependency on one of them is no unknown task, but the schema's problem.
   */
  meant: Set<string>;
}

/** What a task's dependencies must be, from the schema: a list of at most 20 ids. */
const dependsOnList = planSchema.shape.tasks.element.shape.dependsOn;

/**
 * The task graph as far as it is valid, whatever else is wrong with the plan: a task is in it
 * when its id is valid, a dependency when it is a valid id. A malformed id is reported by the
 * schema, not again as a duplicate or an unknown dependency, and it hides no other task's problem.
 */
function taskGraphOf(input: unknown): TaskGraph {
  const graph: TaskGraph = { tasks: [], meant: new Set() };
  if (typeof input !== 'object' || input === null) return graph;
  const { tasks } = input as Record<string, unknown>;
  if (!Array.isArray(tasks)) return graph;
  tasks.forEach((task: unknown, at) => {
    if (typeof task !== 'object' || task === null) return;
    const { id, dependsOn } = task as Record<string, unknown>;
    const validId = slug.safeParse(id);
    if (!validId.success) {
      if (typeof id === 'string' || typeof id === 'number') graph.meant.add(likelyId(String(id)));
      return;
    }
    const written: unknown[] = Array.isArray(dependsOn) ? dependsOn : [];
    const valid = written.flatMap((dep, j) => {
      const validDep = slug.safeParse(dep);
      return validDep.success ? [{ at: j, id: validDep.data }] : [];
    });
    graph.tasks.push({
      at,
      id: validId.data,
      dependsOn: valid,
      edges: dependsOnList.safeParse(dependsOn).success,
    });
  });
  return graph;
}

/** A malformed task id as the id it was probably meant to be: "Bank Feeds" → "bank-feeds". */
function likelyId(id: string): string {
  return id
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

function taskGraphIssues({ tasks, meant }: TaskGraph): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const first = new Map<string, GraphTask>();
  for (const task of tasks) {
    const seen = first.get(task.id);
    if (seen === undefined) first.set(task.id, task);
    else
      issues.push({
        path: `tasks[${task.at}].id`,
        message: `duplicate id "${task.id}" (also tasks[${seen.at}])`,
      });
  }
  const known = namedIds([...first.keys()]);
  for (const task of tasks) {
    for (const dep of task.dependsOn) {
      const path = `tasks[${task.at}].dependsOn[${dep.at}]`;
      if (dep.id === task.id) {
        issues.push({ path, message: 'a task cannot depend on itself' });
      } else if (!first.has(dep.id) && !meant.has(dep.id)) {
        issues.push({ path, message: `unknown task "${dep.id}"; known: ${known}` });
      }
    }
  }
  // A duplicate is already a problem: the graph is the first task of each id.
  const cycle = findCycle([...first.values()]);
  if (cycle) {
    issues.push({
      path: `tasks[${first.get(cycle[0]!)!.at}].dependsOn`,
      message: `dependency cycle: ${cycle.join(' → ')}`,
    });
  }
  return issues;
}

/** How many known ids an "unknown task" problem names: with every id, 4,000 of them made megabytes. */
const MAX_NAMED_IDS = 10;

function namedIds(ids: readonly string[]): string {
  if (ids.length <= MAX_NAMED_IDS) return ids.join(', ');
  return `${ids.slice(0, MAX_NAMED_IDS).join(', ')} … and ${ids.length - MAX_NAMED_IDS} more`;
}

/**
 * A dependency cycle as a list of ids that starts and ends with the same id, or undefined. The
 * tasks have distinct ids; only a task's `edges` lead anywhere.
 */
function findCycle(tasks: readonly GraphTask[]): string[] | undefined {
  const deps = new Map(
    tasks.map((t) => [t.id, t.edges ? t.dependsOn.map((d) => d.id).filter((d) => d !== t.id) : []]),
  );
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done' || !deps.has(id)) return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const task of tasks) {
    const found = visit(task.id);
    if (found) return found;
  }
  return undefined;
}

/**
 * The next batch goes out when the week's grace period ends: the feedback window and the grace
 * period together must leave the partner as many business days before the next check-in as the
 * first week gets.
 */
function checkInIssues(plan: Pick<ParsedPlan, 'checkIn'>): PlanIssue[] {
  const { feedbackWindowDays, graceDays } = plan.checkIn;
  const most = BUSINESS_DAYS_PER_WEEK - FIRST_WEEK_BUSINESS_DAYS;
  if (feedbackWindowDays + graceDays <= most) return [];
  return [
    {
      path: 'checkIn.graceDays',
      message:
        `${graceDays} business days after a ${feedbackWindowDays}-day feedback window leave the next batch ` +
        `less than ${FIRST_WEEK_BUSINESS_DAYS} business days before its check-in; ` +
        `feedbackWindowDays plus graceDays must be at most ${most}`,
    },
  ];
}

function gateIssues(plan: Pick<ParsedPlan, 'gate'>): PlanIssue[] {
  const { advanceAt, stepBackBelow } = plan.gate;
  if (stepBackBelow <= advanceAt) return [];
  return [
    {
      path: 'gate.stepBackBelow',
      message: `${stepBackBelow} is above gate.advanceAt (${advanceAt}); a rating cannot both advance and step back`,
    },
  ];
}

function rampIssues(plan: Pick<ParsedPlan, 'ramp' | 'effortUnit'>): PlanIssue[] {
  const curve = plan.ramp.curve;
  const issues: PlanIssue[] = [];
  stagePercentages(plan.ramp).forEach((percent, i) => {
    if (stageCap(plan.ramp, i, plan.effortUnit) === 0) {
      issues.push({
        path: Array.isArray(curve) ? `ramp.curve[${i}]` : 'ramp.stages',
        message: `stage ${i + 1}'s cap, ${percent}% of ${plan.ramp.targetWeeklyVolume} ${plan.effortUnit}, rounds to 0; raise ${Array.isArray(curve) ? 'the percentage' : 'ramp.targetWeeklyVolume or lower ramp.stages'}`,
      });
    }
  });
  if (!Array.isArray(curve)) return issues;
  curve.forEach((percent, i) => {
    if (i > 0 && percent < curve[i - 1]!) {
      issues.push({
        path: `ramp.curve[${i}]`,
        message: `${percent}% is below the previous stage's ${curve[i - 1]}%; a ramp never falls`,
      });
    }
  });
  if (curve.at(-1) !== 100) {
    issues.push({
      path: `ramp.curve[${curve.length - 1}]`,
      message: 'the last stage must be 100% (the full target volume)',
    });
  }
  return issues;
}

function capacityWarnings(plan: Plan): PlanIssue[] {
  const left = unreleasedAtBestPace(plan);
  if (left.length === 0) return [];
  return [
    {
      path: 'tasks',
      message:
        `${left.length} task${left.length === 1 ? '' : 's'} (${left.join(', ')}) cannot be released within ${plan.weeks} weeks ` +
        `at ${plan.ramp.targetWeeklyVolume} ${plan.effortUnit} a week, even if every week goes well; ` +
        'raise ramp.targetWeeklyVolume or weeks',
    },
  ];
}

/**
 * The title as a slug, and a digest of the plan as written (or of the delivery that carried it):
 * the same plan submitted again, on any day, gets the same id (and so is the same onboarding),
 * another plan with the same title does not.
 */
function defaultId(title: string, input: unknown): string {
  return `${titleSlug(title)}-${digestOf(input, 'hex').slice(0, 8)}`;
}

/** A plan title as the start of an onboarding id: at most 40 lowercase letters, digits and dashes. */
export function titleSlug(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'onboarding';
}

/** `path: message` lines, like a compiler's. */
export function formatIssues(issues: readonly PlanIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
}
