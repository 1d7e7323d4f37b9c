import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableRequest } from '#adapters/table-definition';
import { createApp } from '#infra/app';
import { aslFile, readFunctionManifest } from '#infra/constructs/workflow';
import { fromRoot } from '#infra/paths';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const context = { senderEmail: 'onramp@example.com', operatorEmail: 'ops@example.com' };
const asl = readFileSync(fromRoot(aslFile), 'utf8');
const aslPlaceholders = [...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
const manifest = readFunctionManifest().functions;

let app: App;
let stack: Stack;
let assemblyDir: string;
let template: Template;
const resources = (type: string) => Object.entries(template.findResources(type) as Record<string, Resource>);
const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0]!;
};

// Synthesizing bundles seven functions with esbuild: once per file. The app is the deployed one,
// cdk-nag included, so an unacknowledged finding makes this throw with cdk-nag's report.
beforeAll(() => {
  app = createApp({ context });
  stack = app.node.findChild('Onramp') as Stack;
  assemblyDir = app.synth().directory;
  template = Template.fromStack(stack);
});

describe('workflow', () => {
  it('lists in the manifest exactly the placeholders of the ASL', () => {
    expect(manifest.map((f) => f.placeholder).sort()).toEqual([...new Set(aslPlaceholders)].sort());
  });

  it("substitutes every ASL placeholder with the ARN of one of the stack's functions", () => {
    const [, machine] = only(resources('AWS::StepFunctions::StateMachine'));
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, unknown>;
    const functions = template.findResources('AWS::Lambda::Function');

    for (const placeholder of aslPlaceholders) {
      const value = substitutions[placeholder as string] as { 'Fn::GetAtt': [string, string] };
      expect(value, placeholder).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      expect(functions[value['Fn::GetAtt'][0]], placeholder).toBeDefined();
    }
  });

  it('gives each function the variables its manifest entry needs', () => {
    const [, machine] = only(resources('AWS::StepFunctions::StateMachine'));
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<
      string,
      { 'Fn::GetAtt': [string] }
    >;
    const [tableId] = only(resources('AWS::DynamoDB::Table'));

    for (const { placeholder, needs } of manifest) {
      const fn = template.toJSON().Resources[substitutions[placeholder]!['Fn::GetAtt'][0]] as Resource;
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.TABLE_NAME, placeholder).toEqual(
        needs.includes('table') ? { Ref: tableId } : undefined,
      );
      const mail = needs.includes('mail') ? context : { senderEmail: undefined, operatorEmail: undefined };
      expect(variables.SENDER_EMAIL, placeholder).toEqual(mail.senderEmail);
      expect(variables.OPERATOR_EMAIL, placeholder).toEqual(mail.operatorEmail);
    }
  });

  it('is a Standard state machine, traced, logging every event without execution data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });
});

describe('table', () => {
  it('has the keys and indexes the local emulator creates its table with', () => {
    const expected = createTableRequest('unused');
    const [, table] = only(resources('AWS::DynamoDB::Table'));
    const byName = (a: { AttributeName: string }, b: { AttributeName: string }) =>
      a.AttributeName.localeCompare(b.AttributeName);

    expect(table.Properties.KeySchema).toEqual(expected.KeySchema);
    expect(
      (table.Properties.AttributeDefinitions as typeof expected.AttributeDefinitions).sort(byName),
    ).toEqual(expected.AttributeDefinitions.sort(byName));
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(expected.GlobalSecondaryIndexes);
  });

  it('is billed on demand, recoverable to a point in time, and kept when the stack goes', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      }),
    });
  });
});

describe('functions', () => {
  it('run on Node.js 22 or newer, on arm64, traced by X-Ray', () => {
    const functions = resources('AWS::Lambda::Function');
    expect(functions).toHaveLength(manifest.length);
    for (const [id, fn] of functions) {
      const [, major] = /^nodejs(\d+)\.x$/.exec(String(fn.Properties.Runtime)) ?? [];
      expect(Number(major), id).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
  });

  it('log to their own log group with the default 30-day retention', () => {
    for (const [id, fn] of resources('AWS::Lambda::Function')) {
      const { LogGroup } = fn.Properties.LoggingConfig as { LogGroup: { Ref: string } };
      expect(template.toJSON().Resources[LogGroup.Ref].Properties.RetentionInDays, id).toBe(30);
    }
  });
});

describe('permissions', () => {
  const wildcardAllowed = new Set([
    // X-Ray: no resource-level permissions.
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
    // Step Functions logging through CloudWatch Logs vended-log delivery.
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ]);

  it('allows Resource "*" only for the acknowledged X-Ray and log-delivery actions', () => {
    const statements = resources('AWS::IAM::Policy').flatMap(
      ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    const onEverything = statements
      .filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*'))
      .flatMap((s) => [s.Action].flat());

    expect(onEverything.length).toBeGreaterThan(0);
    expect(onEverything.filter((action) => !wildcardAllowed.has(action))).toEqual([]);
  });

  it('attaches no AWS managed policy to any role', () => {
    for (const [id, role] of resources('AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});

describe('cdk-nag AWS Solutions checks', () => {
  it('report no violation from the synthesis that ran them', () => {
    const report = JSON.parse(readFileSync(join(assemblyDir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
    };
    const violations = report.pluginReports.flatMap((r) =>
      r.violations.map((v) => `${r.pluginName}: ${v.ruleName}`),
    );
    expect(violations).toEqual([]);
  });

  it('find nothing unacknowledged, warnings included', () => {
    const { violations } = new AwsSolutionsChecks().validateScope(app);
    expect(violations.map((v) => `${v.ruleName} at ${v.violatingResources[0]?.constructPath}`)).toEqual([]);
  });

  it('leave no error or warning annotation', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });
});
