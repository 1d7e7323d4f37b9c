import { relative } from 'node:path';

/** Where the user ran the command: npm runs scripts from the project root but keeps this. */
export const USER_CWD = process.env.INIT_CWD ?? process.cwd();

/** A path as the user would type it from where they ran the command. */
export function fromUser(path: string): string {
  return relative(USER_CWD, path) || path;
}
