import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { callAws } from './aws-errors.ts';

/**
 * Starts, stops and moves on the onboarding workflow. The execution is named by the onboarding
 * id, so Step Functions itself refuses a second execution of the same onboarding, and the
 * execution of an onboarding is found from its id alone.
 */
export class WorkflowClient {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  /**
   * Starts the execution. A repeated start while it runs (same name, same input) is a success, as
   * Step Functions answers it; once it has ended, the name is taken and `started` is false.
   */
  async start(onboardingId: string): Promise<{ started: boolean; executionArn: string }> {
    try {
      const { executionArn } = await callAws(() =>
        this.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: this.stateMachineArn,
            name: onboardingId,
            input: JSON.stringify({ onboardingId }),
          }),
        ),
      );
      return { started: true, executionArn: executionArn ?? '' };
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
      return { started: false, executionArn: this.executionArn(onboardingId) };
    }
  }

  /**
   * Stops the onboarding's execution (it ends ABORTED, which the failure alarms do not count).
   * An execution that never started is not an error: there is nothing to stop; one that has ended
   * already stays as it ended. The error and cause shown in the console carry no personal data.
   */
  async stop(onboardingId: string, reason: { error: string; cause: string }): Promise<{ stopped: boolean }> {
    try {
      await callAws(() =>
        this.sfn.send(new StopExecutionCommand({ executionArn: this.executionArn(onboardingId), ...reason })),
      );
      return { stopped: true };
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
      return { stopped: false };
    }
  }

  /**
   * Hands a task token back to the waiting workflow, which goes on with `output` as the task's
   * result. False when the task is closed already (answered, timed out, or its execution stopped):
   * nothing is waiting on it any more, which for a callback repeated after a retry is the goal.
   */
  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<boolean> {
    try {
      await callAws(() =>
        this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
      );
      return true;
    } catch (error) {
      if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist) return false;
      throw error;
    }
  }

  executionArn(onboardingId: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${onboardingId}`;
  }
}
