import { readdirSync } from 'node:fs';
import './node-compat.ts';
import { onboardingStoreFromEnvironment } from '#adapters/from-environment';
import type { OnboardingStore } from '#adapters/onboarding-store';
import { createTable } from '#adapters/table-definition';
import { ASL_PATH, loadDefinition, loadFunctions } from './definition.ts';
import { type Emulator, type EmulatorHost, type EmulatorStats, startEmulatorHost } from './emulators.ts';
import { type OpenWindow, RealTimeFeedbackWindows } from './feedback-windows.ts';
import { limitHeapGrowth } from './heap-growth.ts';
import { type EdgeRoute, type LocalHttpApi, loadEdgeRoutes, startHttpApi } from './http-server.ts';
import { configureLocalInbound } from './inbound-config.ts';
import { LinkClicks } from './link-clicks.ts';
import { Mailbox } from './mailbox.ts';
import { requestClock } from './request-clock.ts';
import {
  type LambdaHandler,
  LOCAL_STATE_MACHINE_ARN,
  LocalStepFunctions,
  PreparedStateMachine,
} from './runner.ts';
import {
  generateLocalSecrets,
  LOCAL_SECRET_ARNS,
  type LocalSecrets,
  startSecretsManager,
} from './secrets-server.ts';
import { type StepFunctionsApi, startStepFunctionsApi } from './sfn-server.ts';
import { Simulation } from './simulation.ts';

export const LOCAL_SENDER = 'onramp@onramp.local';
export const LOCAL_OPERATOR = 'operator@onramp.local';
const TABLE_NAME = 'onramp-local';

export interface LocalRuntimeOptions {
  /** The values of the stack's secrets on this machine; fresh random ones by default. */
  secrets?: LocalSecrets;
  /** The loopback port of the HTTP API (the edge functions' routes); 0, the default, takes any free one. */
  httpPort?: number;
  /** The routes the HTTP API serves; by default those of functions/handlers/edge.functions.json. */
  edgeRoutes?: readonly EdgeRoute[];
  /**
   * Holds each week's feedback window open this many real seconds, so people can answer through
   * the links in the check-in emails (`npm run serve`). By default every Wait passes in virtual
   * time only, and only the simulation answers.
   */
  feedbackWindow?: { seconds: number; onOpen?: (window: OpenWindow) => void };
}

export interface LocalRuntime {
  endpoints: { dynamodb: string; ses: string; stepFunctions: string; secretsManager: string };
  /** The webhook signing secret and the link key the handlers read from the local Secrets Manager. */
  secrets: LocalSecrets;
  /** API Gateway's part: the edge functions behind a loopback HTTP server, at PUBLIC_BASE_URL. */
  http: Pick<LocalHttpApi, 'endpoint' | 'preload'>;
  stepFunctions: LocalStepFunctions;
  /** The same store adapter the handlers use, for reading what they wrote. */
  store: OnboardingStore;
  mailbox: Mailbox;
  /** The start handler (validate, persist, start the execution), as the CLI and the API call it. */
  startOnboarding: typeof import('#handlers/start-onboarding').startOnboarding;
  /** The feedback handler, as the link pages, inbound mail and the API call it. */
  recordFeedback: typeof import('#handlers/record-feedback').recordFeedback;
  /**
   * Scripted people who answer the check-ins of the onboardings they are given, through the
   * emails' rating links and confirm pages, or by replying to them.
   */
  simulation: Simulation;
  /** Peak resident memory (KiB), CPU and garbage collection time (ms) and requests served by operation of the emulator process so far. */
  emulatorStats(): Promise<EmulatorStats>;
  stop(): Promise<void>;
}

