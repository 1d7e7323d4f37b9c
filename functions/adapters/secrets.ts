import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readString } from './config.ts';

/**
 * How long a secret read from Secrets Manager is reused before it is read again: a warm function
 * does not pay a call per request, and a rotated value is picked up within this time.
 */
const CACHE_SECONDS = 300;

/**
 * One secret of Secrets Manager, named by the ARN in an environment variable (the template and the
 * environment carry only ARNs, never a value). Read through Powertools' SecretsProvider, which
 * caches the value for the warm function.
 */
export class Secret {
  constructor(
    private readonly provider: SecretsProvider,
    private readonly secretArn: string,
    /** What the secret is for, for the error when it is missing or empty. */
    private readonly purpose: string,
  ) {}

  async value(): Promise<string> {
    const value = await this.provider.get(this.secretArn, { maxAge: CACHE_SECONDS });
    if (typeof value !== 'string' || value.length === 0)
      throw new Error(`The ${this.purpose} secret (${this.secretArn}) has no string value`);
    return value;
  }
}

let provider: SecretsProvider | undefined;

/** The secret whose ARN is in `variable` (WEBHOOK_SECRET_ARN, LINK_SECRET_ARN); fails at cold start without it. */
export function secretFromEnvironment(env: NodeJS.ProcessEnv, variable: string, purpose: string): Secret {
  // One client for every secret of the function; built on first use, after the environment is read.
  provider ??= new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
  return new Secret(provider, readString(env, variable), purpose);
}
