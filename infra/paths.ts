import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the stack reads handlers, the ASL and its manifest from here, whatever the cwd. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** A path inside the repository, from its root. */
export const fromRoot = (...segments: string[]): string => join(repoRoot, ...segments);
