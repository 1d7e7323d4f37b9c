import 'aws-sdk-client-mock-vitest/extend';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
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
