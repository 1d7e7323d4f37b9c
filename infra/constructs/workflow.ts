import { readFileSync } from 'node:fs';
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { z } from 'zod';
import { fromRoot } from '../paths.ts';
import { type NeedResources, needSchema, OnrampFunction } from './onramp-function.ts';

/** The ASL file and the manifest naming the function behind each of its `${Placeholder}`s. */
export const aslFile = 'statemachines/onboarding.asl.json';
export const manifestFile = 'statemachines/onboarding.functions.json';

const manifestSchema = z.object({
  functions: z.array(
    z.object({
      placeholder: z.string().regex(/^\w+$/),
      handler: z.string().regex(/^[\w-]+$/),
      needs: z.array(needSchema),
    }),
  ),
});

export type FunctionManifest = z.infer<typeof manifestSchema>;

/** Reads the manifest the local runtime also reads, so both wire the same handlers to the ASL. */
export function readFunctionManifest(): FunctionManifest {
  return manifestSchema.parse(JSON.parse(readFileSync(fromRoot(manifestFile), 'utf8')));
}

export interface WorkflowProps {
  /** What the steps may need (the table, mail, secrets, the public URL…); the workflow adds itself. */
  resources: Omit<NeedResources, 'stateMachineName'>;
  logRetention: RetentionDays;
}

/** The onboarding state machine, loaded from the ASL file, and one function per Task. */
export class Workflow extends Construct {
  readonly stateMachine: StateMachine;
  /** `<stack name>-onboarding`: its ARNs can be built from it (`bindStartWorkflow`…). */
  readonly stateMachineName: string;
  readonly functions: OnrampFunction[] = [];

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const substitutions: Record<string, string> = {};

    // Named, so a step that needs the workflow (pausing, answering a task token) gets its ARN
    // built from the name: the state machine's own ARN would make the state machine depend on the
    // step's role policy and the policy on the state machine, a cycle CloudFormation refuses.
    const stateMachineName = `${Stack.of(this).stackName}-onboarding`;
    this.stateMachineName = stateMachineName;

    for (const { placeholder, handler, needs } of readFunctionManifest().functions) {
      const fn = new OnrampFunction(this, placeholder.replace(/FunctionArn$/, ''), {
        entry: `functions/handlers/${handler}.ts`,
        logRetention: props.logRetention,
      });
      fn.bindNeeds(needs, { ...props.resources, stateMachineName });
      this.functions.push(fn);
      substitutions[placeholder] = fn.functionArn;
    }

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(fromRoot(aslFile)),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'Logs', {
          // The vendedlogs prefix spares the account-wide CloudWatch Logs resource policy (and its size limit).
          logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
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
