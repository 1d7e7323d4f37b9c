import { z } from 'zod';
import { isCalendarDate, isTimeZone, WEEKDAYS } from './calendar.ts';
import type { PlanIssue } from './errors.ts';

/**
 * The plan an owner writes: who, what (prioritized tasks with deliverables and acceptance
 * criteria), and how fast (the ramp and the check-in cadence). Everything but the people and the
 * tasks has a default. One schema serves validation, the types and the published JSON Schema.
 */

export const slug = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    'must be lowercase letters, digits and dashes (at most 63), e.g. "bank-feeds"',
  );

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const timeZone = z.string().refine(isTimeZone, {
  error: (issue) =>
    `unknown IANA time zone ${JSON.stringify(issue.input)}; use a name like "Europe/Berlin" or "America/New_York"`,
});

const email = z.email({ error: (issue) => `not a valid email address: ${JSON.stringify(issue.input)}` });

const person = z.strictObject({
  name: text(100),
  email,
  timeZone,
});

const partner = z.strictObject({
  name: text(100),
  emails: z.array(email).min(1, 'list at least one address').max(10, 'at most 10 addresses'),
  timeZone,
  domain: z
    .string()
    .regex(
      /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
      'must be a domain name like "ledgerly.example"',
    )
    .optional(),
});

const rating = (what: string) => z.number().min(1, `${what} must be 1 to 5`).max(5, `${what} must be 1 to 5`);

/** Someone the owner asks about the partner before any work is released (due diligence). */
const reference = z.strictObject({
  name: text(100),
  email,
  company: text(100).optional(),
});

const days = (what: string, max: number) =>
  z
    .int(`${what} must be a whole number`)
    .min(1, `must be 1 to ${max} ${what}`)
    .max(max, `must be 1 to ${max} ${what}`);

/**
 * How the references' answers are judged, and how long they have. Absent: the defaults
 * (`DUE_DILIGENCE_DEFAULTS` in due-diligence.ts); only read when the plan lists references.
 */
const dueDiligence = z.strictObject({
  /** Answers from independent references (not at the partner's own domain) needed to pass. */
  minIndependentAnswers: z
    .int('must be a whole number')
    .min(0, 'must be 0 to 10')
    .max(10, 'must be 0 to 10')
    .default(2),
  /** The average of the independent answers (1 to 5, all three questions) needed to pass. */
  minAverage: rating('an average').default(3.5),
  /** Business days the references have to answer, from the day they are asked. */
  answerDays: days('business days', 10).default(5),
  /** Business days after asking when those who have not answered are reminded, once. */
  reminderAfterDays: days('business days', 9).default(3),
});

const task = z.strictObject({
  id: slug,
  title: text(120),
  deliverable: text(500),
  acceptanceCriteria: z.array(text(300)).min(1, 'list at least one acceptance criterion').max(20),
  priority: z
    .int('must be a whole number')
    .min(1, 'must be 1 (highest) to 5')
    .max(5, 'must be 1 (highest) to 5'),
  effort: z.number().positive('must be more than 0').max(10_000),
  dependsOn: z.array(slug).max(20).default([]),
  recurring: z.boolean().default(false),
});

export const NAMED_CURVES = ['linear', 'geometric', 's-curve'] as const;

const ramp = z.strictObject({
  /** Volume at 100%, in the plan's effort unit per week. */
  targetWeeklyVolume: z.number().positive('must be more than 0').max(10_000),
  /** Percent of the target per stage, or a named curve over `stages` stages. */
  curve: z
    .union([
      z
        .array(
          z.number().gt(0, 'each stage must be more than 0%').max(100, 'each stage must be at most 100%'),
        )
        .min(1)
        .max(52),
      z.enum(NAMED_CURVES, { error: `must be a list of percentages or one of: ${NAMED_CURVES.join(', ')}` }),
    ])
    .default([10, 25, 50, 75, 100]),
  /** Number of stages of a named curve. */
  stages: z.int().min(1).max(52).default(5),
});

const checkIn = z.strictObject({
  weekday: z.enum(WEEKDAYS, { error: `must be a business day: ${WEEKDAYS.join(', ')}` }).default('thursday'),
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time like "15:00"')
    .default('15:00'),
  /**
   * Business days after the check-in during which feedback is collected; the next batch goes out
   * when it closes, so at most two, to leave the partner most of the week to work.
   */
  feedbackWindowDays: z
    .int()
    .min(1, 'must be 1 or 2 business days')
    .max(2, 'must be 1 or 2 business days')
    .default(1),
  /**
   * Business days after the feedback window during which the silent, reminded once when it
   * closes, can still answer; the week is decided, and the next batch goes out, when it ends.
   */
  graceDays: z.int().min(1, 'must be 1 or 2 business days').max(2, 'must be 1 or 2 business days').default(1),
});

