/**
 * Issue 13 (a plugin SDK), the request-loop items: requestEnd reaches every filter that saw a
 * request, however it ended (item 1); ctx.parameters is the request as sent on every route, and
 * a filter's change to it is what a REST route's schema checks (item 3); changing a streamed
 * response after it was sent fails loudly and leaves the response whole (item 4).
 */
import { once } from 'node:events';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { FeatureCollection } from 'geojson';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEnd, ServerFilter } from '../../src/filters/server-filter.ts';
import type { RequestContext } from '../../src/request-loop/request-context.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';
import { parseRawResponse, rawRequest } from '../helpers/raw-http.ts';

const places: FeatureCollection = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', geometry: { type: 'Point', coordinates: [7, 46] }, properties: { n: 1 } },
    { type: 'Feature', geometry: { type: 'Point', coordinates: [8, 47] }, properties: { n: 2 } },
  ],
};
const GET_FEATURE =
  '/ows?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=places&OUTPUTFORMAT=application/geo%2Bjson';

let server: TestServer;
let port: number;
let hang: { entered: () => void } | undefined;
const http = () => request(`http://127.0.0.1:${port}`);

/** `n` lines of `size` characters (at least `line <i>\n`), a few milliseconds apart. */
function streamOf(n: number, size: number): Readable {
  async function* lines() {
    for (let i = 0; i < n; i++) {
      await delay(2);
      const line = `line ${i}`;
      yield `${line.padEnd(Math.max(size - 1, line.length), '.')}\n`;
    }
  }
  return Readable.from(lines());
}

beforeAll(async () => {
  server = await startTestServer({
    setup: ({ app, contextOf }) => {
      app.get('/rest/echo', async (req) => ({ query: req.query }));
      app.get(
        '/rest/typed',
        {
          schema: {
            querystring: {
              type: 'object',
              properties: {
                limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
                offset: { type: 'integer', default: 0 },
                tag: { type: 'array', items: { type: 'string' } },
              },
              additionalProperties: false,
            },
          },
        },
        async (req) => ({ query: req.query }),
      );
      app.post('/rest/json', async (req) => ({ got: req.body }));
      app.get('/rest/stream', async (req, reply) => {
        const { n = '5', size = '0' } = req.query as { n?: string; size?: string };
        return reply.type('text/plain').send(streamOf(Number(n), Number(size)));
      });
      app.get('/rest/hang', async (req, reply) => {
        const signal = contextOf(req, reply).signal;
        hang?.entered();
        await once(signal, 'abort');
        return { late: true };
      });
    },
  });
  server.layers.publish(
    {
      name: 'places',
      title: 'Places',
      kind: 'vector',
      source: { kind: 'features', data: places },
    },
    'test',
  );
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  port = (server.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  server.chain.removePlugin('test');
  server.chain.removePlugin('other');
});

type Ended = RequestEnd & { path: string; parameters: Record<string, string> };

/** A filter that records every requestEnd it gets. */
function recordEnds(priority = 0, plugin = 'test'): Ended[] {
  const ends: Ended[] = [];
  server.chain.register(
    {
      requestEnd: (ctx, end) =>
        void ends.push({ ...end, path: ctx.path, parameters: ctx.parameters.toObject() }),
    },
    priority,
    plugin,
  );
  return ends;
}

/** Decodes a chunked HTTP/1.1 body; throws when the terminating zero-length chunk is missing. */
function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) throw new Error('chunked body cut short');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (size === 0) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

