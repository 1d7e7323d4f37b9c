import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** A queue that holds what failed for good (a Lambda on-failure destination): any message in it is an alarm. */
export interface FailureQueue {
  /** The alarm's construct id (`InboundMailFailed`). */
  id: string;
  queue: IQueue;
  /** The function whose failed asynchronous events Lambda puts in the queue. */
  from: IFunction;
  /** What failed and where to find it: the alarm's description, which its email carries. */
  description: string;
}

export interface MonitoringProps {
  stateMachine: StateMachine;
  /** Every function, on the dashboard. */
  functions: IFunction[];
  /** The HTTP API and the functions behind its routes, each alarmed on. */
  edge: { httpApi: IHttpApi; functions: IFunction[] };
  failureQueues?: FailureQueue[];
  /** Where the alarms are emailed; SNS asks the address to confirm the subscription after deploy. */
  operatorEmail: string;
}

/**
 * Alarms on onboardings that ended badly, emailed to the operator, and a dashboard of the
 * workflow and its functions. A failed execution has already told its owner (MarkFailed); the
 * alarm is for the operator, and also covers a failure MarkFailed could not report. So does the
 * alarm on each failure queue: an asynchronous event no one else will hear of. At the edge, where
 * a failure reaches a caller (an integration, someone clicking a link) and no workflow reports it:
 * the API's 5xx answers, and each route function's errors and throttles. And state transitions
 * Step Functions throttled (its quota), which hold every onboarding back.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;

  constructor(
    scope: Construct,
    id: string,
    { stateMachine, functions, edge, failureQueues = [], operatorEmail }: MonitoringProps,
  ) {
    super(scope, id);
    // Not KMS-encrypted: CloudWatch alarms cannot publish to a topic under the AWS managed SNS key,
    // and the notifications carry only the alarm's name, description and state, no plan content or
    // addresses that a customer managed key (and its key policy for CloudWatch) would be worth.
    this.alarmTopic = new Topic(this, 'AlarmTopic', { enforceSSL: true });
    this.alarmTopic.addSubscription(new EmailSubscription(operatorEmail));
    const alarmAction = new SnsAction(this.alarmTopic);

    const period = Duration.minutes(5);
    const alarmOnAny = (name: string, metric: IMetric, description: string) =>
      new Alarm(this, name, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(alarmAction);
    alarmOnAny('ExecutionsFailed', stateMachine.metricFailed({ period }), 'An onboarding execution failed.');
    alarmOnAny(
      'ExecutionsTimedOut',
      stateMachine.metricTimedOut({ period }),
      'An onboarding execution timed out.',
    );
    alarmOnAny(
      'ExecutionsThrottled',
      stateMachine.metricThrottled({ period, statistic: Stats.SUM }),
      'Step Functions throttled state transitions of onboarding executions (ExecutionThrottled, the state-transition quota): steps ran late; if it lasts, ask for a higher quota.',
    );
    alarmOnAny(
      'ApiServerErrors',
      edge.httpApi.metricServerError({ period, statistic: Stats.SUM }),
      'The HTTP API answered 5xx: a route function failed, timed out or was throttled, or answered 503 for a retry; its access log has the route and status, the function log the request.',
    );
    for (const fn of edge.functions) {
      alarmOnAny(
        `${fn.node.id}Errors`,
        fn.metricErrors({ period, statistic: Stats.SUM }),
        `${fn.node.id}: the function failed (an uncaught error or its timeout); the caller got a 5xx. Its log group names the request.`,
      );
      alarmOnAny(
        `${fn.node.id}Throttles`,
        fn.metricThrottles({ period, statistic: Stats.SUM }),
        `${fn.node.id}: Lambda throttled the function (account or function concurrency); the caller got a 5xx.`,
      );
    }
    // The maximum, not the average: one message waiting is the alarm. SQS stops sending metrics for
    // a queue left empty and untouched for six hours (missing data: not breaching) until a message
    // arrives. The alarm stays in ALARM until the queue is emptied, so it is emailed once per incident.
    for (const { id: alarmId, queue, from, description } of failureQueues) {
      alarmOnAny(
        alarmId,
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: Stats.MAXIMUM }),
        description,
      );
      // The last way to lose an event: Lambda could not even put it in the queue (a policy or
      // encryption problem). Lambda counts those on the function, not on the queue.
      alarmOnAny(
        `${alarmId}Undelivered`,
        from.metric('DestinationDeliveryFailures', { period, statistic: Stats.SUM }),
        `${from.node.id}: Lambda could not put a failed event in its failure queue; the event is lost. The function's log group names the request.`,
      );
    }

    new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new GraphWidget({
            title: 'Onboarding executions',
            left: [
              stateMachine.metricStarted({ period }),
              stateMachine.metricSucceeded({ period }),
              stateMachine.metricFailed({ period }),
            ],
          }),
          new GraphWidget({
            title: 'Function errors',
            left: functions.map((fn) => fn.metricErrors({ period, label: fn.node.id })),
          }),
        ],
        [
          new GraphWidget({
            title: 'HTTP API answers',
            left: [
              edge.httpApi.metricServerError({ period, statistic: Stats.SUM, label: '5xx' }),
              edge.httpApi.metricClientError({ period, statistic: Stats.SUM, label: '4xx' }),
            ],
          }),
          new GraphWidget({
            title: 'Throttles',
            left: [
              stateMachine.metricThrottled({ period, statistic: Stats.SUM, label: 'ExecutionThrottled' }),
              ...edge.functions.map((fn) =>
                fn.metricThrottles({ period, statistic: Stats.SUM, label: fn.node.id }),
              ),
            ],
          }),
        ],
      ],
    });
  }
}
