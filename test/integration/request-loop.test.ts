/**
 * The request loop through HTTP: filter order, early answers, rewrites, buffered and streamed
 * responses, errors, and that every kind of route (OWS, REST, static) passes through it.
 */
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceException } from '../../src/errors/service-exception.ts';
import type { ServerFilter } from '../../src/filters/server-filter.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

let server: TestServer;
let served: Array<Record<string, string>>;
let streamState: { produced: number; finished: boolean; destroyed: boolean };

beforeAll(async () => {
  server = await startTestServer({
    setup: ({ app }) => {
      app.get('/rest/echo', async (req) => ({ query: req.query }));
    },
  });
  served = [];
  server.registry.register({
    name: 'TEST',
    versions: ['1.0.0'],
    operations: {
      Echo: ({ parameters }) => {
        served.push(parameters.toObject());
        return { contentType: 'text/plain', body: `echo:${parameters.get('msg') ?? ''}` };
      },
      Stream: ({ parameters }) => {
        const chunks = Number(parameters.get('chunks') ?? '3');
        const size = Number(parameters.get('size') ?? '0');
        streamState = { produced: 0, finished: false, destroyed: false };
        const state = streamState;
        async function* generate() {
          try {
            for (let i = 0; i < chunks; i++) {
              state.produced++;
              yield size > 0 ? Buffer.alloc(size, 97) : `chunk${i};`;
            }
            state.finished = true;
          } finally {
            if (!state.finished) state.destroyed = true;
          }
        }
        return { contentType: 'text/plain', body: generate() };
      },
      Fail: () => {
        throw new ServiceException('InvalidParameterValue', 'msg <must> be "good" & kind', 'msg');
      },
    },
  });
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  server.chain.removePlugin('test');
  server.chain.removePlugin('other');
  served = [];
});

const ows = (query: string) =>
  request(server.app.server).get(`/ows?SERVICE=TEST&VERSION=1.0.0&${query}`);

describe('filter order', () => {
  it('runs filters in ascending priority, registration order within a priority', async () => {
    const calls: string[] = [];
    const named = (name: string): ServerFilter => ({
      requestReady: () => void calls.push(`ready:${name}`),
      responseComplete: () => void calls.push(`complete:${name}`),
      sendResponse: () => void calls.push(`send:${name}`),
    });
    server.chain.register(named('p10-a'), 10, 'test');
    server.chain.register(named('p-5'), -5, 'test');
    server.chain.register(named('p10-b'), 10, 'test');
    server.chain.register(named('p0'), 0, 'test');
    const response = await ows('REQUEST=Echo&msg=x');
    expect(response.text).toBe('echo:x');
    const order = ['p-5', 'p0', 'p10-a', 'p10-b'];
    expect(calls).toEqual([
      ...order.map((n) => `ready:${n}`),
      ...order.map((n) => `complete:${n}`),
      ...order.map((n) => `send:${n}`),
    ]);
  });

  it('stops the remaining filters of a hook when one returns false', async () => {
    const calls: string[] = [];
    server.chain.register({ requestReady: () => void calls.push('first') }, 1, 'test');
    server.chain.register({ requestReady: () => (calls.push('stopper'), false) }, 2, 'test');
    server.chain.register({ requestReady: async () => void calls.push('never') }, 3, 'test');
    server.chain.register(
      { responseComplete: () => void calls.push('complete still runs') },
      3,
      'test',
    );
    await ows('REQUEST=Echo');
    expect(calls).toEqual(['first', 'stopper', 'complete still runs']);
  });

  it('mixes synchronous and asynchronous filters in order', async () => {
    const calls: string[] = [];
    server.chain.register({ requestReady: () => void calls.push('sync1') }, 1, 'test');
    server.chain.register(
      {
        requestReady: () =>
          new Promise<void>((r) => setTimeout(() => (calls.push('async'), r()), 5)),
      },
      2,
      'test',
    );
    server.chain.register({ requestReady: () => void calls.push('sync2') }, 3, 'test');
    await ows('REQUEST=Echo');
    expect(calls).toEqual(['sync1', 'async', 'sync2']);
  });
});

