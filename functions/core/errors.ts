/**
 * Named errors. A Lambda's thrown error name becomes the Step Functions error name, so the
 * state machine can Retry/Catch on it (`ErrorEquals: ["TransientError"]`), and the HTTP edge can
 * map it to a status code. Messages never carry plan text or addresses.
 */
export class OnrampError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One problem found in a plan: where, and what is wrong or allowed. */
export interface PlanIssue {
  /** Dotted path into the plan, e.g. `tasks[3].dependsOn[0]`; empty for the plan as a whole. */
  path: string;
  message: string;
  /** On the last entry of a list cut short ("…and 4900 more problems"): how many it stands for. */
  more?: number;
}

/** How many problems a list names, counting those a list cut short stands for. */
export function problemCount(issues: readonly PlanIssue[]): number {
  return issues.reduce((count, issue) => count + (issue.more ?? 1), 0);
}

export class PlanInvalid extends OnrampError {
  constructor(readonly issues: PlanIssue[]) {
    const count = problemCount(issues);
    super(`The plan has ${count} problem${count === 1 ? '' : 's'}`);
  }
}

export class OnboardingNotFound extends OnrampError {
  constructor(readonly onboardingId: string) {
    super(`No onboarding with id "${onboardingId}"`);
  }
}

/**
 * The request conflicts with the onboarding as it is: the same id started again with a different
 * plan, or a pause, resume or cancel its status does not allow (the message says which).
 */
export class OnboardingConflict extends OnrampError {
  constructor(
    readonly onboardingId: string,
    message = `Onboarding "${onboardingId}" already exists with a different plan`,
  ) {
    super(message);
  }
}

/** A dependency failed in a way worth retrying (throttling, a 5xx, a dropped connection). */
export class TransientError extends OnrampError {}

/** A piece of feedback that cannot be recorded: what is wrong with it, field by field. */
export class FeedbackInvalid extends OnrampError {
  constructor(readonly issues: PlanIssue[]) {
    super(`The feedback has ${issues.length} problem${issues.length === 1 ? '' : 's'}`);
  }
}
