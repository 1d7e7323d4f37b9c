import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeFunctionTimeout } from '#infra/constructs/api';
import { rawMailPrefix } from '#infra/constructs/inbound';
import type { Need } from '#infra/constructs/onramp-function';
import { type EdgeFunction, isRouted, readEdgeManifest, receivesMail } from '#infra/edge-manifest';
import { calledActions } from './handler-calls.ts';
import { variableOfNeed } from './needs.ts';
import {
  actionsOf,
  environmentOf,
  logicalIdAt,
  only,
  type Resource,
  resourcesOf,
  roleStatements,
  type Statement,
  statementsFor,
  statesArn,
  synthesize,
} from './template.ts';

// The deployed app with every edge feature on: SES receiving and non-default throttling, so the
// test sees the configured values reach the stage. Bundling is skipped (the functions' code is
// checked in onramp-stack.test.ts): this file is about resources, routes and permissions.
const context = {
  senderEmail: 'onramp@example.com',
  operatorEmail: 'ops@example.com',
  inboundAddress: 'plans@example.com',
  allowedSenders: 'owner@example.com, @partner.example',
  apiRateLimit: '20',
  apiBurstLimit: '40',
  'aws:cdk:bundling-stacks': [],
};
const edge = readEdgeManifest().functions;
const routed = edge.filter(isRouted);
const mailReceiver = only(edge.filter(receivesMail));

let app: App;
let stack: Stack;
let assemblyDir: string;
let template: Template;
const resources = (type: string) => resourcesOf(template, type);
const resourceById = (id: string) => template.toJSON().Resources[id] as Resource;

/** The logical id and resource of an edge manifest entry's function. */
const functionOf = (entry: EdgeFunction): [string, Resource] => {
  const id = logicalIdAt(stack, isRouted(entry) ? 'Api' : 'Inbound', entry.id);
  return [id, resourceById(id)];
};
const statementsOf = (entry: EdgeFunction) =>
  roleStatements(template, functionOf(entry)[1]).filter((s) => s.Effect === 'Allow');
const entryNamed = (handler: string) => {
  const entry = edge.find((f) => f.handler === handler);
  expect(entry, `${handler} is no longer in the edge manifest`).toBeDefined();
  return entry!;
};
const isEqual = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const resourcesNamedBy = (statements: Statement[]) =>
  statements.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));

// Seconds on an idle machine (no bundling); generous for a loaded one.
beforeAll(() => {
  ({ app, stack, assemblyDir, template } = synthesize(context));
}, 600_000);