describe('requestReady', () => {
  it('answers early: the service is skipped, response hooks still run', async () => {
    let completed = false;
    server.chain.register(
      {
        requestReady: (ctx) => {
          if (ctx.parameters.get('token') !== 'secret')
            ctx.response.send('denied', 'text/plain', 403);
        },
        responseComplete: () => {
          completed = true;
        },
      },
      0,
      'test',
    );
    const denied = await ows('REQUEST=Echo&msg=hi');
    expect(denied.status).toBe(403);
    expect(denied.text).toBe('denied');
    expect(served).toHaveLength(0);
    expect(completed).toBe(true);
    const allowed = await ows('REQUEST=Echo&msg=hi&token=secret');
    expect(allowed.text).toBe('echo:hi');
    expect(served).toHaveLength(1);
  });

  it('rewrites parameters and headers that the service then sees (names case-insensitive)', async () => {
    server.chain.register(
      {
        requestReady: (ctx) => {
          ctx.parameters.set('MSG', `${ctx.parameters.get('msg')}-rewritten`);
          ctx.parameters.delete('drop');
          ctx.headers['x-added'] = 'yes';
        },
      },
      0,
      'test',
    );
    const response = await ows('REQUEST=Echo&msg=original&drop=1');
    expect(response.text).toBe('echo:original-rewritten');
    expect(served[0]).toMatchObject({ msg: 'original-rewritten' });
    expect(served[0]).not.toHaveProperty('drop');
  });

  it('rewrites are seen by REST routes too', async () => {
    server.chain.register(
      { requestReady: (ctx) => void ctx.parameters.set('added', '1') },
      0,
      'test',
    );
    const response = await request(server.app.server).get('/rest/echo?a=b');
    expect(response.body).toEqual({ query: { a: 'b', added: '1' } });
  });

  it('a ServiceException from a filter becomes the OGC exception of the request', async () => {
    server.chain.register(
      {
        requestReady: () => {
          throw new ServiceException('InvalidParameterValue', 'blocked by policy', 'LAYERS');
        },
      },
      0,
      'test',
    );
    const response = await request(server.app.server).get('/ows?SERVICE=HELLO_NOT&REQUEST=x');
    expect(response.status).toBe(400);
    expect(response.type).toBe('application/xml');
    expect(response.text).toContain('exceptionCode="InvalidParameterValue"');
    expect(response.text).toContain('locator="LAYERS"');
    expect(response.text).toContain('blocked by policy');
  });
});

describe('buffered responses', () => {
  it('responseComplete replaces body, status and headers; sendResponse sees the replacement once', async () => {
    const chunks: string[] = [];
    server.chain.register(
      {
        responseComplete: (ctx) => {
          expect(ctx.response.body?.toString()).toBe('echo:hi');
          ctx.response.send(
            `<watermarked>${ctx.response.body?.toString()}</watermarked>`,
            'application/xml',
            202,
          );
          ctx.response.setHeader('x-watermark', 'relief');
        },
        sendResponse: (_ctx, chunk) => {
          chunks.push(`${chunk.index}:${chunk.data.toString()}`);
        },
      },
      0,
      'test',
    );
    const response = await ows('REQUEST=Echo&msg=hi');
    expect(response.status).toBe(202);
    expect(response.headers['x-watermark']).toBe('relief');
    expect(response.type).toBe('application/xml');
    expect(response.text).toBe('<watermarked>echo:hi</watermarked>');
    expect(response.headers['content-length']).toBe(String(response.text.length));
    expect(chunks).toEqual(['0:<watermarked>echo:hi</watermarked>']);
  });

  it('sendResponse transforms the buffered body', async () => {
    server.chain.register(
      { sendResponse: (_ctx, chunk) => void (chunk.data = chunk.data.toString() + '!') },
      0,
      'test',
    );
    server.chain.register(
      { sendResponse: (_ctx, chunk) => void (chunk.data = `[${chunk.data.toString()}]`) },
      1,
      'test',
    );
    const response = await ows('REQUEST=Echo&msg=a');
    expect(response.text).toBe('[echo:a!]');
  });
});

