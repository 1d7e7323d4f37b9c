import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config.ts';
import { Mail } from './constructs/mail.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Storage } from './constructs/storage.ts';
import { Workflow } from './constructs/workflow.ts';

export interface OnrampStackProps extends StackProps {
  config: DeployConfig;
}

/** Everything onramp runs on in AWS: the table, the sender identity, the workflow and its alarms. */
export class OnrampStack extends Stack {
  constructor(scope: Construct, id: string, { config, ...props }: OnrampStackProps) {
    super(scope, id, props);
    const { table } = new Storage(this, 'Storage');
    const { identity } = new Mail(this, 'Mail', { senderEmail: config.senderEmail });
    const workflow = new Workflow(this, 'Workflow', {
      table,
      mail: { identity, senderEmail: config.senderEmail },
      operatorEmail: config.operatorEmail,
      logRetention: config.logRetentionDays,
    });
    new Monitoring(this, 'Monitoring', {
      stateMachine: workflow.stateMachine,
      functions: workflow.functions,
      operatorEmail: config.operatorEmail,
    });

    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
  }
}