describe('HTTP API', () => {
  it('has exactly the routes of the edge manifest, and no catch-all route', () => {
    const routeKeys = resources('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routeKeys.sort()).toEqual(routed.flatMap((f) => f.routes).sort());
    expect(routeKeys).not.toContain('$default');
  });

  it("sends each route to its manifest entry's function, as a Lambda proxy integration with payload 2.0", () => {
    const integrations = Object.fromEntries(resources('AWS::ApiGatewayV2::Integration'));
    const routes = resources('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);

    for (const entry of routed) {
      const [functionId] = functionOf(entry);
      for (const routeKey of entry.routes) {
        const route = only(routes.filter((r) => r.RouteKey === routeKey));
        const target = route.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
        expect(target['Fn::Join'][1][0], routeKey).toBe('integrations/');
        const integration = integrations[target['Fn::Join'][1][1].Ref];
        expect(integration?.Properties, routeKey).toEqual(
          expect.objectContaining({
            IntegrationType: 'AWS_PROXY',
            IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
            PayloadFormatVersion: '2.0',
          }),
        );
      }
    }
  });

  it('routes GET /onboardings (the listing) to the integration API function', () => {
    const [apiFunctionId] = functionOf(entryNamed('integration-api'));
    const route = only(
      resources('AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey === 'GET /onboardings'),
    )[1];
    const target = route.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
    const integration = resourceById(target['Fn::Join'][1][1].Ref);

    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [apiFunctionId, 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
  });

  it('lets API Gateway invoke each function only from its own routes', () => {
    const [apiId] = only(resources('AWS::ApiGatewayV2::Api'));
    const permissions = resources('AWS::Lambda::Permission')
      .map(([, p]) => p.Properties)
      .filter((p) => p.Principal === 'apigateway.amazonaws.com');

    for (const entry of routed) {
      const [functionId] = functionOf(entry);
      const sourcePaths = permissions
        .filter(
          (p) => JSON.stringify(p.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] }),
        )
        .map((p) => {
          const parts = (p.SourceArn as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
          expect(parts).toContainEqual({ Ref: apiId });
          return parts.at(-1);
        });
      const paths = entry.routes.map((route) => `/*/*${route.split(' ')[1]}`);
      expect([...new Set(sourcePaths)].sort(), entry.id).toEqual([...new Set(paths)].sort());
    }
  });

  it('throttles the $default stage with the configured rate and burst, deploying every change', () => {
    const [apiId] = only(resources('AWS::ApiGatewayV2::Api'));
    const [, stage] = only(resources('AWS::ApiGatewayV2::Stage'));
    expect(stage.Properties).toMatchObject({
      ApiId: { Ref: apiId },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });

  it('writes JSON access logs with the route key, never the raw path (tokens ride in it), to a log group with retention', () => {
    const [, stage] = only(resources('AWS::ApiGatewayV2::Stage'));
    const { DestinationArn, Format } = stage.Properties.AccessLogSettings as {
      DestinationArn: { 'Fn::GetAtt': [string, 'Arn'] };
      Format: string;
    };
    const logGroup = resourceById(DestinationArn['Fn::GetAtt'][0]);
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);

    const fields = JSON.parse(Format) as Record<string, string>;
    expect(fields).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
    expect(Format).not.toMatch(/\$context\.(path|rawPath|resourcePath)\b/);
  });

  it('publishes its URL (the base of email links) as ApiUrl', () => {
    const [apiId] = only(resources('AWS::ApiGatewayV2::Api'));
    template.hasOutput('ApiUrl', { Value: { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] } });
  });
});

describe('edge functions', () => {
  it('get exactly the variables their needs stand for, besides NODE_OPTIONS', () => {
    const expectedValue: Record<string, unknown> = {
      TABLE_NAME: { Ref: only(resources('AWS::DynamoDB::Table'))[0] },
      SENDER_EMAIL: context.senderEmail,
      OPERATOR_EMAIL: context.operatorEmail,
      STATE_MACHINE_ARN: statesArn('stateMachine:Onramp-onboarding'),
      WEBHOOK_SECRET_ARN: { Ref: logicalIdAt(stack, 'Secrets', 'WebhookSecret') },
      LINK_SECRET_ARN: { Ref: logicalIdAt(stack, 'Secrets', 'LinkSecret') },
      PUBLIC_BASE_URL: { 'Fn::GetAtt': [logicalIdAt(stack, 'Api', 'HttpApi'), 'ApiEndpoint'] },
      RAW_MAIL_BUCKET: { Ref: logicalIdAt(stack, 'Inbound', 'RawMail') },
      INBOUND_ALLOWED_SENDERS: 'owner@example.com,@partner.example',
      INBOUND_ADDRESS: context.inboundAddress,
    };
    for (const entry of edge) {
      const variables = entry.needs.map((need) => variableOfNeed[need]);
      expect(environmentOf(functionOf(entry)[1]), entry.id).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        ...Object.fromEntries(variables.map((name) => [name, expectedValue[name]])),
      });
    }
  });

  it('are watched on the dashboard with the workflow functions', () => {
    const [, dashboard] = only(resources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const entry of edge) expect(body, entry.id).toContain(functionOf(entry)[0]);
  });
});

describe('secrets', () => {
  it('are generated by Secrets Manager: the webhook secret 32 alphanumerics, the link key 64', () => {
    const secrets = Object.fromEntries(resources('AWS::SecretsManager::Secret'));
    const generated = (path: string) => secrets[logicalIdAt(stack, 'Secrets', path)]?.Properties;
    expect(generated('WebhookSecret')).toMatchObject({
      GenerateSecretString: { PasswordLength: 32, ExcludePunctuation: true, IncludeSpace: false },
    });
    expect(generated('LinkSecret')).toMatchObject({
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
  });

  it('have no value in the template: no SecretString, no dynamic reference resolving one', () => {
    for (const [id, secret] of resources('AWS::SecretsManager::Secret')) {
      expect(secret.Properties.SecretString, id).toBeUndefined();
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('{{resolve:secretsmanager');
  });

  it('reach functions as ARNs only: every *_SECRET_ARN variable is a reference to a stack secret', () => {
    const secretIds = resources('AWS::SecretsManager::Secret').map(([id]) => id);
    for (const [id, fn] of resources('AWS::Lambda::Function')) {
      for (const [name, value] of Object.entries(environmentOf(fn))) {
        if (!/SECRET|KEY|TOKEN|PASSWORD/.test(name)) continue;
        expect(name, id).toMatch(/_SECRET_ARN$/);
        expect(secretIds, `${id} ${name}`).toContain((value as { Ref?: string }).Ref);
      }
    }
  });

  it('publish the webhook secret ARN, from which its value is read', () => {
    template.hasOutput('WebhookSecretArn', {
      Value: { Ref: logicalIdAt(stack, 'Secrets', 'WebhookSecret') },
    });
  });
});

describe('receiving mail', () => {
  it('has one receipt rule for the inbound address: scanned, TLS required, stored in S3 then given to the function', () => {
    const [ruleSetId] = only(resources('AWS::SES::ReceiptRuleSet'));
    const [, rule] = only(resources('AWS::SES::ReceiptRule'));
    const [functionId] = functionOf(mailReceiver);

    expect(rule.Properties).toEqual({
      RuleSetName: { Ref: ruleSetId },
      Rule: {
        Enabled: true,
        Recipients: [context.inboundAddress],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [
          {
            S3Action: {
              BucketName: { Ref: logicalIdAt(stack, 'Inbound', 'RawMail') },
              ObjectKeyPrefix: rawMailPrefix,
            },
          },
          { LambdaAction: { FunctionArn: { 'Fn::GetAtt': [functionId, 'Arn'] }, InvocationType: 'Event' } },
        ],
      },
    });
  });

  it('creates the rule only once SES may write to the bucket and invoke the function', () => {
    const [ruleId] = only(resources('AWS::SES::ReceiptRule'));
    const [policyId] = only(resources('AWS::S3::BucketPolicy'));
    const [permissionId] = only(
      resources('AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'ses.amazonaws.com'),
    );
    const dependsOn = (template.toJSON().Resources[ruleId].DependsOn ?? []) as string[];
    expect(dependsOn).toEqual(expect.arrayContaining([policyId, permissionId]));
  });

  it('lets SES invoke the function for this account only', () => {
    const [functionId] = functionOf(mailReceiver);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'ses.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('publishes the rule set name, which must be activated once after deploying', () => {
    const [ruleSetId] = only(resources('AWS::SES::ReceiptRuleSet'));
    template.hasOutput('ReceiptRuleSetName', { Value: { Ref: ruleSetId } });
  });
});

describe('raw-mail bucket', () => {
  const bucketId = () => logicalIdAt(stack, 'Inbound', 'RawMail');

  it('is encrypted, private, unversioned, and expires raw mail after 30 days', () => {
    const bucket = resourceById(bucketId());
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: 30, Status: 'Enabled' })],
      },
    });
    expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('refuses every request not made over TLS, and lets SES put objects under the inbound prefix for this account only', () => {
    const [, policy] = only(resources('AWS::S3::BucketPolicy'));
    expect(policy.Properties.Bucket).toEqual({ Ref: bucketId() });
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 's3:PutObject',
        Principal: { Service: 'ses.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, `/${rawMailPrefix}*`]] },
      }),
    ]);
  });
});

