/**
 * Configuration from the environment, read once at cold start. A missing or malformed variable
 * fails the cold start with its name, not a later request with an undefined.
 */
export function readString(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`Environment variable ${name} is required but not set`);
  return value;
}

export function readEmail(env: NodeJS.ProcessEnv, name: string): string {
  const value = readString(env, name);
  // The sender and operator addresses come from validated deploy configuration; this only guards
  // against a hand-edited environment, so a plain shape check is enough here.
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new Error(`Environment variable ${name} must be an email address, got "${value}"`);
  }
  return value;
}
