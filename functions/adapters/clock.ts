import { AsyncLocalStorage } from 'node:async_hooks';

/** Where "now" comes from. Every timestamp the workflow writes or shows is read from a Clock. */
export interface Clock {
  now(): Date;
}

/**
 * A clock that can be moved forward: the local runtime gives each execution one, and jumps it to
 * the end of every Wait, so weeks pass in milliseconds and still produce the dates AWS would.
 */
export class VirtualClock implements Clock {
  #now: number;
  constructor(start: Date) {
    this.#now = start.getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  /** Moves to `instant` if it is later than now; time never runs backwards. */
  advanceTo(instant: Date): void {
    this.#now = Math.max(this.#now, instant.getTime());
  }
}

const executionClock = new AsyncLocalStorage<Clock>();

/** Runs `fn` with `clock` as the time source of every Clock read inside it. */
export function runWithClock<T>(clock: Clock, fn: () => T): T {
  return executionClock.run(clock, fn);
}

/**
 * The system clock, unless the code runs inside `runWithClock` (the local runtime's per-execution
 * virtual clock). On AWS nothing sets one, so this is plain `new Date()`.
 */
export const clock: Clock = {
  now: () => executionClock.getStore()?.now() ?? new Date(),
};