/**
 * Boots onramp on one machine: DynamoDB and SES emulators and the Step Functions API on loopback
 * ports it picks, the table created from the same definition the CDK stack deploys, and the state
 * machine file run in process with every Lambda state mapped to its real handler module. The
 * handlers find the emulators the way they find AWS: through the SDK's endpoint variables.
 *
 * One runtime per process: the handlers read their configuration from process.env at load, like
 * a Lambda cold start.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  limitHeapGrowth();
  const secrets = options.secrets ?? generateLocalSecrets();
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    // The emulated AWS side boots in its own process (and validates the definition there) while
    // this one loads the SDK and the interpreter.
    const functions = loadFunctions();
    const booting = await Promise.allSettled([
      startEmulatorHost(ASL_PATH),
      startStepFunctionsApi(),
      startSecretsManager(secrets),
      startHttpApi({ port: options.httpPort ?? 0 }),
      preloadHandlerDependencies().then(
        () => new PreparedStateMachine(loadDefinition(), functions, { validated: true }),
      ),
    ]);
    for (const part of booting)
      if (part.status === 'fulfilled' && 'close' in part.value) started.push(part.value);
    const failed = booting.find((part) => part.status === 'rejected');
    if (failed) throw failed.reason;
    const [emulators, api, secretsManager, http, prepared] = booting.map(
      (part) => (part as PromiseFulfilledResult<unknown>).value,
    ) as [EmulatorHost, StepFunctionsApi, Emulator, LocalHttpApi, PreparedStateMachine];
    const endpoints = {
      dynamodb: emulators.dynamodb,
      ses: emulators.ses,
      stepFunctions: api.endpoint,
      secretsManager: secretsManager.endpoint,
    };
    configureEnvironment(endpoints);
    // Links in emails point at the local HTTP API, as on AWS they point at the deployed one.
    process.env.PUBLIC_BASE_URL = http.endpoint;

    // Handlers load after the environment is set, as a Lambda's code loads after its configuration.
    const handlers: Record<string, LambdaHandler> = {};
    for (const f of functions) {
      handlers[f.handler] = (
        (await import(`../functions/handlers/${f.handler}.ts`)) as { handler: LambdaHandler }
      ).handler;
    }
    const runner = new LocalStepFunctions(prepared, handlers);
    api.attach(runner);
    http.attach(
      options.edgeRoutes ?? loadEdgeRoutes(),
      requestClock((onboardingId) => runner.executions.get(onboardingId)?.clock),
    );

    await createTable(TABLE_NAME);
    const { startOnboarding } = await import('#handlers/start-onboarding');
    const { recordFeedback } = await import('#handlers/record-feedback');
    const store = onboardingStoreFromEnvironment(process.env);
    const mailbox = new Mailbox(emulators.ses);
    const simulation = new Simulation(store, {
      mailbox,
      links: new LinkClicks(),
      letTimePass: (name, until) => runner.letTimePass(name, until),
    });
    runner.onWait = simulation.onWait;
    runner.onPark = simulation.onPark;
    const windows =
      options.feedbackWindow &&
      new RealTimeFeedbackWindows(options.feedbackWindow.seconds, options.feedbackWindow.onOpen);
    if (windows) {
      runner.onWait = async (wait) => {
        await simulation.onWait(wait);
        await windows.onWait(wait);
      };
      // Nobody is played here: the owner is whoever reads the mail, given a window's time to decide.
      runner.onPark = async (task) => {
        if (simulation.plays(task.executionName)) await simulation.onPark(task);
        else windows.onPark(task, (until) => runner.letTimePass(task.executionName, until));
      };
    }

    // Step Functions refuses an invalid definition before it runs anything; so does this.
    await emulators.definitionValidated;
    return {
      endpoints,
      secrets,
      http,
      stepFunctions: runner,
      store,
      mailbox,
      emulatorStats: emulators.stats,
      startOnboarding,
      recordFeedback,
      simulation,
      stop: async () => {
        for (const execution of runner.executions.values()) {
          if (execution.status === 'RUNNING') execution.abort();
        }
        windows?.close();
        await Promise.allSettled([...runner.executions.values()].map((e) => e.done));
        // The HTTP API first: the requests under way finish against running emulators.
        await http.close();
        await Promise.all(started.filter((e) => e !== http).map((e) => e.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((e) => e.close()));
    throw error;
  }
}

/** Loads the heavy modules the handlers import, without constructing anything that reads the environment. */
async function preloadHandlerDependencies(): Promise<void> {
  // The domain is pure: it reads no configuration when it loads (the handlers do), so all of it
  // loads now, with the libraries the workflow's handlers and adapters use.
  const core = new URL('../functions/core/', import.meta.url);
  const domain = readdirSync(core, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => new URL(file, core).href);
  await Promise.all([
    ...domain.map((module) => import(module)),
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('@aws-sdk/client-sesv2'),
    import('@aws-sdk/client-sfn'),
    import('@aws-sdk/client-secrets-manager'),
    import('@aws-lambda-powertools/parameters/secrets'),
    import('@aws-lambda-powertools/logger'),
    import('zod'),
    import('temporal-polyfill'),
  ]);
}

function configureEnvironment(endpoints: LocalRuntime['endpoints']): void {
  // Mail to the inbound address, and replies to the check-ins, go through the inbound function.
  configureLocalInbound();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    // The emulators accept any credentials; these keep the SDK from searching for real ones.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    // The mailer speaks SES API v2, whose client reads its own variable (not AWS_ENDPOINT_URL_SES).
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    WEBHOOK_SECRET_ARN: LOCAL_SECRET_ARNS.webhook,
    LINK_SECRET_ARN: LOCAL_SECRET_ARNS.link,
    TABLE_NAME,
    STATE_MACHINE_ARN: LOCAL_STATE_MACHINE_ARN,
    SENDER_EMAIL: LOCAL_SENDER,
    OPERATOR_EMAIL: LOCAL_OPERATOR,
    // The handlers log JSON lines as on AWS; locally they would bury the timeline, so only errors show.
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
  });
}