describe('streamed responses', () => {
  it('calls sendResponse once per chunk, in order, before responseComplete; the client gets transformed chunks', async () => {
    const events: string[] = [];
    server.chain.register(
      {
        sendResponse: (ctx, chunk) => {
          expect(ctx.response.streamed).toBe(true);
          events.push(`send:${chunk.index}:${chunk.data.toString()}`);
          chunk.data = chunk.data.toString().toUpperCase();
        },
        responseComplete: (ctx) => {
          events.push(`complete:streamed=${ctx.response.streamed}`);
        },
      },
      0,
      'test',
    );
    const n = 25;
    const response = await ows(`REQUEST=Stream&chunks=${n}`);
    expect(response.status).toBe(200);
    expect(response.text).toBe(Array.from({ length: n }, (_, i) => `CHUNK${i};`).join(''));
    expect(events).toHaveLength(n + 1);
    expect(events.slice(0, n)).toEqual(Array.from({ length: n }, (_, i) => `send:${i}:chunk${i};`));
    expect(events[n]).toBe('complete:streamed=true');
  });

  it('respects backpressure and cleans up when the client disconnects mid-stream', async () => {
    let sent = 0;
    server.chain.register({ sendResponse: () => void sent++ }, 0, 'test');
    await new Promise<void>((resolve) => server.app.server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.app.server.address() as AddressInfo;
    // 4096 chunks of 64 KiB = 256 MiB if the server buffered it all; the client reads nothing.
    await new Promise<void>((resolve, reject) => {
      const req = get(
        `http://127.0.0.1:${port}/ows?SERVICE=TEST&VERSION=1.0.0&REQUEST=Stream&chunks=4096&size=65536`,
        (res) => {
          res.pause();
          setTimeout(() => {
            try {
              // Only what fits in socket and stream buffers was produced: a few MiB, not 256.
              expect(streamState.produced).toBeLessThan(400);
              expect(streamState.produced).toBeGreaterThan(0);
              req.destroy();
              resolve();
            } catch (error) {
              reject(error as Error);
            }
          }, 400);
        },
      );
      req.on('error', () => undefined);
    });
    await expect.poll(() => streamState.destroyed, { timeout: 2000 }).toBe(true);
    expect(streamState.finished).toBe(false);
    expect(sent).toBeLessThan(400);
    // The server is unharmed and serves the next request.
    const next = await ows('REQUEST=Echo&msg=after');
    expect(next.text).toBe('echo:after');
    await new Promise<void>((resolve) => server.app.server.close(() => resolve()));
  });

  it('an error in a sendResponse filter mid-stream ends the stream and is logged', async () => {
    server.chain.register(
      {
        sendResponse: (_ctx, chunk) => {
          if (chunk.index === 2) throw new Error('boom in chunk 2');
        },
      },
      0,
      'other',
    );
    const response = await ows('REQUEST=Stream&chunks=10').then(
      (r) => r,
      (error: Error) => error,
    );
    // The client sees a truncated body or a reset, never the full stream.
    if (!(response instanceof Error)) expect(response.text).not.toContain('chunk9;');
    const logged = server.logs.find((l) =>
      l.msg.includes('filter failed during a streamed response'),
    );
    expect(logged?.plugin).toBe('other');
    expect(typeof logged?.requestId).toBe('string');
    const next = await ows('REQUEST=Echo&msg=ok');
    expect(next.text).toBe('echo:ok');
  });
});

describe('errors', () => {
  it('an unexpected filter error gives a generic 500, is logged with plugin and request id, and the next request works', async () => {
    server.chain.register(
      {
        requestReady: (ctx) => {
          if (ctx.parameters.get('msg') === 'crash') throw new TypeError('secret internal detail');
        },
      },
      0,
      'other',
    );
    const failed = await ows('REQUEST=Echo&msg=crash');
    expect(failed.status).toBe(500);
    expect(failed.text).toContain('exceptionCode="NoApplicableCode"');
    expect(failed.text).not.toContain('secret internal detail');
    expect(failed.text).not.toMatch(/at .*\.ts:\d+/);
    const requestId = failed.headers['x-request-id'];
    const logged = server.logs.find((l) => l.requestId === requestId && l.level === 50);
    expect(logged?.plugin).toBe('other');
    expect(JSON.stringify(logged?.err)).toContain('secret internal detail');
    const next = await ows('REQUEST=Echo&msg=fine');
    expect(next.status).toBe(200);
    expect(next.text).toBe('echo:fine');
  });

  it('a failing REST route gets problem+json without internals', async () => {
    server.chain.register(
      {
        requestReady: (ctx) => {
          if (ctx.path === '/rest/echo') throw new Error('db password is hunter2');
        },
      },
      0,
      'other',
    );
    const response = await request(server.app.server).get('/rest/echo');
    expect(response.status).toBe(500);
    expect(response.type).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      status: 500,
      title: 'Internal Server Error',
      instance: '/rest/echo',
    });
    expect(response.text).not.toContain('hunter2');
  });

  it('a service exception is rendered with code, locator and escaped message', async () => {
    const response = await ows('REQUEST=Fail');
    expect(response.status).toBe(400);
    expect(response.text).toContain('exceptionCode="InvalidParameterValue"');
    expect(response.text).toContain('locator="msg"');
    expect(response.text).toContain('msg &lt;must&gt; be "good" &amp; kind');
  });

  it('an error thrown by responseComplete is answered once, without looping through the filters', async () => {
    let calls = 0;
    server.chain.register(
      {
        responseComplete: () => {
          calls++;
          throw new ServiceException('NoApplicableCode', 'watermark failed', undefined, 500);
        },
      },
      0,
      'test',
    );
    const response = await ows('REQUEST=Echo');
    expect(response.status).toBe(500);
    expect(response.text).toContain('watermark failed');
    expect(calls).toBe(1);
  });

  it('REST 404s and bad bodies are problem+json', async () => {
    const missing = await request(server.app.server).get('/no/such/thing');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      status: 404,
      title: 'Not Found',
      instance: '/no/such/thing',
    });
  });
});

