import { z } from 'zod';
import { isCalendarDate, isTimeZone, WEEKDAYS } from './calendar.ts';
import type { PlanIssue } from './errors.ts';
import { MULTI_LINE_TEXT, ONE_LINE_TEXT } from './plain-text.ts';

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

/** Text a person writes: trimmed, not empty, at most `max` characters, and plain (`allowed`). */
const plainText = (max: number, allowed: RegExp, message: string) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(allowed, message);

/** A name or a title: one line, shown in subject lines and terminals as well as in pages. */
const text = (max: number) =>
  plainText(
    max,
    ONE_LINE_TEXT,
    'must be one line of plain text: no line breaks, tabs, control characters or bidirectional overrides',
  );

/** A description: it may run over several lines. */
const longText = (max: number) =>
  plainText(
    max,
    MULTI_LINE_TEXT,
    'must be plain text: no control characters other than line breaks and tabs, and no bidirectional overrides',
  );

/** How many characters of a value from the plan a message shows: enough to recognize it. */
const SHOWN_CHARACTERS = 40;

/**
 * What JSON leaves unescaped but still acts rather than shows: DEL and the C1 controls (a terminal
 * reads U+009B as an escape), the line and paragraph separators, the bidirectional controls.
 */
const UNSHOWN = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from the plan as a message shows it: cut at SHOWN_CHARACTERS (a 5,000-character value is
 * not repeated back whole), JSON-quoted, with every character that would act rather than show
 * escaped (line breaks, escape sequences, bidirectional overrides).
 */
export function quoted(value: string): string {
  const characters = Array.from(value);
  const shown =
    characters.length > SHOWN_CHARACTERS ? `${characters.slice(0, SHOWN_CHARACTERS).join('')}…` : value;
  return JSON.stringify(shown).replace(UNSHOWN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * An object that takes only the fields of `shape`: any other is reported at its own path
 * (`owner.phone`) with the fields `what` takes.
 */
function fields<T extends z.core.$ZodLooseShape>(what: string, shape: T) {
  const message = `unknown field; ${what} takes ${Object.keys(shape).join(', ')}`;
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? message : undefined),
  });
}

/**
 * A number whose every refusal says what is allowed. Zod takes Infinity (JSON's `1e400`, YAML's
 * `.inf`) and NaN for no number at all; to the author they are out of range like any other.
 */
const numberIn = (allowed: string) =>
  z.number({ error: (issue) => (typeof issue.input === 'number' ? allowed : undefined) });

/**
 * A whole number `min` to `max`, every refusal saying what is allowed: a fraction is not whole,
 * and anything out of range gets the one `allowed` message, Infinity and numbers past 2^53 (which
 * Zod checks apart, and would report a second time) included.
 */
const wholeNumber = (min: number, max: number, allowed = `must be ${min} to ${max}`) =>
  z
    .int({
      error: (issue) => {
        if (typeof issue.input !== 'number') return undefined;
        const fraction = issue.code === 'invalid_type' && Number.isFinite(issue.input);
        return fraction ? 'must be a whole number' : allowed;
      },
    })
    .min(min, allowed)
    .max(max, allowed);

const timeZone = z.string().refine(isTimeZone, {
  error: (issue) =>
    `unknown IANA time zone ${quoted(String(issue.input))}; use a name like "Europe/Berlin" or "America/New_York"`,
});

/** The longest address SMTP carries (RFC 5321: a 256-character path, less its angle brackets). */
const MAX_EMAIL_LENGTH = 254;

/** An email address; one that is not an address is told so, not also that it is too long. */
const email = z
  .email({ error: (issue) => `not a valid email address: ${quoted(String(issue.input))}`, abort: true })
  .max(MAX_EMAIL_LENGTH, `an email address is at most ${MAX_EMAIL_LENGTH} characters`);

const person = fields('owner', {
  name: text(100),
  email,
  timeZone,
});

