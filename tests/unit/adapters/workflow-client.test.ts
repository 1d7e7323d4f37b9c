import 'aws-sdk-client-mock-vitest/extend';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { WorkflowClient } from '#adapters/workflow-client';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:onramp-onboarding';
const ID = 'bookkeeping-handover-to-ledgerly-2026-12-07';

const sfn = mockClient(SFNClient);
const workflow = new WorkflowClient(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE);

beforeEach(() => {
  sfn.reset();
});

describe('WorkflowClient.start', () => {
  it('starts an execution named by the onboarding id whose input is the id alone', async () => {
    // Prepare
    const executionArn = `arn:aws:states:us-east-1:123456789012:execution:onramp-onboarding:${ID}`;
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });

    // Act
    const result = await workflow.start(ID);

    // Assess
    expect(result).toEqual({ started: true, executionArn });
    expect(sfn).toReceiveCommandExactlyOnceWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE,
      name: ID,
      input: JSON.stringify({ onboardingId: ID }),
    });
  });

  it('reports not started, with the execution ARN derived from the state machine, when it exists', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: `Execution Already Exists: '${ID}'`, $metadata: {} }));

    // Act
    const result = await workflow.start(ID);

    // Assess
    expect(result).toEqual({
      started: false,
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:onramp-onboarding:${ID}`,
    });
  });
});

describe('WorkflowClient.stop', () => {
  const executionArn = `arn:aws:states:us-east-1:123456789012:execution:onramp-onboarding:${ID}`;
  const reason = { error: 'OnboardingCancelled', cause: 'The onboarding was cancelled.' };

  it('stops the execution named by the onboarding id, with the error and cause given', async () => {
    // Prepare
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });

    // Act
    const result = await workflow.stop(ID, reason);

    // Assess
    expect(result).toEqual({ stopped: true });
    expect(sfn).toReceiveCommandExactlyOnceWith(StopExecutionCommand, { executionArn, ...reason });
  });

  it('reports nothing stopped when the execution never started', async () => {
    // Prepare
    sfn.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));

    // Act
    const result = await workflow.stop(ID, reason);

    // Assess
    expect(result).toEqual({ stopped: false });
  });

  it('turns throttling into TransientError, for the caller to retry', async () => {
    // Prepare
    sfn
      .on(StopExecutionCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    // Act, Assess
    await expect(workflow.stop(ID, reason)).rejects.toMatchObject({ name: 'TransientError' });
  });
});

describe('WorkflowClient.sendTaskSuccess', () => {
  const taskToken = 'AQCEAAAAKgAAAAMAAAAAAAAAAd-token';

  it('sends the token back with the output as JSON', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const delivered = await workflow.sendTaskSuccess(taskToken, { resumed: true });

    // Assess
    expect(delivered).toBe(true);
    expect(sfn).toReceiveCommandExactlyOnceWith(SendTaskSuccessCommand, {
      taskToken,
      output: '{"resumed":true}',
    });
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'closed', $metadata: {} })],
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'gone', $metadata: {} })],
  ])('reports not delivered when the task is closed already (%s)', async (_, error) => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(error);

    // Act
    const delivered = await workflow.sendTaskSuccess(taskToken, {});

    // Assess
    expect(delivered).toBe(false);
  });

  it('lets a malformed token fail loudly: it is a bug, not a closed task', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(new InvalidToken({ message: 'Invalid Token', $metadata: {} }));

    // Act, Assess
    await expect(workflow.sendTaskSuccess('garbage', {})).rejects.toBeInstanceOf(InvalidToken);
  });
});
