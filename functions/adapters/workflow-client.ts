import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { callAws } from './aws-errors.ts';

/**
 * Starts the onboarding workflow. The execution is named by the onboarding id, so Step Functions
 * itself refuses a second execution of the same onboarding.
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

  executionArn(onboardingId: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${onboardingId}`;
  }
}
