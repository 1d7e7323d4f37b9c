import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

/** What a deployment needs to know that the code cannot: who sends, who hears about failures. */
export interface DeployConfig {
  /** The SES identity every email is sent from; SES verifies it after the first deploy. */
  senderEmail: string;
  /** Where failure notices go when there is no owner to tell. */
  operatorEmail: string;
  /** How long function and workflow logs are kept. */
  logRetentionDays: RetentionDays;
}

export const deployCommandExample =
  'npx cdk deploy -c senderEmail=onramp@example.com -c operatorEmail=ops@example.com';

const retentionValues = new Set(Object.values(RetentionDays).filter((v) => typeof v === 'number'));

const email = (key: string) =>
  z
    .string({ error: `${key} is required` })
    .trim()
    .pipe(z.email({ error: `${key} must be an email address` }));

const schema = z.object({
  senderEmail: email('senderEmail'),
  operatorEmail: email('operatorEmail'),
  // `-c logRetentionDays=90` arrives as a string, cdk.json may hold a number.
  logRetentionDays: z.coerce
    .number({ error: 'logRetentionDays must be a number of days' })
    .default(RetentionDays.ONE_MONTH)
    .refine((days) => retentionValues.has(days), {
      error: `logRetentionDays must be one of ${[...retentionValues].join(', ')}`,
    }),
});

/** A missing or malformed context value: the message says which and how to pass it. */
export class DeployConfigError extends Error {
  override name = 'DeployConfigError';
}

/**
 * Reads and validates the deploy configuration from CDK context. Throws one error listing every
 * missing or malformed key, with the command that passes them.
 */
export function readDeployConfig(getContext: (key: string) => unknown): DeployConfig {
  const keys = ['senderEmail', 'operatorEmail', 'logRetentionDays'] as const;
  const raw = Object.fromEntries(keys.map((key) => [key, getContext(key)]));
  const result = schema.safeParse(raw);
  if (result.success) return result.data as DeployConfig;

  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    return `  - ${issue.message} (context key "${key}", got ${JSON.stringify(raw[key]) ?? 'nothing'})`;
  });
  throw new DeployConfigError(
    `Invalid deploy configuration:\n${problems.join('\n')}\nPass it as CDK context, for example:\n  ${deployCommandExample}\n(optional: -c logRetentionDays=90)`,
  );
}
