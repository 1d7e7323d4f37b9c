import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { type Clock, runWithClock } from '#adapters/clock';
import {
  fromLambdaResult,
  gatewayError,
  type HttpResponse,
  matchRoute,
  type RoutePattern,
  routePattern,
  toApiGatewayEvent,
} from './api-gateway-event.ts';
import type { Emulator } from './emulators.ts';

/** How long stopping waits for the requests under way to be answered. */
const DRAIN_MS = 5_000;

const EDGE_MANIFEST = fileURLToPath(new URL('../functions/handlers/edge.functions.json', import.meta.url));

/** API Gateway's payload limit for HTTP APIs; the handlers enforce their own, smaller one. */
export const API_GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;
/** API Gateway's longest integration timeout for HTTP APIs; past it the client gets a 503. */
const INTEGRATION_TIMEOUT_MS = 30_000;

/** A Lambda function behind the HTTP API, as it is called. */
export type EdgeHandler = (event: APIGatewayProxyEventV2, context: Context) => unknown;

/** One route of the HTTP API (`GET /links/{token}`) and the function it integrates with. */
export interface EdgeRoute {
  routeKey: string;
  /** The function's id in the edge manifest (IntegrationApi), for logs and the Lambda context. */
  functionId: string;
  /** Loads the handler; called on the first request the route gets (see `loadEdgeRoutes`). */
  load(): Promise<EdgeHandler>;
}

export interface HttpApiOptions {
  /** The loopback port to listen on; 0 (the default) takes any free one. */
  port?: number;
  /**
   * Called when a handler fails or cannot be loaded: what CloudWatch would show. The client only
   * ever gets API Gateway's `{"message":"Internal Server Error"}`.
   */
  onError?: (message: string, error: unknown) => void;
}

/** API Gateway's HTTP API on a loopback port, in front of the edge functions. */
export interface LocalHttpApi extends Emulator {
  /**
   * Serves these routes; until then every request gets a 503, as a deploying API does. A request
   * runs at the time `clockOf` gives it (the virtual time of the onboarding it concerns), or at
   * the system's.
   */
  attach(routes: readonly EdgeRoute[], clockOf?: (event: APIGatewayProxyEventV2) => Clock | undefined): void;
  /** Loads every attached route's handler now; the ones that fail, with why. */
  preload(): Promise<Array<{ functionId: string; error: unknown }>>;
}

/**
 * The routes of functions/handlers/edge.functions.json, each handler module imported on the
 * first request that needs it: modules load after the runtime has set the environment (as a
 * Lambda's code loads after its configuration), and a route whose handler file is missing or
 * broken fails alone, with its file named in the error.
 */
export function loadEdgeRoutes(manifestPath = EDGE_MANIFEST): EdgeRoute[] {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    functions: Array<{ id: string; handler: string; routes?: string[] }>;
  };
  return manifest.functions.flatMap((f) => {
    const load = lazyHandler(f.id, f.handler);
    return (f.routes ?? []).map((routeKey) => ({ routeKey, functionId: f.id, load }));
  });
}

function lazyHandler(functionId: string, handlerName: string): () => Promise<EdgeHandler> {
  const file = `functions/handlers/${handlerName}.ts`;
  let loading: Promise<EdgeHandler> | undefined;
  return () => {
    loading ??= import(`../functions/handlers/${handlerName}.ts`)
      .then((module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function')
          throw new Error(`${file} has no exported "handler" function`);
        return module.handler as EdgeHandler;
      })
      .catch((error: unknown) => {
        // Not cached: the file may be fixed, or written, while the server runs.
        loading = undefined;
        const reason = (error as Error).message;
        throw new Error(`The ${functionId} function (${file}) cannot be loaded: ${reason}`, { cause: error });
      });
    return loading;
  };
}

/** Requests about no onboarding (or one with no execution here) read the system clock. */
const systemClock: Clock = { now: () => new Date() };

/**
 * Listens before the routes are attached: the handlers must find this server's URL in
 * PUBLIC_BASE_URL when they load (the links they put in emails), so it exists first.
 */
