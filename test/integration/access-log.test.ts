/**
 * The access log: one line per request with method, redacted URL, status, time, bytes and request
 * id; probes only at debug; a client that leaves early still gets its line; level names in JSON.
 */
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type LogLine, type TestServer } from '../../src/testing/test-server.ts';

let server: TestServer;
let port: number;
/** Resolves when the hanging route has been reached. */
let reached: () => void = () => undefined;

beforeAll(async () => {
  server = await startTestServer({
    setup: ({ app }) => {
      // Answers only when the client has gone: the line must then come from the close.
      app.get('/test/hang', async (req) => {
        reached();
        await new Promise((resolve) => req.raw.once('close', resolve));
        return 'too late';
      });
      app.get('/test/stream', (_req, reply) => {
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
        reply.raw.write('data: 1\n\n');
        reached();
      });
    },
  });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  port = (server.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await server?.close();
});

const http = () => request(server.app.server);
const accessLines = (id: string): LogLine[] =>
  server.logs.filter((l) => l.requestId === id && /^request (completed|aborted)$/.test(l.msg));

describe('access log', () => {
  it('writes one line per request with the redacted URL, status, time, bytes and request id', async () => {
    const response = await http()
      .get('/ows?SERVICE=WMS&REQUEST=GetCapabilities&access_token=abc-secret-1&VERSION=1.3.0')
      .set('x-request-id', 'access-ows-1');
    expect(response.status).toBe(200);
    const lines = accessLines('access-ows-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      method: 'GET',
      url: '/ows?SERVICE=WMS&REQUEST=GetCapabilities&access_token=***&VERSION=1.3.0',
      status: 200,
      bytes: Buffer.byteLength(response.text),
    });
    expect(lines[0]?.remoteAddress).toMatch(/127\.0\.0\.1$/);
    expect(typeof lines[0]?.responseTime).toBe('number');
    expect(server.logText.some((line) => line.includes('abc-secret-1'))).toBe(false);
    // Fastify's own pair is not written.
    expect(server.logs.filter((l) => /^incoming request$/.test(l.msg))).toEqual([]);
  });

  it('logs client errors with their status, the query redacted', async () => {
    await http().get('/nowhere?token=abc-secret-2&x=1').set('x-request-id', 'access-404');
    expect(accessLines('access-404')).toMatchObject([
      { level: 30, method: 'GET', url: '/nowhere?token=***&x=1', status: 404 },
    ]);
    expect(server.logText.some((line) => line.includes('abc-secret-2'))).toBe(false);
  });

  it('logs the probes at debug only', async () => {
    await http().get('/health').set('x-request-id', 'probe-health').expect(200);
    await http().get('/ready').set('x-request-id', 'probe-ready').expect(200);
    expect(accessLines('probe-health')).toMatchObject([{ level: 20, url: '/health', status: 200 }]);
    expect(accessLines('probe-ready')).toMatchObject([{ level: 20, url: '/ready', status: 200 }]);
    const atInfo = server.logs.filter((l) => l.level >= 30 && /^\/(health|ready)/.test(`${l.url}`));
    expect(atInfo).toEqual([]);
  });

  it('writes the line when the client leaves before the answer, with 499', async () => {
    await leaveEarly('/test/hang', 'access-gone');
    await expect.poll(() => accessLines('access-gone')).toHaveLength(1);
    expect(accessLines('access-gone')[0]).toMatchObject({
      level: 30,
      msg: 'request aborted',
      url: '/test/hang',
      status: 499,
      aborted: true,
    });
  });

  it('writes the line when the client leaves a stream, with the status it was sent', async () => {
    await leaveEarly('/test/stream', 'access-stream');
    await expect.poll(() => accessLines('access-stream')).toHaveLength(1);
    expect(accessLines('access-stream')[0]).toMatchObject({
      msg: 'request aborted',
      status: 200,
      aborted: true,
    });
  });

  it('writes level names, not numbers', () => {
    expect(server.logText.length).toBeGreaterThan(5);
    for (const line of server.logText) {
      expect(JSON.parse(line)).toMatchObject({
        level: expect.stringMatching(/^(trace|debug|info|warn|error|fatal)$/),
      });
    }
    expect(server.logText.some((line) => line.includes('"level":"info"'))).toBe(true);
  });
});

/** Sends a GET, waits until its route is running, then drops the connection. */
async function leaveEarly(path: string, id: string): Promise<void> {
  const running = new Promise<void>((resolve) => (reached = resolve));
  const client = get({ host: '127.0.0.1', port, path, headers: { 'x-request-id': id } });
  client.on('error', () => undefined); // the socket is destroyed on purpose
  await running;
  client.destroy();
}
