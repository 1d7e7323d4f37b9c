import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  stateMachine: StateMachine;
  functions: IFunction[];
}

/**
 * Alarms on onboardings that ended badly, and a dashboard of the workflow and its functions.
 * A failed execution has already told its owner (MarkFailed); the alarm is for the operator.
 */
export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, { stateMachine, functions }: MonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const alarmOnAny = (name: string, metric: IMetric, description: string) =>
      new Alarm(this, name, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
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