export async function startHttpApi(options: HttpApiOptions = {}): Promise<LocalHttpApi> {
  let routes: Array<EdgeRoute & { pattern: RoutePattern }> | undefined;
  let clockOf: ((event: APIGatewayProxyEventV2) => Clock | undefined) | undefined;
  const onError = options.onError ?? ((message, error) => console.error(`local HTTP API: ${message}`, error));
  let closing = false;
  const server: Server = createServer((req, res) => {
    // While closing, a connection kept alive is closed as soon as its answer is sent, so stopping
    // waits for answers, not for keep-alive timeouts.
    res.on('finish', () => {
      if (closing) server.closeIdleConnections();
    });
    void serve(req, res);
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const [path = '/'] = (req.url ?? '/').split('?');
    const respond = (response: HttpResponse) => send(res, response);
    try {
      const body = await readBody(req, API_GATEWAY_BODY_LIMIT);
      if (body === 'too large') return respond(gatewayError(413));
      if (!routes) return respond(gatewayError(503));
      const matched = findRoute(routes, method, path);
      if (!matched) return respond(gatewayError(404));
      const { routeKey } = matched.route;
      const event = toApiGatewayEvent(
        {
          method,
          url: req.url ?? '/',
          httpVersion: req.httpVersion,
          rawHeaders: req.rawHeaders,
          body,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          serverAddress: address(),
          receivedAt: new Date(),
        },
        { routeKey, pathParameters: matched.pathParameters },
      );
      respond(await invoke(matched.route, event));
    } catch (error) {
      // The path without its link token: a token in a log is a link anyone reading it could use.
      onError(
        `${method} ${path.replace(/^\/links\/[^/]+/, '/links/{token}')} failed before reaching a function`,
        error,
      );
      if (!res.headersSent) respond(gatewayError(500));
    }
  }

  async function invoke(route: EdgeRoute, event: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const { requestId } = event.requestContext;
    let handler: EdgeHandler;
    try {
      handler = await route.load();
    } catch (error) {
      onError(`${route.routeKey}: ${(error as Error).message}`, (error as Error).cause ?? error);
      return gatewayError(500, requestId);
    }
    const deadline = Date.now() + INTEGRATION_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => {
      timer = setTimeout(() => resolve('timed out'), INTEGRATION_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([
        runWithClock(clockOf?.(event) ?? systemClock, async () =>
          handler(event, lambdaContext(route.functionId, deadline)),
        ),
        timedOut,
      ]);
      if (result === 'timed out') {
        onError(`${route.routeKey}: ${route.functionId} did not answer within 30 s`, undefined);
        return gatewayError(503, requestId);
      }
      return fromLambdaResult(result, requestId);
    } catch (error) {
      onError(`${route.routeKey}: ${route.functionId} failed`, error);
      return gatewayError(500, requestId);
    } finally {
      clearTimeout(timer);
    }
  }

  const address = () => {
    const { port } = server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    endpoint: `http://${address()}`,
    attach: (attached, clock) => {
      routes = attached.map((route) => ({ ...route, pattern: routePattern(route.routeKey) }));
      clockOf = clock;
    },
    preload: async () => {
      const failures: Array<{ functionId: string; error: unknown }> = [];
      const byFunction = new Map((routes ?? []).map((route) => [route.functionId, route]));
      await Promise.all(
        [...byFunction.values()].map((route) =>
          route.load().catch((error: unknown) => failures.push({ functionId: route.functionId, error })),
        ),
      );
      return failures;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // New requests are refused and idle connections closed; those under way are answered
        // first, for a few seconds at most.
        closing = true;
        const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * The route for a request, as API Gateway picks it: an exact path over one with parameters, a
 * parameter over a greedy one, a method over ANY, anything over `$default`.
 */
function findRoute<R extends { pattern: RoutePattern }>(
  routes: readonly R[],
  method: string,
  path: string,
): { route: R; pathParameters: Record<string, string> } | undefined {
  let best: { route: R; pathParameters: Record<string, string>; score: number } | undefined;
  for (const route of routes) {
    const pathParameters = matchRoute(route.pattern, method, path);
    if (!pathParameters) continue;
    const score =
      (route.pattern.routeKey === '$default' ? -1 : 0) +
      route.pattern.segments.reduce(
        (sum, segment) => sum + (segment.endsWith('+}') ? 0 : segment.startsWith('{') ? 1 : 2),
        0,
      ) *
        2 +
      (route.pattern.method === 'ANY' ? 0 : 1);
    if (!best || score > best.score) best = { route, pathParameters, score };
  }
  return best;
}

/** The body, or 'too large' past `limit` (read to the end still, so the client gets the 413). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too large'> {
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    await new Promise((resolve) => req.once('end', resolve).once('error', resolve));
    return 'too large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? 'too large' : Buffer.concat(chunks);
}

function send(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': response.body.length });
  res.end(response.body);
}

/** The Lambda context a function gets; the deadline is the integration's. */
export function lambdaContext(functionId: string, deadline: number): Context {
  const functionName = `onramp-local-${functionId}`;
  const unsupported = () => {
    throw new Error('Callback-style Lambda handlers are not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
