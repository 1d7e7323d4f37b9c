import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config.ts';
import { Api } from './constructs/api.ts';
import { failedEventRetention, Inbound } from './constructs/inbound.ts';
import { Mail } from './constructs/mail.ts';
import { Monitoring } from './constructs/monitoring.ts';
import type { NeedResources } from './constructs/onramp-function.ts';
import { Secrets } from './constructs/secrets.ts';
import { Storage } from './constructs/storage.ts';
import { Workflow } from './constructs/workflow.ts';
import { isRouted, readEdgeManifest, receivesMail } from './edge-manifest.ts';

export interface OnrampStackProps extends StackProps {
  config: DeployConfig;
}

/**
 * Everything onramp runs on in AWS: the table, the sender identity, the workflow and its alarms,
 * and the edge: the HTTP API, its secrets and, when configured, receiving mail.
 */
export class OnrampStack extends Stack {
  constructor(scope: Construct, id: string, { config, ...props }: OnrampStackProps) {
    super(scope, id, props);
    const { table } = new Storage(this, 'Storage');
    const { identity } = new Mail(this, 'Mail', { senderEmail: config.senderEmail });
    const { webhookSecret, linkSecret } = new Secrets(this, 'Secrets');
    // The API before the workflow, its routes after: emails link to the API's URL, and the
    // routes' functions start the workflow.
    const api = new Api(this, 'Api', {
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      logRetention: config.logRetentionDays,
    });
    const resources: Omit<NeedResources, 'stateMachineName'> = {
      table,
      mail: { identity, senderEmail: config.senderEmail },
      operatorEmail: config.operatorEmail,
      webhookSecret,
      linkSecret,
      publicUrl: api.url,
      ...(config.inbound ? { inbound: config.inbound } : {}),
    };
    const workflow = new Workflow(this, 'Workflow', { resources, logRetention: config.logRetentionDays });

    const edge = readEdgeManifest().functions;
    const edgeResources: NeedResources = { ...resources, stateMachineName: workflow.stateMachineName };
    for (const entry of edge.filter(isRouted)) api.addFunction(entry, edgeResources);
    const mailEntry = edge.find(receivesMail);
    if (config.inbound && !mailEntry) {
      throw new Error('inboundAddress is configured, but no function of the edge manifest receives mail');
    }
    const inbound =
      config.inbound && mailEntry
        ? new Inbound(this, 'Inbound', {
            entry: mailEntry,
            config: config.inbound,
            resources: edgeResources,
            logRetention: config.logRetentionDays,
          })
        : undefined;

    new Monitoring(this, 'Monitoring', {
      stateMachine: workflow.stateMachine,
      functions: [...workflow.functions, ...api.functions, ...(inbound ? [inbound.function] : [])],
      edge: { httpApi: api.httpApi, functions: api.functions },
      failureQueues: inbound
        ? [
            {
              id: 'InboundMailFailed',
              queue: inbound.failures,
              from: inbound.function,
              description: `An email to the inbound address failed in the inbound function after its retries; its SES event waits in the queue of the InboundFailureQueueUrl output for ${failedEventRetention.toDays()} days.`,
            },
          ]
        : [],
      operatorEmail: config.operatorEmail,
    });

    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ApiUrl', {
      value: api.url,
      description: 'Base URL of the integration routes and of the links in emails',
    });
    new CfnOutput(this, 'WebhookSecretArn', {
      value: webhookSecret.secretArn,
      description:
        'Read the signing secret with: aws secretsmanager get-secret-value --secret-id <this ARN> --query SecretString --output text (integrators use whsec_<value>)',
    });
    if (inbound) {
      new CfnOutput(this, 'ReceiptRuleSetName', {
        value: inbound.ruleSet.receiptRuleSetName,
        description:
          'Activate once after the first deploy: aws ses set-active-receipt-rule-set --rule-set-name <this name>',
      });
      new CfnOutput(this, 'InboundFailureQueueUrl', {
        value: inbound.failures.queueUrl,
        description: `Emails the inbound function failed on after its retries, kept ${failedEventRetention.toDays()} days: aws sqs receive-message --queue-url <this URL>`,
      });
    }
  }
}
