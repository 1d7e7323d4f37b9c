import { readFileSync } from 'node:fs';
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { z } from 'zod';
import { fromRoot } from '../paths.ts';
import { OnrampFunction } from './onramp-function.ts';

/** The ASL file and the manifest naming the function behind each of its `${Placeholder}`s. */
export const aslFile = 'statemachines/onboarding.asl.json';
export const manifestFile = 'statemachines/onboarding.functions.json';

const manifestSchema = z.object({
  functions: z.array(
    z.object({
      placeholder: z.string().regex(/^\w+$/),
      handler: z.string().regex(/^[\w-]+$/),
      needs: z.array(z.enum(['table', 'mail', 'operator'])),
    }),
  ),
});

export type FunctionManifest = z.infer<typeof manifestSchema>;

/** Reads the manifest the local runtime also reads, so both wire the same handlers to the ASL. */
export function readFunctionManifest(): FunctionManifest {
  return manifestSchema.parse(JSON.parse(readFileSync(fromRoot(manifestFile), 'utf8')));
}

export interface WorkflowProps {
  table: Table;
  mail: { identity: IEmailIdentity; senderEmail: string };
  /** Told of every failed onboarding, by the MarkFailed function. */
  operatorEmail: string;
  logRetention: RetentionDays;
}

/** The onboarding state machine, loaded from the ASL file, and one function per Task. */
export class Workflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: OnrampFunction[] = [];

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const substitutions: Record<string, string> = {};

    for (const { placeholder, handler, needs } of readFunctionManifest().functions) {
      const fn = new OnrampFunction(this, placeholder.replace(/FunctionArn$/, ''), {
        entry: `functions/handlers/${handler}.ts`,
        logRetention: props.logRetention,
      });
      if (needs.includes('table')) fn.bindTable(props.table);
      if (needs.includes('mail')) fn.bindMail(props.mail.identity, props.mail.senderEmail);
      if (needs.includes('operator')) fn.bindOperator(props.operatorEmail);
      this.functions.push(fn);
      substitutions[placeholder] = fn.functionArn;
    }

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(fromRoot(aslFile)),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'Logs', {
          // The vendedlogs prefix spares the account-wide CloudWatch Logs resource policy (and its size limit).
          logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-onboarding`,
          retention: props.logRetention,
          // Named, so a copy retained after `cdk destroy` would block deploying the stack again.
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        // ALL records every state transition (cdk-nag SF1); without execution data, so no plan
        // content or addresses reach the logs.
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    // The ASL calls each function by its unqualified ARN: no versions or aliases to allow.
    for (const fn of this.functions) fn.grantInvokeLatestVersion(this.stateMachine);

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the actions CDK adds for logging and tracing use Resource "*": CloudWatch Logs vended-log delivery (logs:*LogDelivery*, resource policies) and X-Ray support no resource-level permissions.',
    });
  }
}
