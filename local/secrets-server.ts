import { randomBytes } from 'node:crypto';
import { serveJsonProtocol } from './aws-json-server.ts';
import type { Emulator } from './emulators.ts';

/** The secrets the deployed stack creates in Secrets Manager, and their values on this machine. */
export interface LocalSecrets {
  /** The Standard Webhooks signing secret integrations sign requests with (`whsec_…`). */
  webhook: string;
  /** The key link tokens in emails are signed with. */
  link: string;
}

export const LOCAL_SECRET_ARNS = {
  webhook: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:onramp-local-webhook',
  link: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:onramp-local-link',
} as const satisfies Record<keyof LocalSecrets, string>;

/** Fresh random secrets, as the stack's generated ones are. */
export function generateLocalSecrets(): LocalSecrets {
  return {
    webhook: `whsec_${randomBytes(24).toString('base64')}`,
    link: randomBytes(32).toString('base64url'),
  };
}

/**
 * Secrets Manager's GetSecretValue on a loopback port, so the handlers read their secrets through
 * the real SDK client and Powertools' SecretsProvider, as on AWS (AWS_ENDPOINT_URL_SECRETS_MANAGER).
 * Hand-written because no Secrets Manager emulator runs without Docker or Java, and onramp needs
 * this one read-only operation.
 */
export function startSecretsManager(secrets: LocalSecrets): Promise<Emulator> {
  const byArn = new Map(
    (Object.keys(LOCAL_SECRET_ARNS) as Array<keyof LocalSecrets>).map((key) => [
      LOCAL_SECRET_ARNS[key] as string,
      secrets[key],
    ]),
  );
  return serveJsonProtocol('secretsmanager', '1.1', {
    GetSecretValue: (body) => {
      const arn = String(body.SecretId);
      const value = byArn.get(arn);
      if (value === undefined) {
        throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
          name: 'ResourceNotFoundException',
        });
      }
      return {
        ARN: arn,
        Name: arn.split(':').at(-1),
        SecretString: value,
        VersionId: '00000000-0000-0000-0000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 0,
      };
    },
  });
}
