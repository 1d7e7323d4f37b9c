import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startHttpApi } from '#local/http-server';

describe('stopping the local HTTP API', () => {
  it('answers a request under way, then closes its kept-alive connection at once', async () => {
    // Prepare: a keep-alive request whose body has not arrived yet when the stop begins.
    const api = await startHttpApi({ port: 0 });
    const { port } = new URL(api.endpoint);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /onboardings HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n',
    );
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk;
    });
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));

    // Act
    const began = performance.now();
    const stopped = api.close().then(() => performance.now() - began);
    socket.write('{}');
    const stoppedAfterMs = await stopped;
    await socketClosed;

    // Assess: answered (no routes are attached here: 503), and not held for the 5 s drain limit.
    expect(reply).toMatch(/^HTTP\/1\.1 503 /);
    expect(stoppedAfterMs).toBeLessThan(2_000);
  });
});
