// asl-validator 4 ships JavaScript only: `module.exports = function validator(definition, opts)`.
declare module 'asl-validator' {
  interface StateMachineError {
    'Error code': string;
    Message: string;
    Location?: string;
  }
  interface ValidationResult {
    isValid: boolean;
    errors: StateMachineError[];
    errorsText(separator?: string): string;
  }
  /** Passed as a whole: a partial object replaces the defaults (both true) rather than merging. */
  interface ValidatorOptions {
    checkPaths: boolean;
    checkArn: boolean;
  }
  function validator(definition: unknown, opts?: ValidatorOptions): ValidationResult;
  export = validator;
}
