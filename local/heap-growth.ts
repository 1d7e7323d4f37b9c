import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets a local process's heap grow past what it still held after its last full
 * collection: by half. Left to itself V8 lets it grow up to fourfold when a program allocates fast,
 * and both local processes do (every AWS call builds, signs and parses a request) while holding
 * little (about 50 MB each after a collection): their peaks reached 300 and 200 MB. This bounds
 * each peak by what is live instead, with no fixed ceiling that many onboardings in a long
 * `npm run serve` could hit. The price is more full collections; `npm run bench` measures both.
 */
export const HEAP_GROWTH_FLAG = '--heap-growing-percent=50';

/** Applies it to this process: V8 reads it after every full collection, so it holds from the next. */
export function limitHeapGrowth(): void {
  setFlagsFromString(HEAP_GROWTH_FLAG);
}
