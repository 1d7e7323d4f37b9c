import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The address plans are emailed to on this machine, and the domain of the check-ins' reply addresses. */
export const LOCAL_INBOUND_ADDRESS = 'plans@onramp.local';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));

/**
 * The allow-list of the local runtime: INBOUND_ALLOWED_SENDERS if set in the shell, else the
 * owners of the example plans, so that their plans can be emailed as they are.
 */
export function localAllowedSenders(env: NodeJS.ProcessEnv = process.env): string {
  if (env.INBOUND_ALLOWED_SENDERS?.trim()) return env.INBOUND_ALLOWED_SENDERS;
  const owners = readdirSync(EXAMPLES)
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => parseYaml(readFileSync(join(EXAMPLES, file), 'utf8')) as { owner?: { email?: string } })
    .flatMap((plan) => (plan.owner?.email ? [plan.owner.email] : []));
  return owners.join(',');
}

/** Sets the inbound function's configuration on the local runtime: the address and the allow-list. */
export function configureLocalInbound(): void {
  Object.assign(process.env, {
    INBOUND_ADDRESS: LOCAL_INBOUND_ADDRESS,
    INBOUND_ALLOWED_SENDERS: localAllowedSenders(),
  });
}
