import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableRequest, tableDefinition } from '#adapters/table-definition';
import { RESUME_CHECK_MIN_SECONDS } from '#core/onboarding-controls';
import { decisionTimeoutSeconds } from '#core/owner-decision';
import { aslFile, readFunctionManifest } from '#infra/constructs/workflow';
import { isRouted, readEdgeManifest } from '#infra/edge-manifest';
import { fromRoot } from '#infra/paths';
import { calledActions } from './handler-calls.ts';
import { variableOfNeed } from './needs.ts';
import {
  actionsOf,
  environmentOf,
  logicalIdAt,
  only,
  type Resource,
  resourcesOf,
  roleStatements as roleStatementsIn,
  type Statement,
  statesArn,
  synthesize,
} from './template.ts';

type TaskState = {
  Type: 'Task';
  Resource: string;
  Parameters?: { FunctionName?: string };
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Retry?: { ErrorEquals: string[] }[];
};

const context = { senderEmail: 'onramp@example.com', operatorEmail: 'ops@example.com' };
const asl = readFileSync(fromRoot(aslFile), 'utf8');
const aslPlaceholders = [...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
const manifest = readFunctionManifest().functions;
const routedEdge = readEdgeManifest().functions.filter(isRouted);

let app: App;
let stack: Stack;
let assemblyDir: string;
let template: Template;
const resources = (type: string) => resourcesOf(template, type);
const roleStatements = (fn: Resource) => roleStatementsIn(template, fn);

/** The logical id and resource of the function the ASL calls through a placeholder. */
const functionBehind = (placeholder: string): [string, Resource] => {
  const [, machine] = only(resources('AWS::StepFunctions::StateMachine'));
  const substitutions = machine.Properties.DefinitionSubstitutions as Record<
    string,
    { 'Fn::GetAtt': [string] }
  >;
  const id = substitutions[placeholder]!['Fn::GetAtt'][0];
  return [id, template.toJSON().Resources[id] as Resource];
};

/** The Task states of the ASL, by name. */
const taskStates = (): [string, TaskState][] => {
  const { States } = JSON.parse(asl) as { States: Record<string, { Type: string }> };
  return Object.entries(States).filter((entry): entry is [string, TaskState] => entry[1].Type === 'Task');
};
/** The function a Task calls: its Resource, or for the `lambda:invoke` integrations (`.waitForTaskToken`) its FunctionName. */
const placeholderOf = (task: TaskState) => {
  const target = task.Resource.startsWith('arn:aws:states:::lambda:invoke')
    ? String(task.Parameters?.FunctionName)
    : task.Resource;
  return /^\$\{(\w+)\}$/.exec(target)?.[1] ?? target;
};

// Synthesizing bundles every function with esbuild: once per file. The app is the deployed one,
// cdk-nag included, so an unacknowledged finding makes this throw with cdk-nag's report. About
// 30 s on an idle machine; minutes on a loaded one, hence the generous timeout.
beforeAll(() => {
  ({ app, stack, assemblyDir, template } = synthesize(context));
}, 600_000);

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

  it('gives each function exactly the variables its manifest entry needs, besides NODE_OPTIONS', () => {
    const [tableId] = only(resources('AWS::DynamoDB::Table'));
    const values: Record<string, unknown> = {
      TABLE_NAME: { Ref: tableId },
      SENDER_EMAIL: context.senderEmail,
      OPERATOR_EMAIL: context.operatorEmail,
      STATE_MACHINE_ARN: statesArn('stateMachine:Onramp-onboarding'),
      WEBHOOK_SECRET_ARN: { Ref: logicalIdAt(stack, 'Secrets', 'WebhookSecret') },
      LINK_SECRET_ARN: { Ref: logicalIdAt(stack, 'Secrets', 'LinkSecret') },
      PUBLIC_BASE_URL: { 'Fn::GetAtt': [logicalIdAt(stack, 'Api', 'HttpApi'), 'ApiEndpoint'] },
    };

    for (const { placeholder, needs } of manifest) {
      const [, fn] = functionBehind(placeholder);
      const expected = Object.fromEntries(
        needs.map((need) => [variableOfNeed[need], values[variableOfNeed[need]]]),
      );
      expect(environmentOf(fn), placeholder).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        ...expected,
      });
    }
  });

  it('gives the operator address to MarkFailed alone, and the sender address to AskOwner for its escalations', () => {
    const variablesOf = (placeholder: string) =>
      Object.keys((functionBehind(placeholder)[1].Properties.Environment as { Variables: object }).Variables);
    const withOperator = manifest.filter((f) => variablesOf(f.placeholder).includes('OPERATOR_EMAIL'));

    expect(withOperator.map((f) => f.placeholder)).toEqual(['MarkFailedFunctionArn']);
    expect(variablesOf('AskOwnerFunctionArn')).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'SENDER_EMAIL', 'LINK_SECRET_ARN', 'PUBLIC_BASE_URL']),
    );
  });

  it('lets exactly the functions that send mail send it, with ses:SendEmail alone, from the sender identity only', () => {
    const [identityId] = only(resources('AWS::SES::EmailIdentity'));

    for (const { placeholder, handler } of manifest) {
      const statements = roleStatements(functionBehind(placeholder)[1]);
      const sending = statements.filter((s) => actionsOf([s], 'ses').length > 0);
      expect([...new Set(actionsOf(sending, 'ses'))].sort(), placeholder).toEqual(
        calledActions(handler, 'ses'),
      );
      // arn:<partition>:ses:<region>:<account>:identity/<the sender identity>
      for (const statement of sending) {
        const resource = JSON.stringify(statement.Resource);
        expect(resource, placeholder).toContain(':identity/');
        expect(resource, placeholder).toContain(JSON.stringify({ Ref: identityId }));
      }
    }
  });

  it('lets each step do to the workflow exactly what its handler calls: answer a task token, at most', () => {
    const stateMachine = statesArn('stateMachine:Onramp-onboarding');
    const versionsAndAliases = statesArn('stateMachine:Onramp-onboarding:*');

    for (const { placeholder, handler } of manifest) {
      const states = roleStatements(functionBehind(placeholder)[1]).filter(
        (s) => actionsOf([s], 'states').length > 0,
      );
      const called = calledActions(handler, 'states');
      expect([...new Set(actionsOf(states, 'states'))].sort(), placeholder).toEqual(called);
      if (called.length > 0) {
        expect(
          states.flatMap((s) => [s.Resource].flat()),
          placeholder,
        ).toEqual([stateMachine, versionsAndAliases]);
      }
    }
    // ParkWhilePaused hands its token back when the onboarding is no longer paused; nothing more.
    expect(calledActions('park-while-paused', 'states')).toEqual(['states:SendTaskSuccess']);
  });

  it("gives every Task a timeout longer than its function's, so a Lambda timeout fails as the Lambda's own error", () => {
    const tasks = taskStates();
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, task] of tasks) {
      const [, fn] = functionBehind(placeholderOf(task));
      const lambdaTimeout = fn.Properties.Timeout as number;
      expect(lambdaTimeout, name).toBeGreaterThan(0);
      // The owner's decision waits as long as its step computed, never less than an hour; the wait
      // for a resume, until the pause's deadline or a week, never less than a minute.
      const shortestFromPath: Record<string, number> = {
        '$.askOwner.timeoutSeconds': decisionTimeoutSeconds(new Date(0).toISOString(), new Date()),
        '$.resumeCheckSeconds': RESUME_CHECK_MIN_SECONDS,
      };
      const timeout =
        task.TimeoutSecondsPath !== undefined
          ? shortestFromPath[task.TimeoutSecondsPath]
          : task.TimeoutSeconds;
      expect(timeout, name).toBeGreaterThan(lambdaTimeout);
    }
  });

  it('is a Standard state machine, traced, logging every event without execution data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      // The name the functions that need the workflow build its ARN from.
      StateMachineName: 'Onramp-onboarding',
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
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: tableDefinition.timeToLiveAttribute,
      Enabled: true,
    });
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

  it('cannot be deleted while deletion protection is on, by the stack or by hand', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  });

  it('projects into the byStatus index only the attributes the listing reads, never the plan', () => {
    const [, table] = only(resources('AWS::DynamoDB::Table'));
    const [index] = table.Properties.GlobalSecondaryIndexes as {
      IndexName: string;
      Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
    }[];
    expect(index).toMatchObject({
      IndexName: 'byStatus',
      Projection: {
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: [...tableDefinition.globalSecondaryIndexes[0].nonKeyAttributes],
      },
    });
    expect(index!.Projection.NonKeyAttributes).not.toContain('plan');
  });
});

