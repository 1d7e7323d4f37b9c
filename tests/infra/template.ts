import type { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { expect } from 'vitest';
import { createApp } from '#infra/app';

/** Shapes of the synthesized template the infra tests read. */
export type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
export type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** The resources of one type, as [logical id, resource]. */
export const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

/** The one item of a list, failing the test when there are none or several. */
export const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0]!;
};

const isEqual = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every statement of the IAM policies attached to a function's role. */
export const roleStatements = (template: Template, fn: Resource): Statement[] => {
  const [roleId] = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'];
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as unknown[]).some((r) => isEqual(r, { Ref: roleId })))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
};

/** The actions of `service` (`dynamodb`, `states`…) the statements allow or deny. */
export const actionsOf = (statements: Statement[], service: string): string[] =>
  statements.flatMap((s) => [s.Action].flat()).filter((action) => action.startsWith(`${service}:`));

/** The statements that name at least one action of `service`. */
export const statementsFor = (statements: Statement[], service: string): Statement[] =>
  statements.filter((s) => actionsOf([s], service).length > 0);

/** A function's environment variables, NODE_OPTIONS included. */
export const environmentOf = (fn: Resource): Record<string, unknown> =>
  (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

/** The logical id of the CloudFormation resource behind the construct at `path` below the stack. */
export const logicalIdAt = (stack: Stack, ...path: string[]): string => {
  const construct = path.reduce<IConstruct>((parent, id) => parent.node.findChild(id), stack);
  return stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
};

/** A Step Functions ARN the stack builds from names (`stateMachine:<name>`), as the template has it. */
export const statesArn = (resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':states:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});

/** The deployed app synthesized with `context`: its stack, cloud assembly and template. */
export interface Synthesized {
  app: App;
  stack: Stack;
  assemblyDir: string;
  template: Template;
}

/**
 * Synthesizes the app as `cdk deploy` would, cdk-nag included, so an unacknowledged finding makes
 * this throw with cdk-nag's report. Bundling runs esbuild once per function: call it once per file.
 */
export function synthesize(context: Record<string, unknown>): Synthesized {
  const app = createApp({ context });
  const stack = app.node.findChild('Onramp') as Stack;
  const assemblyDir = app.synth().directory;
  return { app, stack, assemblyDir, template: Template.fromStack(stack) };
}
