import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { toApiGatewayEvent } from './api-gateway-event.ts';

type LinkHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** What a click (or a form sent) got back. */
export interface LinkResponse {
  status: number;
  body: string;
}

/**
 * A simulated person following a link from an email: the request goes to the link pages' real
 * handler as the event API Gateway would build from it, in the caller's time (inside an
 * execution's virtual clock, the simulation's clicks happen at that execution's time).
 */
export class LinkClicks {
  private handler: Promise<LinkHandler> | undefined;

  /**
   * Opens the link (GET), or sends its page's form (POST, form-encoded); a list is a field sent
   * once per value, as a browser sends ticked checkboxes.
   */
  async click(url: string, form?: Record<string, string | readonly string[]>): Promise<LinkResponse> {
    const { pathname, host } = new URL(url);
    const token = decodeURIComponent(pathname.split('/links/')[1] ?? '');
    const method = form ? 'POST' : 'GET';
    const fields = Object.entries(form ?? {}).flatMap(([name, value]) =>
      (typeof value === 'string' ? [value] : value).map((v): [string, string] => [name, v]),
    );
    const body = form ? Buffer.from(new URLSearchParams(fields).toString(), 'utf8') : Buffer.alloc(0);
    const event = toApiGatewayEvent(
      {
        method,
        url: pathname,
        httpVersion: '1.1',
        rawHeaders: [
          'host',
          host,
          'user-agent',
          'onramp-simulation',
          ...(form ? ['content-type', 'application/x-www-form-urlencoded'] : []),
        ],
        body,
        sourceIp: '127.0.0.1',
        serverAddress: host,
        receivedAt: new Date(),
      },
      { routeKey: `${method} /links/{token}`, pathParameters: { token } },
    );
    // Loaded on the first click, after the runtime has set the environment (as a cold start).
    this.handler ??= import('#handlers/link-pages').then((m) => m.handler as LinkHandler);
    const result = await (await this.handler)(event);
    return { status: result.statusCode ?? 200, body: result.body ?? '' };
  }
}