describe('failed inbound mail', () => {
  const queueId = () => logicalIdAt(stack, 'Inbound', 'Failures');
  const queueArn = () => ({ 'Fn::GetAtt': [queueId(), 'Arn'] });

  it("sends an event the inbound function still fails after Lambda's two retries to the failure queue", () => {
    const [functionId] = functionOf(mailReceiver);
    // $LATEST: the receipt rule invokes the unqualified function.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueArn() } },
    });
  });

  it('lets the inbound function send to the queue, in a policy in place before the destination is configured', () => {
    const [functionId] = functionOf(mailReceiver);
    const sqs = statementsFor(statementsOf(mailReceiver), 'sqs');
    expect(sqs).toEqual([
      expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: queueArn() }),
    ]);
    // Lambda refuses a destination the function's role cannot send to: the configuration names the
    // function, and the function waits for the policy that grants it.
    const [policyId] = only(
      resources('AWS::IAM::Policy').filter(([, policy]) =>
        (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
          (s) => actionsOf([s], 'sqs').includes('sqs:SendMessage') && isEqual(s.Resource, queueArn()),
        ),
      ),
    );
    expect(template.toJSON().Resources[functionId].DependsOn).toContain(policyId);
  });

  it('keeps failed events for 14 days, encrypted at rest with an SQS-managed or KMS key', () => {
    const { Properties } = resourceById(queueId());
    expect(Properties.MessageRetentionPeriod).toBe(14 * 24 * 60 * 60);
    const encrypted = Properties.SqsManagedSseEnabled === true || Properties.KmsMasterKeyId !== undefined;
    expect(encrypted, JSON.stringify(Properties)).toBe(true);
  });

  it('refuses every request to the queue not made over TLS', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Resource: queueArn(),
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('alarms on the first failed event waiting in the queue, through the topic the workflow alarms use', () => {
    const [topicId] = only(resources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      AlarmActions: [{ Ref: topicId }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(), 'QueueName'] } }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('alarms when Lambda cannot even put a failed event in the queue, through the same topic', () => {
    const [topicId] = only(resources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'DestinationDeliveryFailures',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdAt(stack, 'Inbound', 'InboundMail') } }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('publishes the queue URL, where the operator reads failed events', () => {
    template.hasOutput('InboundFailureQueueUrl', { Value: { Ref: queueId() } });
  });
});

describe('functions behind routes', () => {
  it(`time out after ${routeFunctionTimeout.toSeconds()} seconds, before API Gateway's 30-second integration timeout`, () => {
    expect(routeFunctionTimeout.toSeconds()).toBeLessThan(30);
    const integrations = resources('AWS::ApiGatewayV2::Integration').map(([, i]) => i.Properties);
    for (const entry of routed) {
      const [functionId, fn] = functionOf(entry);
      expect(fn.Properties.Timeout, entry.id).toBe(routeFunctionTimeout.toSeconds());
      // API Gateway's default (and maximum) for an HTTP API: 30 seconds.
      for (const integration of integrations.filter((i) =>
        isEqual(i.IntegrationUri, { 'Fn::GetAtt': [functionId, 'Arn'] }),
      )) {
        expect(integration.TimeoutInMillis ?? 30_000, entry.id).toBeGreaterThan(
          routeFunctionTimeout.toMilliseconds(),
        );
      }
    }
  });
});

describe('alarms at the edge', () => {
  const alarms = () => resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
  const alarmOn = (namespace: string, metricName: string, dimension: { Name: string; Value: unknown }) =>
    alarms().filter(
      (a) => a.Namespace === namespace && a.MetricName === metricName && isEqual(a.Dimensions, [dimension]),
    );
  const onAny = (topicId: string) => ({
    Statistic: 'Sum',
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [{ Ref: topicId }],
  });

  it("alarm on the HTTP API's first 5xx answer, through the alarm topic", () => {
    const [topicId] = only(resources('AWS::SNS::Topic'));
    const [apiId] = only(resources('AWS::ApiGatewayV2::Api'));
    const [alarm] = alarmOn('AWS/ApiGateway', '5xx', { Name: 'ApiId', Value: { Ref: apiId } });
    expect(alarm).toMatchObject(onAny(topicId));
  });

  it.each(routed.map((entry) => [entry.id, entry]))(
    'alarm on the first error and the first throttle of %s, through the alarm topic',
    (_, entry) => {
      const [topicId] = only(resources('AWS::SNS::Topic'));
      const [functionId] = functionOf(entry);
      const dimension = { Name: 'FunctionName', Value: { Ref: functionId } };
      for (const metric of ['Errors', 'Throttles']) {
        const found = alarmOn('AWS/Lambda', metric, dimension);
        expect(found, `${entry.id} ${metric}`).toHaveLength(1);
        expect(found[0], `${entry.id} ${metric}`).toMatchObject(onAny(topicId));
      }
    },
  );

  it("show the 5xx answers and the route functions' throttles on the dashboard", () => {
    const [, dashboard] = only(resources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain('\\"5xx\\"');
    expect(body).toContain('\\"Throttles\\"');
  });
});

describe('least privilege at the edge', () => {
  const secretArn = (name: string) => JSON.stringify({ Ref: logicalIdAt(stack, 'Secrets', name) });
  const secretOfNeed: Partial<Record<Need, string>> = {
    webhookSecret: 'WebhookSecret',
    linkSecret: 'LinkSecret',
  };

  it('lets each function read exactly the secrets it needs', () => {
    for (const entry of edge) {
      const secrets = statementsFor(statementsOf(entry), 'secretsmanager');
      const expected = entry.needs.flatMap((need) =>
        secretOfNeed[need] ? [secretArn(secretOfNeed[need])] : [],
      );
      expect(resourcesNamedBy(secrets).sort(), entry.id).toEqual(expected.sort());
      expect([...new Set(actionsOf(secrets, 'secretsmanager'))].sort(), entry.id).toEqual(
        expected.length > 0 ? ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] : [],
      );
    }
  });

  it('lets each function do to the workflow exactly what its handler calls: start it, stop its executions, answer its tokens', () => {
    const stateMachine = statesArn('stateMachine:Onramp-onboarding');
    const versionsAndAliases = statesArn('stateMachine:Onramp-onboarding:*');
    const executions = statesArn('execution:Onramp-onboarding:*');
    const resourcesOfAction: Record<string, unknown[]> = {
      'states:StartExecution': [stateMachine],
      'states:StopExecution': [executions],
      // IAM checks a task token against the state machine, or its qualified ARN.
      'states:SendTaskSuccess': [stateMachine, versionsAndAliases],
    };

    for (const entry of edge) {
      const states = statementsFor(statementsOf(entry), 'states');
      const called = calledActions(entry.handler, 'states');
      expect([...new Set(actionsOf(states, 'states'))].sort(), entry.id).toEqual(called);
      for (const action of called) {
        const resources = states
          .filter((s) => [s.Action].flat().includes(action))
          .flatMap((s) => [s.Resource].flat());
        expect(resources, `${entry.id} ${action}`).toEqual(resourcesOfAction[action]);
      }
    }
  });

  it('lets each function send email exactly as its handler does (ses:SendEmail, never SendRawEmail), from the sender identity only', () => {
    const [identityId] = only(resources('AWS::SES::EmailIdentity'));
    for (const entry of edge) {
      const ses = statementsFor(statementsOf(entry), 'ses');
      expect([...new Set(actionsOf(ses, 'ses'))].sort(), entry.id).toEqual(
        calledActions(entry.handler, 'ses'),
      );
      for (const statement of ses) {
        expect(JSON.stringify(statement.Resource), entry.id).toContain(JSON.stringify({ Ref: identityId }));
      }
    }
  });

  it('lets only the functions that send through the outbox write in batches (BatchWriteItem can delete)', () => {
    for (const entry of edge) {
      const dynamodb = actionsOf(statementsFor(statementsOf(entry), 'dynamodb'), 'dynamodb');
      expect(dynamodb.includes('dynamodb:BatchWriteItem'), entry.id).toBe(
        calledActions(entry.handler, 'dynamodb').includes('dynamodb:BatchWriteItem'),
      );
    }
    // The integration API cancels onboardings, which tells both sides through the outbox.
    expect(calledActions('integration-api', 'dynamodb')).toEqual(['dynamodb:BatchWriteItem']);
  });

  it('lets the integration API Query the byStatus index to list onboardings, and the link pages and mail no index', () => {
    const tableArn = { 'Fn::GetAtt': [only(resources('AWS::DynamoDB::Table'))[0], 'Arn'] };
    const onIndexes = (entry: EdgeFunction) =>
      statementsFor(statementsOf(entry), 'dynamodb').filter((s) =>
        JSON.stringify(s.Resource).includes('/index/'),
      );

    expect(onIndexes(entryNamed('integration-api'))).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [tableArn, '/index/byStatus']] },
      }),
    ]);
    for (const entry of edge.filter((e) => e.handler !== 'integration-api'))
      expect(onIndexes(entry), entry.id).toEqual([]);
  });

  it('lets only the mail-receiving function read raw mail: GetObject under the inbound prefix, nothing else in S3', () => {
    const bucketArn = { 'Fn::GetAtt': [logicalIdAt(stack, 'Inbound', 'RawMail'), 'Arn'] };
    for (const [id, fn] of resources('AWS::Lambda::Function')) {
      const s3 = statementsFor(
        roleStatements(template, fn).filter((s) => s.Effect === 'Allow'),
        's3',
      );
      if (id !== functionOf(mailReceiver)[0]) {
        expect(s3, id).toEqual([]);
        continue;
      }
      expect(s3, id).toEqual([
        expect.objectContaining({
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', [bucketArn, `/${rawMailPrefix}*`]] },
        }),
      ]);
    }
  });

  it('keeps the link pages from starting or stopping executions (they only answer task tokens) and from the webhook secret, and the API from raw mail', () => {
    const linkPages = statementsOf(entryNamed('link-pages'));
    expect(actionsOf(linkPages, 'states')).toEqual(['states:SendTaskSuccess']);
    expect(resourcesNamedBy(linkPages)).not.toContain(secretArn('WebhookSecret'));

    const api = statementsOf(entryNamed('integration-api'));
    expect(actionsOf(api, 's3')).toEqual([]);
    expect(resourcesNamedBy(api)).not.toContain(secretArn('LinkSecret'));
  });
});

describe('cdk-nag AWS Solutions checks, with every edge feature on', () => {
  it('report no violation from the synthesis that ran them', () => {
    const report = JSON.parse(readFileSync(join(assemblyDir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName))).toEqual([]);
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
