import { Duration } from 'aws-cdk-lib';
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
  functions: IFunction[];
  failureQueues?: FailureQueue[];
  /** Where the alarms are emailed; SNS asks the address to confirm the subscription after deploy. */
  operatorEmail: string;
}

/**
 * Alarms on onboardings that ended badly, emailed to the operator, and a dashboard of the
 * workflow and its functions. A failed execution has already told its owner (MarkFailed); the
 * alarm is for the operator, and also covers a failure MarkFailed could not report. So does the
 * alarm on each failure queue: an asynchronous event no one else will hear of.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;

  constructor(
    scope: Construct,
    id: string,
    { stateMachine, functions, failureQueues = [], operatorEmail }: MonitoringProps,
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
      ],
    });
  }
}
