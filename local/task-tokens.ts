import { randomUUID } from 'node:crypto';
import type { VirtualClock } from '#adapters/clock';

/**
 * The task tokens of local executions: what Step Functions does for a `.waitForTaskToken` Task,
 * which the interpreter does not. Each waiting Task is parked under a fresh token; the token
 * answers SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat, with the errors AWS gives.
 * Time passes for a parked execution only when told (`advance`), on its own virtual clock, so a
 * Task's TimeoutSeconds and HeartbeatSeconds are measured in the execution's time, as on AWS.
 */

const TOKEN_PREFIX = 'local-task-token:';

/** A token that was never issued. */
export class TaskDoesNotExist extends Error {
  override name = 'TaskDoesNotExist';
}

/** Not a token at all. */
export class InvalidToken extends Error {
  override name = 'InvalidToken';
}

/** AWS's answer for a token whose task is closed: answered, timed out, or its execution stopped. */
export class TaskTimedOut extends Error {
  override name = 'TaskTimedOut';
}

/** A Task waiting for its token, as tests and simulations see it. */
export interface ParkedTask {
  token: string;
  executionName: string;
  stateName: string;
  /** The execution's time when the Task started waiting. */
  parkedAt: Date;
  /** When TimeoutSeconds runs out, if the Task has one. */
  timeoutAt?: Date;
  /** When HeartbeatSeconds runs out without a heartbeat, if the Task has one. */
  heartbeatDueAt?: Date;
}

interface OpenTask extends ParkedTask {
  /** Its handler has run: nothing but an answer to the token (or time) moves it on now. */
  waiting: boolean;
  clock: VirtualClock;
  heartbeatSeconds?: number;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

/** A failure the interpreter neither retries nor catches: the execution is over already. */
function closedByStop(): Error {
  return Object.assign(new Error('The execution was stopped'), {
    name: 'ExecutionAborted',
    isRetryable: false,
    isCatchable: false,
  });
}

export class TaskTokens {
  private readonly open = new Map<string, OpenTask>();
  private readonly closed = new Set<string>();

  /** Parks a Task under a fresh token; `result` settles when the token is answered. */
  issue(task: {
    executionName: string;
    stateName: string;
    clock: VirtualClock;
    timeoutSeconds?: number;
    heartbeatSeconds?: number;
  }): { token: string; result: Promise<unknown> } {
    const token = `${TOKEN_PREFIX}${randomUUID()}`;
    let resolve!: (output: unknown) => void;
    let reject!: (error: Error) => void;
    const result = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // The interpreter awaits `result`, except when the Task failed before waiting: then nobody
    // does, and a later rejection (a stop) must not surface as an unhandled one.
    result.catch(() => undefined);
    const now = task.clock.now().getTime();
    const after = (seconds: number | undefined) =>
      seconds === undefined ? undefined : new Date(now + seconds * 1000);
    this.open.set(token, {
      token,
      executionName: task.executionName,
      stateName: task.stateName,
      parkedAt: new Date(now),
      timeoutAt: after(task.timeoutSeconds),
      heartbeatDueAt: after(task.heartbeatSeconds),
      waiting: false,
      clock: task.clock,
      heartbeatSeconds: task.heartbeatSeconds,
      resolve,
      reject,
    });
    return { token, result };
  }

  /** SendTaskSuccess: the Task succeeds with `output`. */
  succeed(token: string, output: unknown): void {
    this.close(token).resolve(output);
  }

  /** SendTaskFailure, or the Task's own failure: it fails with `error` (Retry and Catch match its name). */
  fail(token: string, error: Error): void {
    this.close(token).reject(error);
  }

  /** SendTaskHeartbeat: the heartbeat limit counts again from now. */
  heartbeat(token: string): void {
    const task = this.find(token);
    if (task.heartbeatSeconds !== undefined) {
      task.heartbeatDueAt = new Date(task.clock.now().getTime() + task.heartbeatSeconds * 1000);
    }
  }

  /** Whether the token's Task is still open (not answered, timed out or stopped). */
  isOpen(token: string): boolean {
    return this.open.has(token);
  }

  /** The Task's handler has run and kept its token: from now on it only waits. */
  markWaiting(token: string): void {
    const task = this.open.get(token);
    if (task) task.waiting = true;
  }

  /** The Tasks waiting for their token now (their handler has run), of one execution or of all. */
  parked(executionName?: string): ParkedTask[] {
    return this.waiting(executionName).map(
      ({ token, executionName, stateName, parkedAt, timeoutAt, heartbeatDueAt }) => ({
        token,
        executionName,
        stateName,
        parkedAt,
        ...(timeoutAt ? { timeoutAt } : {}),
        ...(heartbeatDueAt ? { heartbeatDueAt } : {}),
      }),
    );
  }

  /**
   * Lets time pass for a parked execution, up to `until`. If its Task's timeout or heartbeat limit
   * comes first, the clock stops there and the Task fails with States.Timeout or
   * States.HeartbeatTimeout, as on AWS; call again for the rest of the time.
   */
  advance(executionName: string, until: Date): 'timed-out' | 'waiting' {
    const [task] = this.waiting(executionName);
    if (!task) throw new Error(`Execution ${executionName} is not waiting for a task token`);
    const limits = [
      { at: task.timeoutAt, error: 'States.Timeout' },
      { at: task.heartbeatDueAt, error: 'States.HeartbeatTimeout' },
    ].filter((l): l is { at: Date; error: string } => l.at !== undefined && l.at <= until);
    const first = limits.sort((a, b) => a.at.getTime() - b.at.getTime())[0];
    if (!first) {
      task.clock.advanceTo(until);
      return 'waiting';
    }
    task.clock.advanceTo(first.at);
    this.fail(
      task.token,
      Object.assign(new Error(`${task.stateName} waited past its limit`), { name: first.error }),
    );
    return 'timed-out';
  }

  /** The execution stopped: its waiting Tasks end, and their tokens answer TaskTimedOut from now on. */
  closeExecution(executionName: string): void {
    for (const task of [...this.open.values()]) {
      if (task.executionName === executionName) this.fail(task.token, closedByStop());
    }
  }

  private waiting(executionName: string | undefined): OpenTask[] {
    return [...this.open.values()].filter(
      (t) => t.waiting && (executionName === undefined || t.executionName === executionName),
    );
  }

  private close(token: string): OpenTask {
    const task = this.find(token);
    this.open.delete(token);
    this.closed.add(token);
    return task;
  }

  private find(token: string): OpenTask {
    const task = this.open.get(token);
    if (task) return task;
    if (!token.startsWith(TOKEN_PREFIX)) throw new InvalidToken('Invalid Token');
    if (this.closed.has(token)) {
      throw new TaskTimedOut('Task Timed Out: the task is closed (answered, timed out or stopped)');
    }
    throw new TaskDoesNotExist('Task does not exist');
  }
}