/** When the weekly gate advances, holds or steps back; ratings are 1 (poor) to 5 (excellent). */
const gate = z.strictObject({
  /** The owner's rating of the week's work needed to move to the next stage. */
  advanceAt: rating('a rating').default(4),
  /** An owner's rating below this steps back a stage. */
  stepBackBelow: rating('a rating').default(3),
  /** The partner's own rating of the week (clear and manageable?) needed to move on. */
  partnerAtLeast: rating('a rating').default(3),
  /** The share of the week's tasks finished on time needed to move on (0 to 1). */
  onTimeAtLeast: z.number().min(0, 'must be 0 to 1').max(1, 'must be 0 to 1').default(0.8),
  /** Weeks a plan may run past its last week because of holds and step backs. */
  maxExtraWeeks: z.int().min(0, 'must be 0 to 12').max(12, 'must be 0 to 12').default(4),
  /**
   * Days a side may go without answering (no rating, no reply) before the onboarding is marked at
   * risk; at least a week, since each side is asked once a week.
   */
  silenceLimitDays: z.int().min(7, 'must be 7 to 90 days').max(90, 'must be 7 to 90 days').default(14),
});

export const planSchema = z.strictObject({
  id: slug.optional(),
  title: text(120),
  owner: person,
  partner,
  references: z.array(reference).max(10, 'at most 10 references').default([]),
  dueDiligence: dueDiligence.optional(),
  effortUnit: z.enum(['hours', 'items']).default('hours'),
  /** First day of week 1 (YYYY-MM-DD, in the owner's time zone); defaults to the next business day. */
  start: z.string().refine(isCalendarDate, 'must be a date like "2027-01-04"').optional(),
  /** The plan's last week; defaults to the ramp's stages plus two weeks at full volume. */
  weeks: z.int().min(1, 'must be 1 to 52').max(52, 'must be 1 to 52').optional(),
  ramp,
  checkIn: checkIn.default({ weekday: 'thursday', time: '15:00', feedbackWindowDays: 1, graceDays: 1 }),
  gate: gate.default({
    advanceAt: 4,
    stepBackBelow: 3,
    partnerAtLeast: 3,
    onTimeAtLeast: 0.8,
    maxExtraWeeks: 4,
    silenceLimitDays: 14,
  }),
  tasks: z.array(task).min(1, 'list at least one task').max(200, 'at most 200 tasks'),
});

/** A plan as written (defaults not yet applied). */
export type PlanInput = z.input<typeof planSchema>;
/** A plan after schema validation, before the semantic checks resolve the start and weeks. */
export type ParsedPlan = z.output<typeof planSchema>;
export type Task = ParsedPlan['tasks'][number];
export type Weekday = (typeof WEEKDAYS)[number];

/** A validated plan: every default applied, the start date and the last week resolved. */
export interface Plan extends Omit<ParsedPlan, 'start' | 'weeks' | 'id'> {
  id: string;
  start: string;
  weeks: number;
}

/** Turns a zod issue path into `tasks[3].dependsOn[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

/**
 * Zod's issues as plan issues: union failures resolved to the branch that explains them, and a
 * value of the wrong type reported once, as the wrong type (Zod 4 still runs an array's `max()` on
 * a string, which would add a confusing second message). Parse with `reportInput: true`, so a
 * wrong value can be told from a missing one.
 */
export function zodIssues(error: z.ZodError): PlanIssue[] {
  const issues = error.issues.flatMap((issue) => flatten(issue, []));
  const wrongType = new Set(issues.filter((i) => i.wrongType).map((i) => i.path));
  return issues
    .filter((i) => i.wrongType || !wrongType.has(i.path))
    .map(({ path, message }) => ({ path, message }));
}

type FlatIssue = PlanIssue & { wrongType: boolean };

function flatten(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): FlatIssue[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    return mostSpecificBranch(issue.errors).flatMap((inner) => flatten(inner, path));
  }
  return [
    { path: formatPath(path), message: describeZodIssue(issue), wrongType: issue.code === 'invalid_type' },
  ];
}

/**
 * The union branch that got furthest into the value says what is wrong: `[10, 150]` fails the
 * list branch at `[1]`; `"exponential"` fails both at the top, and the named-curve branch (not a
 * type mismatch) says what is allowed.
 */
function mostSpecificBranch(branches: z.core.$ZodIssue[][]): z.core.$ZodIssue[] {
  const score = (branch: z.core.$ZodIssue[]) =>
    2 * Math.max(0, ...branch.map((i) => i.path.length)) +
    (branch.some((i) => i.code === 'invalid_type') ? 0 : 1);
  return branches.reduce((best, branch) => (score(branch) > score(best) ? branch : best));
}

const EXPECTED: Record<string, string> = {
  array: 'a list',
  object: 'a set of fields',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function describeZodIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const expected = EXPECTED[issue.expected] ?? issue.expected;
    if (issue.input === undefined) return `is required (${expected})`;
    // A message written in the schema says it best; Zod's default one is replaced by ours.
    if (!issue.message.startsWith('Invalid input')) return issue.message;
    return `must be ${expected}, got ${describeValue(issue.input)}`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return issue.message;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'nothing (null)';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'a set of fields';
  return `${typeof value} ${String(value)}`;
}
