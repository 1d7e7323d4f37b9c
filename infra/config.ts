import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { parseAllowList } from '#core/inbound-senders';

/** What a deployment needs to know that the code cannot: who sends, who hears about failures. */
export interface DeployConfig {
  /** The SES identity every email is sent from; SES verifies it after the first deploy. */
  senderEmail: string;
  /** Where failure notices go when there is no owner to tell. */
  operatorEmail: string;
  /** How long function, workflow and API access logs are kept. */
  logRetentionDays: RetentionDays;
  /** The HTTP API's steady-state limit, requests per second, across all routes. */
  apiRateLimit: number;
  /** The HTTP API's burst: how many requests above the rate it absorbs at once. */
  apiBurstLimit: number;
  /** Starting by email; absent unless `inboundAddress` is given (SES receives mail in some regions only). */
  inbound?: InboundConfig;
}

export interface InboundConfig {
  /** The address owners email plans to; its domain's MX record must point at SES. */
  address: string;
  /** Who may start an onboarding by email: addresses, or `@domain` for everyone at a domain. */
  allowedSenders: string[];
}

export const deployCommandExample =
  'npx cdk deploy -c senderEmail=onramp@example.com -c operatorEmail=ops@example.com';

const retentionValues = new Set(Object.values(RetentionDays).filter((v) => typeof v === 'number'));

const email = (key: string) =>
  z
    .string({ error: `${key} is required` })
    .trim()
    .pipe(z.email({ error: `${key} must be an email address` }));

/**
 * `allowedSenders` as given on the command line: comma-separated addresses (`owner@example.com`)
 * and whole domains (`@example.com`), read by the same parser as the inbound function reads its
 * variable, so what deploys is what the function accepts. Lower-cased, duplicates dropped.
 */
const senders = z
  .string({ error: 'allowedSenders must be a comma-separated list of addresses and @domains' })
  .transform((text, context) => {
    const parsed = parseAllowList(text);
    if (!parsed.ok) {
      for (const problem of parsed.problems)
        context.addIssue({ code: 'custom', message: `allowedSenders ${problem}` });
      return z.NEVER;
    }
    const { addresses, domains } = parsed.allowList;
    return [...addresses, ...[...domains].map((domain) => `@${domain}`)];
  });

// The caps are API Gateway's account-level defaults (10,000 requests per second, burst 5,000):
// a stage cannot go above them.
const rateLimit = z.coerce
  .number({ error: 'apiRateLimit must be a number of requests per second' })
  .positive({ error: 'apiRateLimit must be greater than 0' })
  .max(10_000, { error: 'apiRateLimit must be at most 10000' })
  .default(50);
const burstLimit = z.coerce
  .number({ error: 'apiBurstLimit must be a number of requests' })
  .int({ error: 'apiBurstLimit must be a whole number' })
  .positive({ error: 'apiBurstLimit must be greater than 0' })
  .max(5_000, { error: 'apiBurstLimit must be at most 5000' })
  .default(100);

const schema = z
  .object({
    senderEmail: email('senderEmail'),
    operatorEmail: email('operatorEmail'),
    // `-c logRetentionDays=90` arrives as a string, cdk.json may hold a number.
    logRetentionDays: z.coerce
      .number({ error: 'logRetentionDays must be a number of days' })
      .default(RetentionDays.ONE_MONTH)
      .refine((days) => retentionValues.has(days), {
        error: `logRetentionDays must be one of ${[...retentionValues].join(', ')}`,
      }),
    apiRateLimit: rateLimit,
    apiBurstLimit: burstLimit,
    inboundAddress: email('inboundAddress').optional(),
    allowedSenders: senders.optional(),
  })
  .transform(
    ({ inboundAddress, allowedSenders, ...config }): DeployConfig => ({
      ...config,
      logRetentionDays: config.logRetentionDays as RetentionDays,
      ...(inboundAddress && allowedSenders
        ? { inbound: { address: inboundAddress.toLowerCase(), allowedSenders } }
        : {}),
    }),
  );

/** Receiving needs both the address and who may send to it; either alone is a mistake. */
function inboundPairingIssues(raw: Record<string, unknown>): { path: string[]; message: string }[] {
  const given = (key: string) => raw[key] !== undefined;
  if (given('inboundAddress') && !given('allowedSenders')) {
    return [
      {
        path: ['allowedSenders'],
        message: 'allowedSenders is required with inboundAddress: who may start an onboarding by email',
      },
    ];
  }
  if (given('allowedSenders') && !given('inboundAddress')) {
    return [
      {
        path: ['inboundAddress'],
        message: 'inboundAddress is required with allowedSenders: the address plans are emailed to',
      },
    ];
  }
  return [];
}

/** A missing or malformed context value: the message says which and how to pass it. */
export class DeployConfigError extends Error {
  override name = 'DeployConfigError';
}

/**
 * Reads and validates the deploy configuration from CDK context. Throws one error listing every
 * missing or malformed key, with the command that passes them.
 */
export function readDeployConfig(getContext: (key: string) => unknown): DeployConfig {
  const keys = [
    'senderEmail',
    'operatorEmail',
    'logRetentionDays',
    'apiRateLimit',
    'apiBurstLimit',
    'inboundAddress',
    'allowedSenders',
  ] as const;
  const raw = Object.fromEntries(keys.map((key) => [key, getContext(key)]));
  const result = schema.safeParse(raw);
  const issues = [...(result.error?.issues ?? []), ...inboundPairingIssues(raw)];
  if (result.success && issues.length === 0) return result.data;

  const problems = issues.map((issue) => {
    const key = String(issue.path[0]);
    return `  - ${issue.message} (context key "${key}", got ${JSON.stringify(raw[key]) ?? 'nothing'})`;
  });
  throw new DeployConfigError(
    `Invalid deploy configuration:\n${problems.join('\n')}\nPass it as CDK context, for example:\n  ${deployCommandExample}\n(optional: -c logRetentionDays=90 -c apiRateLimit=50 -c apiBurstLimit=100\n  -c inboundAddress=plans@example.com -c allowedSenders=owner@example.com,@example.org)`,
  );
}
