import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { fromRoot, repoRoot } from '../paths.ts';

export interface OnrampFunctionProps {
  /** The handler file, relative to the repository root (`functions/handlers/accept.ts`). */
  entry: string;
  logRetention: RetentionDays;
}

/** The DynamoDB actions of functions/adapters/onboarding-store.ts, and no other. */
const tableActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:BatchWriteItem',
];

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
      timeout: Duration.seconds(30),
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
   * CDK's `grants.readWriteData` (and `table.grant`) would add Scan, DeleteItem, the streams and
   * `index/*`, none of which a deployed function calls (no handler queries an index).
   */
  bindTable(table: ITable): this {
    this.addEnvironment('TABLE_NAME', table.tableName);
    Grant.addToPrincipal({ grantee: this, actions: tableActions, resourceArns: [table.tableArn] });
    return this;
  }

  /** Sets SENDER_EMAIL and grants sending from that SES identity only. */
  bindMail(identity: IEmailIdentity, senderEmail: string): this {
    this.addEnvironment('SENDER_EMAIL', senderEmail);
    identity.grantSendEmail(this);
    return this;
  }

  /** Sets OPERATOR_EMAIL, the address told of every failure; sending it needs `bindMail` too. */
  bindOperator(operatorEmail: string): this {
    this.addEnvironment('OPERATOR_EMAIL', operatorEmail);
    return this;
  }
}
