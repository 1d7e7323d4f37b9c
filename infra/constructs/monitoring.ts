import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  stateMachine: StateMachine;
  functions: IFunction[];
  /** Where the alarms are emailed; SNS asks the address to confirm the subscription after deploy. */
  operatorEmail: string;
}

/**
 * Alarms on onboardings that ended badly, emailed to the operator, and a dashboard of the
 * workflow and its functions. A failed execution has already told its owner (MarkFailed); the
 * alarm is for the operator, and also covers a failure MarkFailed could not report.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, { stateMachine, functions, operatorEmail }: MonitoringProps) {
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