const rawGet = async (path: string) =>
  parseRawResponse(
    await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`),
  );

describe('issue 13 item 1: requestEnd', () => {
  it('runs once after the last byte of a buffered response, after the other hooks, with status and body bytes', async () => {
    const calls: string[] = [];
    let end: RequestEnd | undefined;
    server.chain.register(
      {
        requestReady: () => void calls.push('requestReady'),
        responseComplete: () => void calls.push('responseComplete'),
        sendResponse: () => void calls.push('sendResponse'),
        requestEnd: (_ctx, e) => {
          calls.push('requestEnd');
          end = e;
        },
      },
      0,
      'test',
    );
    const response = await http().get('/rest/echo?a=b');
    expect(response.text).toBe('{"query":{"a":"b"}}');
    await expect.poll(() => calls.length).toBe(4);
    expect(calls).toEqual(['requestReady', 'responseComplete', 'sendResponse', 'requestEnd']);
    expect(end).toMatchObject({ statusCode: 200, bytes: response.text.length, completed: true });
    expect(end?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('tells every filter, in priority order, whatever the others returned or threw', async () => {
    const calls: string[] = [];
    const filter = (name: string, ready?: ServerFilter['requestReady']): ServerFilter => ({
      ...(ready === undefined ? {} : { requestReady: ready }),
      requestEnd: (_ctx, end) => {
        calls.push(`${name}:${end.statusCode}`);
        if (name === 'thrower') throw new Error('requestEnd exploded');
        return name === 'stopper' ? (false as unknown as void) : undefined;
      },
    });
    // The first filter answers early and stops the requestReady chain: the others never see
    // requestReady, and are told the request ended all the same.
    server.chain.register(
      filter('answerer', (ctx) => {
        ctx.response.send('denied', 'text/plain', 403);
        return false;
      }),
      1,
      'test',
    );
    server.chain.register(filter('stopper'), 2, 'test');
    server.chain.register(filter('thrower'), 3, 'other');
    server.chain.register(filter('async'), 4, 'test');
    server.chain.register(filter('last'), 5, 'test');
    const response = await http().get('/rest/echo?a=b');
    expect(response.status).toBe(403);
    expect(response.text).toBe('denied');
    await expect.poll(() => calls.length).toBe(5);
    expect(calls).toEqual(['answerer:403', 'stopper:403', 'thrower:403', 'async:403', 'last:403']);
    const logged = server.logs.find((l) => l.msg === 'filter failed in requestEnd');
    expect(logged?.plugin).toBe('other');
    expect(logged?.requestId).toBe(response.headers['x-request-id']);
    expect(JSON.stringify(logged?.err)).toContain('requestEnd exploded');
  });

  it('counts the bytes of a streamed response, after sendResponse per chunk and responseComplete', async () => {
    const calls: string[] = [];
    let end: RequestEnd | undefined;
    server.chain.register(
      {
        sendResponse: (_ctx, chunk) => {
          calls.push(`send:${chunk.index}`);
          chunk.data = `${chunk.data.toString()}+`; // one byte more per chunk
        },
        responseComplete: (ctx) => void calls.push(`complete:${ctx.response.streamed}`),
        requestEnd: (_ctx, e) => {
          calls.push('end');
          end = e;
        },
      },
      0,
      'test',
    );
    const response = await http().get('/rest/stream?n=4&size=10');
    expect(response.text).toBe('line 0...\n+line 1...\n+line 2...\n+line 3...\n+');
    await expect.poll(() => end).toBeDefined();
    expect(calls).toEqual(['send:0', 'send:1', 'send:2', 'send:3', 'complete:true', 'end']);
    expect(end).toMatchObject({ statusCode: 200, bytes: 44, completed: true });
  });

  it('runs for WFS GetFeature (streamed), a static file, a 404, a HEAD and requests that fail parsing or validation', async () => {
    const ends = recordEnds();
    const feature = await http().get(GET_FEATURE);
    expect(feature.status).toBe(200);
    const page = await http().get('/index.html');
    const missing = await http().get('/no/such/thing');
    const head = await http().head('/index.html');
    const badJson = await http()
      .post('/rest/json')
      .set('content-type', 'application/json')
      .send('{"a": ');
    const invalid = await http().get('/rest/typed?limit=1000');
    for (const answer of [head, badJson, invalid]) expect(answer.status).not.toBe(500);
    await expect.poll(() => ends.length).toBe(6);
    const byPath = (path: string) => ends.filter((e) => e.path === path);
    expect(byPath('/ows')).toEqual([
      expect.objectContaining({
        statusCode: 200,
        bytes: Buffer.byteLength(feature.text),
        completed: true,
      }),
    ]);
    expect(byPath('/index.html')).toEqual([
      expect.objectContaining({ statusCode: 200, bytes: Buffer.byteLength(page.text) }),
      expect.objectContaining({ statusCode: 200, bytes: 0, completed: true }),
    ]);
    expect(byPath('/no/such/thing')).toEqual([
      expect.objectContaining({ statusCode: 404, bytes: Buffer.byteLength(missing.text) }),
    ]);
    expect(byPath('/rest/json')).toEqual([
      expect.objectContaining({ statusCode: 400, bytes: Buffer.byteLength(badJson.text) }),
    ]);
    expect(byPath('/rest/typed')).toEqual([
      expect.objectContaining({ statusCode: 400, parameters: { limit: '1000' } }),
    ]);
  });

  it('tells the filters when the client goes away before the answer (499) and mid-stream', async () => {
    const ends = recordEnds();
    // Before any byte: the handler waits for its signal, the client leaves.
    const entered = new Promise<void>((resolve) => (hang = { entered: resolve }));
    const before = get(`http://127.0.0.1:${port}/rest/hang`);
    before.on('error', () => undefined);
    await entered;
    before.destroy();
    await expect.poll(() => ends.length).toBe(1);
    expect(ends[0]).toMatchObject({
      path: '/rest/hang',
      statusCode: 499,
      bytes: 0,
      completed: false,
    });
    // Mid-stream: 2000 lines of 1000 bytes, the client leaves after the first data.
    const during = get(`http://127.0.0.1:${port}/rest/stream?n=2000&size=1000`, (res) => {
      res.once('data', () => during.destroy());
    });
    during.on('error', () => undefined);
    await expect.poll(() => ends.length).toBe(2);
    expect(ends[1]).toMatchObject({ path: '/rest/stream', statusCode: 200, completed: false });
    expect(ends[1]?.bytes).toBeGreaterThan(0);
    expect(ends[1]?.bytes).toBeLessThan(2000 * 1000);
  });

  it('is not called for filters registered after the request started, and costs nothing when no filter has it', async () => {
    expect(server.chain.requestEnd).toBeNull();
    const entered = new Promise<void>((resolve) => (hang = { entered: resolve }));
    const client = get(`http://127.0.0.1:${port}/rest/hang`);
    client.on('error', () => undefined);
    await entered;
    const ends = recordEnds();
    client.destroy();
    const next = await http().get('/rest/echo?after=1');
    expect(next.status).toBe(200);
    await expect.poll(() => ends.length).toBe(1);
    await delay(50);
    expect(ends.map((e) => e.path)).toEqual(['/rest/echo']);
  });
});

