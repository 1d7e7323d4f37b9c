// @ts-check
/**
 * Validates a state machine definition file with asl-validator, as Step Functions does when a
 * state machine is created, on a worker thread of the emulator process (local/emulator-host.mjs):
 * posts `{ isValid, errors }` to the parent thread.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import validateDefinition from 'asl-validator';

const { definitionPath } = /** @type {{ definitionPath: string }} */ (workerData);
const result = validateDefinition(JSON.parse(readFileSync(definitionPath, 'utf8')), {
  checkPaths: true,
  checkArn: true,
});
parentPort?.postMessage({
  isValid: result.isValid,
  errors: result.isValid ? undefined : result.errorsText('\n'),
});