describe('functions', () => {
  it('run on Node.js 22 or newer, on arm64, traced by X-Ray', () => {
    const functions = resources('AWS::Lambda::Function');
    // The workflow's and the HTTP API's; no mail-receiving function without an inbound address.
    expect(functions).toHaveLength(manifest.length + routedEdge.length);
    for (const [id, fn] of functions) {
      const [, major] = /^nodejs(\d+)\.x$/.exec(String(fn.Properties.Runtime)) ?? [];
      expect(Number(major), id).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
  });

  it('keep the error class names the ASL retries on through minification (TransientError in ReleaseBatch)', () => {
    const bundleOf = (fn: Resource) => {
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      return readFileSync(join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'), 'utf8');
    };
    // esbuild's keepNames keeps `__name(class, "TransientError")` beside the renamed class. (Not
    // `toContain` on the bundle: a failure would print a megabyte of minified code.)
    const namesIn = (bundle: string, errors: string[]) =>
      errors.filter((error) => bundle.includes(`"${error}"`));
    expect(namesIn(bundleOf(functionBehind('ReleaseBatchFunctionArn')[1]), ['TransientError'])).toEqual([
      'TransientError',
    ]);

    for (const [name, task] of taskStates()) {
      const ownErrors = [
        ...new Set(
          (task.Retry ?? [])
            .flatMap((r) => r.ErrorEquals)
            .filter((e) => !/^(States|Lambda|Sandbox)\./.test(e)),
        ),
      ];
      expect(namesIn(bundleOf(functionBehind(placeholderOf(task))[1]), ownErrors), name).toEqual(ownErrors);
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

  it('lets no function scan, read streams, or delete anything but idempotency records', () => {
    // BatchWriteItem deletes too (a DeleteRequest is not checked as DeleteItem): only the functions
    // that record sent emails through the outbox (OnboardingStore.recordSent) may call it.
    const outboxFunctions = new Set(
      manifest
        .filter((f) => calledActions(f.handler, 'dynamodb').includes('dynamodb:BatchWriteItem'))
        .map((f) => functionBehind(f.placeholder)[0]),
    );
    for (const entry of routedEdge.filter((f) =>
      calledActions(f.handler, 'dynamodb').includes('dynamodb:BatchWriteItem'),
    )) {
      outboxFunctions.add(logicalIdAt(stack, 'Api', entry.id));
    }
    expect(outboxFunctions.size).toBeGreaterThan(0);
    expect(outboxFunctions).not.toContain(functionBehind('AcceptFunctionArn')[0]);

    for (const [id, fn] of resources('AWS::Lambda::Function')) {
      const statements = roleStatements(fn).filter((s) => s.Effect === 'Allow');
      const dynamodb = statements.filter((s) => actionsOf([s], 'dynamodb').length > 0);
      expect(actionsOf(dynamodb, 'dynamodb'), id).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^dynamodb:(Scan|.*Stream.*|\*)$/)]),
      );
      for (const statement of dynamodb.filter((s) =>
        actionsOf([s], 'dynamodb').includes('dynamodb:DeleteItem'),
      )) {
        expect(statement, id).toMatchObject({
          Action: 'dynamodb:DeleteItem',
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['IDEMPOTENCY#*'] } },
        });
      }
      expect(actionsOf(dynamodb, 'dynamodb').includes('dynamodb:BatchWriteItem'), id).toBe(
        outboxFunctions.has(id),
      );
    }
  });

  it('lets only the functions that need statusIndex use an index: Query, on the byStatus index alone', () => {
    const [tableId] = only(resources('AWS::DynamoDB::Table'));
    const listing = new Set([
      ...manifest.filter((f) => f.needs.includes('statusIndex')).map((f) => functionBehind(f.placeholder)[0]),
      ...routedEdge
        .filter((f) => f.needs.includes('statusIndex'))
        .map((f) => logicalIdAt(stack, 'Api', f.id)),
    ]);
    // The integration API lists onboardings (GET /onboardings).
    expect(listing).toContain(logicalIdAt(stack, 'Api', 'IntegrationApi'));

    for (const [id, fn] of resources('AWS::Lambda::Function')) {
      const onIndexes = roleStatements(fn).filter((s) => JSON.stringify(s.Resource).includes('/index/'));
      expect(onIndexes, id).toEqual(
        listing.has(id)
          ? [
              expect.objectContaining({
                Effect: 'Allow',
                Action: 'dynamodb:Query',
                Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/byStatus']] },
              }),
            ]
          : [],
      );
    }
  });

  it('lets each function that needs the table do exactly the item operations the store uses, on the table', () => {
    const [tableId] = only(resources('AWS::DynamoDB::Table'));
    const storeActions = [
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ];

    for (const { placeholder, handler, needs } of manifest) {
      const dynamodb = roleStatements(functionBehind(placeholder)[1]).filter(
        (s) => actionsOf([s], 'dynamodb').length > 0,
      );
      const expected = [
        ...(needs.includes('table') || needs.includes('idempotency') ? storeActions : []),
        ...(needs.includes('idempotency') ? ['dynamodb:DeleteItem'] : []),
        ...calledActions(handler, 'dynamodb'),
      ];
      expect([...new Set(actionsOf(dynamodb, 'dynamodb'))].sort(), placeholder).toEqual(expected.sort());
      for (const statement of dynamodb) {
        expect(statement, placeholder).toMatchObject({
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
        });
      }
    }
  });

  it('attaches no AWS managed policy to any role', () => {
    for (const [id, role] of resources('AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});

describe('without an inbound address', () => {
  it('receives no mail: no receipt rule, no raw-mail bucket, no rule set to activate', () => {
    expect(resources('AWS::SES::ReceiptRuleSet')).toEqual([]);
    expect(resources('AWS::SES::ReceiptRule')).toEqual([]);
    expect(resources('AWS::S3::Bucket')).toEqual([]);
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('ReceiptRuleSetName');
  });

  it('has no failure queue for inbound mail: no queue, no on-failure destination, no alarm on a queue, no queue URL', () => {
    expect(resources('AWS::SQS::Queue')).toEqual([]);
    expect(resources('AWS::SQS::QueuePolicy')).toEqual([]);
    expect(resources('AWS::Lambda::EventInvokeConfig')).toEqual([]);
    expect(resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties.Namespace)).not.toContain(
      'AWS/SQS',
    );
    expect(resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties.MetricName)).not.toContain(
      'DestinationDeliveryFailures',
    );
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('InboundFailureQueueUrl');
  });
});

describe('monitoring', () => {
  it('emails the operator from the alarm topic', () => {
    const [topicId] = only(resources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: context.operatorEmail,
      TopicArn: { Ref: topicId },
    });
  });

  it('alarms on the first state transition Step Functions throttled (ExecutionThrottled), through the alarm topic', () => {
    const [topicId] = only(resources('AWS::SNS::Topic'));
    const [machineId] = only(resources('AWS::StepFunctions::StateMachine'));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionThrottled',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('sends every alarm to the alarm topic', () => {
    const [topicId] = only(resources('AWS::SNS::Topic'));
    const alarms = resources('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toContainEqual({ Ref: topicId });
    }
  });

  it('accepts publishing to the alarm topic over TLS only', () => {
    const [topicId] = only(resources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
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
