/**
 * Slow clients cannot hold a connection: a request must arrive whole within
 * RELIEF_REQUEST_TIMEOUT (its headers within RELIEF_HEADERS_TIMEOUT), else 408 and the connection
 * closes. Long responses are not cut. The timeouts are set to 1 s here.
 */
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openRaw, parseRawResponse, rawRequest } from '../helpers/raw-http.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

let server: TestServer;
let port: number;
const STREAM_EVENTS = 8;

beforeAll(async () => {
  server = await startTestServer({
    env: { RELIEF_REQUEST_TIMEOUT: '1', RELIEF_HEADERS_TIMEOUT: '1' },
    setup: ({ app, tasks }) => {
      tasks.registerType({
        id: 'slow',
        title: 'Slow',
        version: '1.0.0',
        inputSchema: z.object({ steps: z.number().int().min(1).max(20) }),
        inputs: { steps: { title: 'Steps of 300 ms', schema: { type: 'integer' } } },
        outputs: { steps: { title: 'Steps done', schema: { type: 'integer' } } },
        jobControlOptions: ['async-execute', 'sync-execute'],
        resumable: false,
        run: async ({ steps }, ctx) => {
          for (let i = 1; i <= steps; i++) {
            await new Promise((resolve) => setTimeout(resolve, 300));
            ctx.progress((i / steps) * 100, `step ${i}`);
          }
          return { steps };
        },
      });
      // Like /jobs/{id}/events: an event stream that lasts well beyond the request timeout.
      app.get('/test/slow-events', (_request, reply) => {
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
        let sent = 0;
        const timer = setInterval(() => {
          sent++;
          reply.raw.write(`data: ${sent}\n\n`);
          if (sent === STREAM_EVENTS) {
            clearInterval(timer);
            reply.raw.end();
          }
        }, 300);
      });
    },
  });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  port = (server.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await server.close();
});

function expectTimeoutAnswer(text: string): void {
  const answer = parseRawResponse(text);
  expect(answer.status).toBe(408);
  expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(answer.headers.connection).toBe('close');
  expect(JSON.parse(answer.body)).toEqual({
    type: 'about:blank',
    title: 'Request Timeout',
    status: 408,
    detail: 'The request was not received in time',
    code: 'RequestTimeout',
  });
}

describe('slow requests', () => {
  it('answers 408 and closes a request that sends its headers and one body byte, then stalls', async () => {
    const { closed } = openRaw(
      port,
      'POST /processes/echo/execution HTTP/1.1\r\nHost: localhost\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    expectTimeoutAnswer(await closed);
    // A client's stall is not a server fault: logged below error level, without a stack.
    const timeoutLog = server.logs.find((line) => line.code === 'ERR_HTTP_REQUEST_TIMEOUT');
    expect(timeoutLog).toMatchObject({ level: 30, status: 408 });
    expect(timeoutLog?.err).toBeUndefined();
    expect(server.logs.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('answers 408 and closes a request whose headers trickle in (slowloris)', async () => {
    const { socket, closed } = openRaw(port, 'GET /health HTTP/1.1\r\nHost: localhost\r\n');
    let header = 0;
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(`X-Slow-${header++}: x\r\n`);
    }, 200);
    try {
      expectTimeoutAnswer(await closed);
    } finally {
      clearInterval(trickle);
    }
    // It was cut while still sending, not after a few headers.
    expect(header).toBeGreaterThan(2);
  });

  it('does not cut an event stream that lasts longer than the request timeout', async () => {
    const text = await rawRequest(
      port,
      'GET /test/slow-events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    const answer = parseRawResponse(text);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/event-stream');
    const events = answer.body.match(/data: \d+/g);
    expect(events).toEqual(Array.from({ length: STREAM_EVENTS }, (_, i) => `data: ${i + 1}`));
  });

  it('does not cut job events, a ?wait long poll or a synchronous execution that outlast it', async () => {
    const http = request(server.app.server);
    // A POST whose body arrived at once, answered after about 2.4 s (Prefer: wait).
    const sync = await http
      .post('/processes/slow/execution')
      .set('Prefer', 'wait=30')
      .send({ inputs: { steps: 8 } });
    expect(sync.status).toBe(200);
    expect(sync.body).toEqual({ steps: 8 });

    const created = await http.post('/processes/slow/execution').send({ inputs: { steps: 8 } });
    expect(created.status).toBe(201);
    const jobId = created.body.jobID as string;
    const [events, polled] = await Promise.all([
      http
        .get(`/jobs/${jobId}/events`)
        .buffer(true)
        .parse((response, callback) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => callback(null, text));
        }),
      http.get(`/jobs/${jobId}?wait=30`),
    ]);
    expect(polled.status).toBe(200);
    expect(polled.body).toMatchObject({ jobID: jobId, status: 'successful' });
    expect(events.status).toBe(200);
    const text = events.body as string;
    expect(text).toContain('"status":"successful"');
    // Every step's progress arrived: the stream ran to the job's end.
    for (let step = 1; step <= 8; step++) expect(text).toContain(`step ${step}`);
  });

  it('serves a request that arrives in time on the same server', async () => {
    const answer = parseRawResponse(
      await rawRequest(
        port,
        'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      ),
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok' });
  });
});