describe('issue 13 item 3: ctx.parameters is the request as sent, on every route', () => {
  it('shows a REST filter the raw query (strings, unknown names included), the handler the checked one', async () => {
    const seen: Array<Record<string, string>> = [];
    server.chain.register(
      {
        requestReady: (ctx) => void seen.push(ctx.parameters.toObject()),
        responseComplete: (ctx) => void seen.push(ctx.parameters.toObject()),
      },
      0,
      'test',
    );
    const ok = await http().get('/rest/typed?limit=5');
    expect(ok.body).toEqual({ query: { limit: 5, offset: 0 } });
    expect(seen).toEqual([{ limit: '5' }, { limit: '5' }]);
    // The example: an API key in the query is visible to the filter.
    seen.length = 0;
    const jobs = await http().get('/jobs?limit=5&apikey=x');
    expect(jobs.status).toBe(400);
    expect(seen[0]).toEqual({ limit: '5', apikey: 'x' });
  });

  it('a filter that sees only responses (created after validation) still gets the raw query', async () => {
    let seen: Record<string, string | string[]> | undefined;
    server.chain.register(
      { responseComplete: (ctx) => void (seen = ctx.parameters.toQuery()) },
      0,
      'test',
    );
    const ok = await http().get('/rest/typed?limit=7&tag=a&tag=b');
    expect(ok.body).toEqual({ query: { limit: 7, offset: 0, tag: ['a', 'b'] } });
    expect(seen).toEqual({ limit: '7', tag: ['a', 'b'] });
  });

  it('a change in requestReady is the query the route checks: removing a parameter lets it through, a bad value is refused', async () => {
    server.chain.register(
      {
        requestReady: (ctx: RequestContext) => {
          if (ctx.parameters.get('apikey') === 'x') ctx.parameters.delete('apikey');
          const add = ctx.parameters.get('add');
          if (add !== undefined) {
            ctx.parameters.delete('add');
            ctx.parameters.set('offset', add);
          }
        },
      },
      0,
      'test',
    );
    // /jobs refuses unknown parameters; the filter took the key away, so the list is answered.
    const jobs = await http().get('/jobs?limit=5&apikey=x');
    expect(jobs.status).toBe(200);
    expect(Array.isArray(jobs.body.jobs)).toBe(true);
    const refused = await http().get('/jobs?limit=5&apikey=y');
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('apikey');
    // An added parameter is coerced by the schema like one the client sent; repeats survive.
    const added = await http().get('/rest/typed?add=3&tag=a&tag=b');
    expect(added.body).toEqual({ query: { limit: 10, offset: 3, tag: ['a', 'b'] } });
    const bad = await http().get('/rest/typed?add=three');
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('offset');
  });

  it('keeps OWS parameters case-insensitive, with changes reaching the service', async () => {
    let seen: string | undefined;
    server.chain.register(
      {
        requestReady: (ctx) => {
          seen = ctx.parameters.get('typenames');
          ctx.parameters.set('COUNT', '1');
        },
      },
      0,
      'test',
    );
    const response = await http().get(GET_FEATURE);
    expect(seen).toBe('places');
    expect(JSON.parse(response.text)).toMatchObject({ numberReturned: 1 });
  });
});

