import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RoutedFunction } from '../edge-manifest.ts';
import { type NeedResources, OnrampFunction } from './onramp-function.ts';

export interface ApiProps {
  /** Steady-state requests per second for the whole stage. */
  rateLimit: number;
  /** Requests above the rate absorbed at once before API Gateway answers 429. */
  burstLimit: number;
  logRetention: RetentionDays;
}

/**
 * How long a function behind a route may run: under API Gateway's 30-second integration timeout
 * (the HTTP API's maximum), so a slow invocation ends as the function's own timeout, logged and
 * counted in its Errors, rather than as a bare 504 from API Gateway while the function keeps running.
 */
export const routeFunctionTimeout = Duration.seconds(25);

/**
 * One access-log line per request, as JSON. The route key (`GET /links/{token}`), never the raw
 * path: link tokens ride in the path and must not reach the logs.
 */
const accessLogLine = JSON.stringify({
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
});

/**
 * The HTTP API: the routes of functions/handlers/edge.functions.json, each a Lambda proxy
 * integration (payload format 2.0), on a throttled, access-logged `$default` stage, and nothing
 * else (no catch-all route). The 256 KB body limit is the handlers' (API Gateway allows 10 MB).
 *
 * The API comes first and its routes later (`addFunction`): the workflow's emails link to this
 * API's URL, and the integration functions start the workflow; the endpoint URL depends on the
 * API alone, not on its routes, so there is no cycle.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  /** `https://<id>.execute-api.<region>.amazonaws.com`, no trailing slash: PUBLIC_BASE_URL. */
  readonly url: string;
  readonly functions: OnrampFunction[] = [];
  private readonly logRetention: RetentionDays;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.logRetention = props.logRetention;
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `${Stack.of(this).stackName}-edge`,
      description: 'onramp: signed integration webhooks and the pages behind email links',
      // The stage is ours, below, for its throttling and access logs.
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(accessLogLine),
      },
    });
    this.url = this.httpApi.apiEndpoint;
  }

  /**
   * Creates the function of an edge manifest entry, binds what it needs, and routes each of its
   * routes to it.
   */
  addFunction(entry: RoutedFunction, resources: NeedResources): OnrampFunction {
    const fn = new OnrampFunction(this, entry.id, {
      entry: `functions/handlers/${entry.handler}.ts`,
      logRetention: this.logRetention,
      timeout: routeFunctionTimeout,
    }).bindNeeds(entry.needs, resources);
    const integration = new HttpLambdaIntegration(`${entry.id}Integration`, fn, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    for (const route of entry.routes) {
      const [method, path] = route.split(' ') as [keyof typeof HttpMethod, string];
      const [created] = this.httpApi.addRoutes({ path, methods: [HttpMethod[method]], integration });
      Validations.of(created!).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'No API Gateway authorizer by design: integration routes verify a Standard Webhooks signature (HMAC, 5-minute tolerance) in the handler, link pages a signed expiring token; both reject before touching anything.',
      });
    }
    this.functions.push(fn);
    return fn;
  }
}