describe('every request passes through the loop', () => {
  it('runs all three hooks for a REST route', async () => {
    const seen: string[] = [];
    server.chain.register(
      {
        requestReady: (ctx) => void seen.push(`ready:${ctx.kind}:${ctx.path}`),
        responseComplete: (ctx) => void seen.push(`complete:${ctx.response.body?.toString()}`),
        sendResponse: (_ctx, chunk) => void (chunk.data = chunk.data.toString().replace('b', 'B')),
      },
      0,
      'test',
    );
    const response = await request(server.app.server).get('/rest/echo?a=b');
    expect(response.text).toBe('{"query":{"a":"B"}}');
    expect(seen).toEqual(['ready:rest:/rest/echo', 'complete:{"query":{"a":"b"}}']);
  });

  it('runs for a static file, which streams', async () => {
    const seen: string[] = [];
    server.chain.register(
      {
        requestReady: (ctx) => void seen.push(`ready:${ctx.path}`),
        sendResponse: (_ctx, chunk) =>
          void (chunk.data = chunk.data.toString().replace('<h1>Relief</h1>', '<h1>Filtered</h1>')),
        responseComplete: (ctx) => void seen.push(`complete:streamed=${ctx.response.streamed}`),
      },
      0,
      'test',
    );
    const response = await request(server.app.server).get('/index.html');
    expect(response.status).toBe(200);
    expect(response.text).toContain('<h1>Filtered</h1>');
    expect(seen).toEqual(['ready:/index.html', 'complete:streamed=true']);
  });

  it('with no filters, responses are untouched and carry a request id', async () => {
    const response = await ows('REQUEST=Echo&msg=plain');
    expect(response.text).toBe('echo:plain');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const traced = await ows('REQUEST=Echo').set('x-request-id', 'trace-abc.123');
    expect(traced.headers['x-request-id']).toBe('trace-abc.123');
  });
});

// Readable is imported for type completeness of generator-based bodies in services.
void Readable;