describe('issue 13 item 4: late changes to a streamed response fail loudly and leave it whole', () => {
  const lateChanges: Record<string, (ctx: RequestContext) => void> = {
    body: (ctx) => void (ctx.response.body = 'replaced'),
    header: (ctx) => void ctx.response.setHeader('x-late', '1'),
    status: (ctx) => void (ctx.response.statusCode = 500),
  };

  for (const [what, change] of Object.entries(lateChanges)) {
    it(`setting the ${what} in responseComplete of a streamed REST response throws; the client gets the complete stream`, async () => {
      const ends = recordEnds(1);
      let thrown: unknown;
      server.chain.register(
        {
          responseComplete: (ctx) => {
            expect(ctx.response.streamed).toBe(true);
            expect(ctx.response.headersSent).toBe(true);
            try {
              change(ctx);
            } catch (error) {
              thrown = error;
              throw error;
            }
          },
        },
        0,
        'other',
      );
      const answer = await rawGet('/rest/stream?n=20&size=10');
      expect(answer.status).toBe(200);
      expect(answer.headers['transfer-encoding']).toBe('chunked');
      expect(answer.headers['x-late']).toBeUndefined();
      const body = dechunk(answer.body);
      expect(body.split('\n')).toHaveLength(21);
      expect(body).toContain('line 19..\n');
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as Error).name).toBe('ResponseSentError');
      expect((thrown as Error).message).toMatch(/^Response already sent: /);
      const logged = server.logs.filter((l) =>
        l.msg.startsWith('filter failed in responseComplete of a streamed response'),
      );
      expect(logged.at(-1)?.plugin).toBe('other');
      expect(JSON.stringify(logged.at(-1)?.err)).toContain('Response already sent');
      await expect.poll(() => ends.length).toBe(1);
      expect(ends[0]).toMatchObject({ statusCode: 200, completed: true });
      server.logs.length = 0;
    });
  }

  it('a late body change on WFS GetFeature is refused, and the features arrive intact', async () => {
    server.chain.register(
      { responseComplete: (ctx) => void (ctx.response.body = '{}') },
      0,
      'other',
    );
    const answer = await rawGet(GET_FEATURE);
    expect(answer.status).toBe(200);
    const collection = JSON.parse(dechunk(answer.body)) as FeatureCollection;
    expect(collection.features.map((f) => f.properties?.n)).toEqual([1, 2]);
    expect(
      server.logs.some(
        (l) =>
          l.plugin === 'other' &&
          JSON.stringify(l.err).includes('the body of a streamed response goes out chunk by chunk'),
      ),
    ).toBe(true);
  });

  it('headers set while the first chunk is filtered still go out; a buffered responseComplete changes everything', async () => {
    server.chain.register(
      {
        sendResponse: (ctx, chunk) => {
          if (ctx.response.streamed && chunk.index === 0) ctx.response.setHeader('x-first', 'yes');
        },
        responseComplete: (ctx) => {
          if (!ctx.response.streamed) ctx.response.send('replaced', 'text/plain', 201);
        },
      },
      0,
      'test',
    );
    const streamed = await http().get('/rest/stream?n=3');
    expect(streamed.headers['x-first']).toBe('yes');
    expect(streamed.text).toBe('line 0\nline 1\nline 2\n');
    const buffered = await http().get('/rest/echo');
    expect(buffered.status).toBe(201);
    expect(buffered.text).toBe('replaced');
  });
});
