import { ArnFormat, CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { z } from 'zod';
import type { tableDefinition } from '#adapters/table-definition';
import { fromRoot, repoRoot } from '../paths.ts';

/**
 * The words a manifest (statemachines/onboarding.functions.json, functions/handlers/
 * edge.functions.json) uses for what a function needs: each stands for one environment variable
 * and the grant that goes with it (`bindNeeds`).
 */
export const needSchema = z.enum([
  'table',
  'statusIndex',
  'idempotency',
  'mail',
  'outbox',
  'operator',
  'startWorkflow',
  'stopWorkflow',
  'taskTokens',
  'webhookSecret',
  'linkSecret',
  'publicUrl',
  'rawMail',
  'inboundSenders',
  'inboundAddress',
  'replyAddress',
]);
export type Need = z.infer<typeof needSchema>;

/**
 * What the stack can hand a function, by need. A resource is absent where the stack does not have
 * it (no raw-mail bucket without SES receiving); a function needing it then fails synthesis,
 * naming the need.
 */
export interface NeedResources {
  table: ITable;
  mail: { identity: IEmailIdentity; senderEmail: string };
  operatorEmail: string;
  /** The onboarding state machine's name (Workflow), from which its ARNs are built. */
  stateMachineName?: string;
  webhookSecret?: ISecret;
  linkSecret?: ISecret;
  /** The HTTP API's endpoint, without a trailing slash. */
  publicUrl?: string;
  rawMail?: { bucket: IBucket; prefix: string };
  inbound?: { address: string; allowedSenders: string[] };
}

export interface OnrampFunctionProps {
  /** The handler file, relative to the repository root (`functions/handlers/accept.ts`). */
  entry: string;
  logRetention: RetentionDays;
  /** How long an invocation may run; 30 seconds unless said (the HTTP API's functions say less). */
  timeout?: Duration;
}

/** The index that lists onboardings by status (functions/adapters/table-definition.ts). */
const statusIndex: (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'] = 'byStatus';

/**
 * The DynamoDB actions the table's adapters (the onboarding store, inbound replies, reply
 * addresses) use, but BatchWriteItem: that one is the outbox's (`bindOutbox`).
 */
const tableActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

/** cdk-nag names a finding by the resource as the template resolves it, pseudo parameters in <>. */
const statesArnPrefix = 'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>';

/**
 * A Lambda function of onramp with the project's defaults: Node.js 24 on arm64, X-Ray, an ESM
 * bundle with source maps built by the local esbuild, and its own log group with a retention.
 * Resources reach it only through the `bind*` helpers, which set the variable the handler reads
 * and grant the matching permission together.
 */
export class OnrampFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: OnrampFunctionProps) {
    // The role and log group are created beside the function, before it: a role of our own keeps
    // AWSLambdaBasicExecutionRole (logs:CreateLogGroup on every log group) off the function.
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    logGroup.grants.write(role);

    super(scope, id, {
      entry: fromRoot(props.entry),
      projectRoot: repoRoot,
      depsLockFilePath: fromRoot('package-lock.json'),
      // cdk-nag L1 asks for the newest Node.js runtime this CDK version knows.
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        // Minifying renames classes; the state machine Retries and Catches on error names
        // (TransientError, PlanInvalid…), which come from `new.target.name`, so they must survive.
        keepNames: true,
        sourceMap: true,
        // Bundled, so the deployed code runs the SDK version the tests ran, not the runtime's.
        bundleAwsSDK: true,
        // Some CommonJS dependencies call require(); an ESM bundle has to provide it.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });

    // Lambda's X-Ray permissions (PutTraceSegments, PutTelemetryRecords) have no resource-level form.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray actions CDK adds for active tracing use Resource "*": X-Ray does not support resource-level permissions for them.',
    });
  }

  /**
   * Sets TABLE_NAME and grants the item operations the handlers use, on the table itself only:
   * CDK's `grants.readWriteData` (and `table.grant`) would add Scan, DeleteItem, BatchWriteItem,
   * the streams and `index/*`, none of which a function calls with this need alone (the one that
   * lists onboardings needs `statusIndex` as well, the ones that send mail `outbox`).
   */
  bindTable(table: ITable): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    Grant.addToPrincipal({ grantee: this, actions: tableActions, resourceArns: [table.tableArn] });
    return this;
  }

  /**
   * Sets TABLE_NAME and grants Query on the byStatus index, and only on it: what
   * `OnboardingStore.listOnboardings` reads (`GET /onboardings`). No other index, no Scan.
   */
  bindStatusIndex(table: ITable): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    Grant.addToPrincipal({
      grantee: this,
      actions: ['dynamodb:Query'],
      resourceArns: [`${table.tableArn}/index/${statusIndex}`],
    });
    return this;
  }

  /**
   * For Powertools Idempotency (functions/adapters/idempotency.ts), which keeps its records in the
   * table under `IDEMPOTENCY#<use>` partitions and deletes a record when the request it guards
   * fails, so a retry can run: the table's item operations plus DeleteItem, on those partitions only.
   */
  bindIdempotency(table: ITable): this {
    this.bindTable(table);
    Grant.addToPrincipal({
      grantee: this,
      actions: ['dynamodb:DeleteItem'],
      resourceArns: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['IDEMPOTENCY#*'] } },
    });
    return this;
  }

  /**
   * Sets SENDER_EMAIL and grants sending from that SES identity only, with ses:SendEmail: the one
   * action behind SES v2's SendEmail, which functions/adapters/mailer.ts calls with simple content
   * (SES builds the MIME). Not `grantSendEmail`, which adds ses:SendRawEmail, never called.
   */
  bindMail(identity: IEmailIdentity, senderEmail: string): this {
    this.addEnvironment('SENDER_EMAIL', senderEmail);
    identity.grant(this, 'ses:SendEmail');
    return this;
  }

  /**
   * For a function that sends through the outbox (functions/adapters/email-outbox.ts): sending, as
   * `bindMail`, and BatchWriteItem on the table, with which `OnboardingStore.recordSent` records a
   * step's sent emails in one request. Only these functions get BatchWriteItem: it also accepts
   * DeleteRequests, which IAM does not check as DeleteItem, so on any other role it would let the
   * function delete any item of the table. Comes with `table` (the outbox writes through the store).
   */
  bindOutbox(identity: IEmailIdentity, senderEmail: string, table: ITable): this {
    this.bindMail(identity, senderEmail);
    Grant.addToPrincipal({
      grantee: this,
      actions: ['dynamodb:BatchWriteItem'],
      resourceArns: [table.tableArn],
    });
    return this;
  }

  /** Sets OPERATOR_EMAIL, the address told of every failure; sending it needs `bindMail` too. */
  bindOperator(operatorEmail: string): this {
    this.addEnvironment('OPERATOR_EMAIL', operatorEmail);
    return this;
  }

  /** The ARN of the onboarding state machine, or of its executions (`execution`), from its name. */
  private statesArn(resource: 'stateMachine' | 'execution', resourceName: string): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource,
      resourceName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * Sets STATE_MACHINE_ARN, from the state machine's name: its ARN is built from the name, so a
   * step of the state machine itself can have it without a dependency cycle (see Workflow).
   */
  private bindStateMachineArn(stateMachineName: string): string {
    const stateMachineArn = this.statesArn('stateMachine', stateMachineName);
    this.addEnvironment('STATE_MACHINE_ARN', stateMachineArn);
    return stateMachineArn;
  }

  /**
   * Sets STATE_MACHINE_ARN and grants StartExecution on the state machine, and nothing else:
   * `WorkflowClient.start`, for a function that starts onboardings.
   */
  bindStartWorkflow(stateMachineName: string): this {
    const stateMachineArn = this.bindStateMachineArn(stateMachineName);
    Grant.addToPrincipal({
      grantee: this,
      actions: ['states:StartExecution'],
      resourceArns: [stateMachineArn],
    });
    return this;
  }

  /**
   * Sets STATE_MACHINE_ARN and grants StopExecution on the state machine's executions, and nothing
   * else: `WorkflowClient.stop`, for a function that cancels onboardings.
   */
  bindStopWorkflow(stateMachineName: string): this {
    this.bindStateMachineArn(stateMachineName);
    // Execution names are onboarding ids, known only at run time.
    const executionsArn = this.statesArn('execution', `${stateMachineName}:*`);
    Grant.addToPrincipal({ grantee: this, actions: ['states:StopExecution'], resourceArns: [executionsArn] });
    Validations.of(this.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${statesArnPrefix}:execution:${stateMachineName}:*]`,
      reason:
        'StopExecution on the executions of the onboarding state machine only (cancelling an onboarding): each execution is named by its onboarding id, known only at run time.',
    });
    return this;
  }

  /**
   * Sets STATE_MACHINE_ARN and grants SendTaskSuccess, and nothing else: `WorkflowClient.
   * sendTaskSuccess`, for a function that hands a waiting workflow its answer (a resume, an
   * owner's decision). Never SendTaskFailure or SendTaskHeartbeat: no function calls them.
   */
  bindTaskTokens(stateMachineName: string): this {
    const stateMachineArn = this.bindStateMachineArn(stateMachineName);
    // A task token names no resource in the request; IAM checks the call against the state machine
    // of the waiting task: its ARN or, for an execution of a version or alias, the qualified ARN
    // (`<arn>:*`, which is all CDK's grantTaskResponse grants). Both, so either way works.
    Grant.addToPrincipal({
      grantee: this,
      actions: ['states:SendTaskSuccess'],
      resourceArns: [stateMachineArn, `${stateMachineArn}:*`],
    });
    Validations.of(this.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${statesArnPrefix}:stateMachine:${stateMachineName}:*]`,
      reason:
        'SendTaskSuccess on the onboarding state machine and its versions and aliases (<arn>:*, as CDK grantTaskResponse grants) only: the task token, not the request, names the execution.',
    });
    return this;
  }

  /**
   * Sets `variable` to the secret's ARN (never its value: the handler reads it from Secrets
   * Manager at run time) and grants reading that secret only.
   */
  bindSecret(variable: 'WEBHOOK_SECRET_ARN' | 'LINK_SECRET_ARN', secret: ISecret): this {
    this.addEnvironment(variable, secret.secretArn);
    secret.grantRead(this);
    return this;
  }

  /** Sets PUBLIC_BASE_URL, the base of every link in an email; nothing to grant. */
  bindPublicUrl(url: string): this {
    this.addEnvironment('PUBLIC_BASE_URL', url);
    return this;
  }

  /**
   * Sets RAW_MAIL_BUCKET and grants reading the objects under `prefix`, where SES stores each
   * received message; not listing, not writing, not the rest of the bucket.
   */
  bindRawMail(bucket: IBucket, prefix: string): this {
    this.addEnvironment('RAW_MAIL_BUCKET', bucket.bucketName);
    Grant.addToPrincipal({
      grantee: this,
      actions: ['s3:GetObject'],
      resourceArns: [bucket.arnForObjects(`${prefix}*`)],
    });
    const cfnBucket = bucket.node.defaultChild;
    if (cfnBucket instanceof CfnElement) {
      const logicalId = Stack.of(cfnBucket).resolve(cfnBucket.logicalId) as string;
      Validations.of(this.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}*]`,
        reason: `GetObject under ${prefix} of the raw-mail bucket only: each object is named by the SES message id of a message not yet received.`,
      });
    }
    return this;
  }

  /** Sets INBOUND_ALLOWED_SENDERS: addresses and `@domain`s, comma-separated. */
  bindInboundSenders(allowedSenders: string[]): this {
    this.addEnvironment('INBOUND_ALLOWED_SENDERS', allowedSenders.join(','));
    return this;
  }

  /** Sets INBOUND_ADDRESS, the address plans are emailed to. */
  bindInboundAddress(address: string): this {
    this.addEnvironment('INBOUND_ADDRESS', address);
    return this;
  }

  /**
   * Binds everything a manifest entry needs: the one mapping from need words to variables and
   * grants, for the workflow's functions and the edge's alike.
   */
  bindNeeds(needs: readonly Need[], resources: NeedResources): this {
    const missing = (need: Need): never => {
      throw new Error(
        `Function ${this.node.id} needs "${need}", which the stack does not provide to it here`,
      );
    };
    for (const need of needs) {
      switch (need) {
        case 'table':
          this.bindTable(resources.table);
          break;
        case 'statusIndex':
          this.bindStatusIndex(resources.table);
          break;
        case 'idempotency':
          this.bindIdempotency(resources.table);
          break;
        case 'mail':
          this.bindMail(resources.mail.identity, resources.mail.senderEmail);
          break;
        case 'outbox':
          this.bindOutbox(resources.mail.identity, resources.mail.senderEmail, resources.table);
          break;
        case 'operator':
          this.bindOperator(resources.operatorEmail);
          break;
        case 'startWorkflow':
          this.bindStartWorkflow(resources.stateMachineName ?? missing(need));
          break;
        case 'stopWorkflow':
          this.bindStopWorkflow(resources.stateMachineName ?? missing(need));
          break;
        case 'taskTokens':
          this.bindTaskTokens(resources.stateMachineName ?? missing(need));
          break;
        case 'webhookSecret':
          this.bindSecret('WEBHOOK_SECRET_ARN', resources.webhookSecret ?? missing(need));
          break;
        case 'linkSecret':
          this.bindSecret('LINK_SECRET_ARN', resources.linkSecret ?? missing(need));
          break;
        case 'publicUrl':
          this.bindPublicUrl(resources.publicUrl ?? missing(need));
          break;
        case 'rawMail': {
          const { bucket, prefix } = resources.rawMail ?? missing(need);
          this.bindRawMail(bucket, prefix);
          break;
        }
        case 'inboundSenders':
          this.bindInboundSenders((resources.inbound ?? missing(need)).allowedSenders);
          break;
        case 'inboundAddress':
          this.bindInboundAddress((resources.inbound ?? missing(need)).address);
          break;
        case 'replyAddress':
          // Optional: replies to check-ins need SES receiving; without it, answers come by link only.
          if (resources.inbound) this.bindInboundAddress(resources.inbound.address);
          break;
      }
    }
    return this;
  }
}