const partner = fields('partner', {
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

const rating = (what: string) => {
  const allowed = `${what} must be 1 to 5`;
  return numberIn(allowed).min(1, allowed).max(5, allowed);
};

/** Someone the owner asks about the partner before any work is released (due diligence). */
const reference = fields('a reference', {
  name: text(100),
  email,
  company: text(100).optional(),
});

const days = (what: string, max: number) => wholeNumber(1, max, `must be 1 to ${max} ${what}`);

/**
 * How the references' answers are judged, and how long they have. Absent: the defaults
 * (`DUE_DILIGENCE_DEFAULTS` in due-diligence.ts); only read when the plan lists references.
 */
const dueDiligence = fields('dueDiligence', {
  /** Answers from independent references (not at the partner's own domain) needed to pass. */
  minIndependentAnswers: wholeNumber(0, 10).default(2),
  /** The average of the independent answers (1 to 5, all three questions) needed to pass. */
  minAverage: rating('an average').default(3.5),
  /** Business days the references have to answer, from the day they are asked. */
  answerDays: days('business days', 10).default(5),
  /** Business days after asking when those who have not answered are reminded, once. */
  reminderAfterDays: days('business days', 9).default(3),
});

/** The most a task's effort, or a week's target volume, may be. */
const MAX_VOLUME = 10_000;

/** A task's effort or a week's volume: more than nothing, and not beyond reason. */
const volume = () => {
  const allowed = `must be more than 0 and at most ${MAX_VOLUME}`;
  return numberIn(allowed).positive(allowed).max(MAX_VOLUME, allowed);
};

const task = fields('a task', {
  id: slug,
  title: text(120),
  deliverable: longText(500),
  acceptanceCriteria: z
    .array(longText(300))
    .min(1, 'list at least one acceptance criterion')
    .max(20, 'list at most 20 acceptance criteria'),
  priority: wholeNumber(1, 5, 'must be 1 (highest) to 5'),
  effort: volume(),
  dependsOn: z.array(slug).max(20, 'list at most 20 tasks it depends on').default([]),
  recurring: z.boolean().default(false),
});

export const NAMED_CURVES = ['linear', 'geometric', 's-curve'] as const;

/** The most stages a ramp may have: one a week, and a plan runs at most 52 weeks. */
const MAX_STAGES = 52;

const stagePercent = 'each stage must be more than 0% and at most 100%';

const ramp = fields('ramp', {
  /** Volume at 100%, in the plan's effort unit per week. */
  targetWeeklyVolume: volume(),
  /** Percent of the target per stage, or a named curve over `stages` stages. */
  curve: z
    .union([
      z
        .array(numberIn(stagePercent).gt(0, stagePercent).max(100, stagePercent))
        .min(1, 'list at least one stage')
        .max(MAX_STAGES, `list at most ${MAX_STAGES} stages (one a week)`),
      z.enum(NAMED_CURVES, { error: `must be a list of percentages or one of: ${NAMED_CURVES.join(', ')}` }),
    ])
    .default([10, 25, 50, 75, 100]),
  /** Number of stages of a named curve. */
  stages: wholeNumber(1, MAX_STAGES, `must be 1 to ${MAX_STAGES} stages`).default(5),
});

const checkIn = fields('checkIn', {
  weekday: z.enum(WEEKDAYS, { error: `must be a business day: ${WEEKDAYS.join(', ')}` }).default('thursday'),
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time like "15:00"')
    .default('15:00'),
  /**
   * Business days after the check-in during which feedback is collected; the next batch goes out
   * when it closes, so at most two, to leave the partner most of the week to work.
   */
  feedbackWindowDays: wholeNumber(1, 2, 'must be 1 or 2 business days').default(1),
  /**
   * Business days after the feedback window during which the silent, reminded once when it
   * closes, can still answer; the week is decided, and the next batch goes out, when it ends.
   */
  graceDays: wholeNumber(1, 2, 'must be 1 or 2 business days').default(1),
});

/** When the weekly gate advances, holds or steps back; ratings are 1 (poor) to 5 (excellent). */
const gate = fields('gate', {
  /** The owner's rating of the week's work needed to move to the next stage. */
  advanceAt: rating('a rating').default(4),
  /** An owner's rating below this steps back a stage. */
  stepBackBelow: rating('a rating').default(3),
  /** The partner's own rating of the week (clear and manageable?) needed to move on. */
  partnerAtLeast: rating('a rating').default(3),
  /** The share of the week's tasks finished on time needed to move on (0 to 1). */
  onTimeAtLeast: numberIn('must be 0 to 1').min(0, 'must be 0 to 1').max(1, 'must be 0 to 1').default(0.8),
  /** Weeks a plan may run past its last week because of holds and step backs. */
  maxExtraWeeks: wholeNumber(0, 12).default(4),
  /**
   * Days a side may go without answering (no rating, no reply) before the onboarding is marked at
   * risk; at least a week, since each side is asked once a week.
   */
  silenceLimitDays: wholeNumber(7, 90, 'must be 7 to 90 days').default(14),
});

export const planSchema = fields('a plan', {
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
  weeks: wholeNumber(1, 52).optional(),
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

/** A field name a path shows as it is; any other (an unknown field's) is shown quoted, in brackets. */
const PLAIN_NAME = new RegExp(`^[A-Za-z_$][A-Za-z0-9_$]{0,${SHOWN_CHARACTERS - 1}}$`);

/**
 * Turns a zod issue path into `tasks[3].dependsOn[0]`. A name that is not a plain one (an unknown
 * field may be called anything: a line break, a dot, 5,000 characters) is shown `["like this"]`,
 * quoted and cut short like any value from the plan.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    if (!PLAIN_NAME.test(name)) return `${out}[${quoted(name)}]`;
    return out ? `${out}.${name}` : name;
  }, '');
}

/**
 * Zod's issues as plan issues: union failures resolved to the branch that explains them, each
 * unknown field reported at its own path, a value of the wrong type reported once, as the wrong
 * type (Zod 4 still runs an array's `max()` on a string, which would add a confusing second
 * message), and no message twice at one path (a huge whole number fails Zod's own range and
 * ours, both saying what `wholeNumber` allows). Parse with `reportInput: true`, so a wrong value
 * can be told from a missing one.
 */
export function zodIssues(error: z.ZodError): PlanIssue[] {
  const issues = error.issues.flatMap((issue) => flatten(issue, []));
  const wrongType = new Set(issues.filter((i) => i.wrongType).map((i) => i.path));
  const seen = new Set<string>();
  return issues
    .filter((i) => i.wrongType || !wrongType.has(i.path))
    .filter(({ path, message }) => {
      const key = JSON.stringify([path, message]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(({ path, message }) => ({ path, message }));
}

type FlatIssue = PlanIssue & { wrongType: boolean };

function flatten(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): FlatIssue[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    return mostSpecificBranch(issue.errors).flatMap((inner) => flatten(inner, path));
  }
  if (issue.code === 'unrecognized_keys') {
    // `fields` says which fields the object takes; Zod's own message names the keys instead.
    const message = issue.message.startsWith('Unrecognized key') ? 'unknown field' : issue.message;
    return issue.keys.map((key) => ({ path: formatPath([...path, key]), message, wrongType: false }));
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
  return issue.message;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'nothing (null)';
  if (typeof value === 'string') return `the text ${quoted(value)}`;
  if (typeof value === 'object') return 'a set of fields';
  return `${typeof value} ${String(value)}`;
}
