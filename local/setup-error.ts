/**
 * A problem with what onramp keeps or is given on this machine (a file under .onramp, an option's
 * value): the CLI tells it in one line, without a stack, and exits 2.
 */
export class LocalSetupError extends Error {
  override name = 'LocalSetupError';
}
