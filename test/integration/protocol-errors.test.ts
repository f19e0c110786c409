/**
 * HTTP-level faults get a clear 4xx in the route's error format (OGC exception on /ows,
 * problem+json elsewhere), never Fastify's own JSON: wrong methods (405 with Allow), bad
 * percent-encodings, the asterisk request target, unsupported media types, oversized, malformed
 * or too deeply nested JSON, schema failures. Client faults are logged without a stack trace.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseRawResponse, rawRequest } from '../helpers/raw-http.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

let server: TestServer;
let port: number;

beforeAll(async () => {
  server = await startTestServer({
    pluginsPath: [fileURLToPath(new URL('../../plugins', import.meta.url))],
    env: {
      RELIEF_BODY_LIMIT: '16384',
      RELIEF_MAX_JSON_DEPTH: '8',
      // Nothing listens there; no elevation job here gets as far as fetching.
      RELIEF_ELEVATION_SOURCE: 'http://127.0.0.1:9/{dir}/{name}.hgt.zip',
    },
    setup: ({ app, tasks }) => {
      app.post('/test/echo', async (request) => ({ body: request.body }));
      app.get('/test/crash', async () => {
        throw new Error('database connection lost at /srv/relief/db.ts:42');
      });
      tasks.registerType({
        id: 'sum',
        title: 'Sum',
        version: '1.0.0',
        inputSchema: z.object({ a: z.number(), b: z.number() }).strict(),
        inputs: {
          a: { title: 'First addend', schema: { type: 'number' } },
          b: { title: 'Second addend', schema: { type: 'number' } },
        },
        outputs: { sum: { title: 'The sum', schema: { type: 'number' } } },
        resumable: false,
        run: async ({ a, b }) => ({ sum: a + b }),
      });
    },
  });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  port = (server.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.logs.length = 0;
});

const PROBLEM = 'application/problem+json; charset=utf-8';

function allowOf(header: unknown): string[] {
  return String(header)
    .split(',')
    .map((m) => m.trim())
    .sort();
}

describe('wrong methods get 405 with Allow', () => {
  it('answers DELETE /ows with 405, Allow and an OGC exception report', async () => {
    const response = await server.app.inject({ method: 'DELETE', url: '/ows?SERVICE=WMS' });
    expect(response.statusCode).toBe(405);
    expect(allowOf(response.headers.allow)).toEqual(['GET', 'HEAD', 'POST']);
    expect(response.headers['content-type']).toMatch(/xml/);
    expect(response.body).toContain('code="OperationNotSupported"');
    expect(response.body).toContain('DELETE is not allowed on /ows; allowed: ');
  });

  it.each([
    ['PUT', '/jobs', ['GET', 'HEAD']],
    ['POST', '/health', ['GET', 'HEAD']],
    ['DELETE', '/processes/sum', ['GET', 'HEAD']],
    ['GET', '/processes/sum/execution', ['POST']],
    ['PUT', '/jobs/00000000-0000-4000-8000-000000000000', ['DELETE', 'GET', 'HEAD']],
  ])('answers %s %s with 405, Allow and problem+json', async (method, url, allowed) => {
    const response = await server.app.inject({ method: method as 'GET', url });
    expect(response.statusCode).toBe(405);
    expect(allowOf(response.headers.allow)).toEqual(allowed);
    expect(response.headers['content-type']).toBe(PROBLEM);
    expect(JSON.parse(response.body)).toMatchObject({
      type: 'about:blank',
      title: 'Method Not Allowed',
      status: 405,
      detail: `${method} is not allowed on ${url}; allowed: ${response.headers.allow}`,
      instance: url,
    });
  });

  it('keeps 404 for paths no route serves, whatever the method', async () => {
    for (const method of ['GET', 'DELETE'] as const) {
      const response = await server.app.inject({ method, url: '/no/such/thing' });
      expect(response.statusCode).toBe(404);
      expect(response.headers.allow).toBeUndefined();
      expect(JSON.parse(response.body)).toMatchObject({
        title: 'Not Found',
        status: 404,
        detail: `No resource at ${method} /no/such/thing`,
      });
    }
  });
});

describe('framework-level errors come out as problem+json', () => {
  it('answers a path with a malformed percent-encoding (%c0%ae) with problem+json', async () => {
    for (const url of ['/%c0%ae', '/processes/%c0%ae%c0%ae/execution']) {
      const response = await server.app.inject({ url });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toBe(PROBLEM);
      expect(JSON.parse(response.body)).toEqual({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: `'${url}' is not a valid url component`,
        code: 'FST_ERR_BAD_URL',
        instance: url,
      });
    }
  });

  it('refuses the asterisk request target (GET *) instead of serving the landing page', async () => {
    for (const method of ['GET', 'OPTIONS']) {
      const answer = parseRawResponse(
        await rawRequest(
          port,
          `${method} * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
        ),
      );
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toBe(PROBLEM);
      expect(JSON.parse(answer.body)).toMatchObject({
        status: 400,
        detail: 'The request target must be a path such as /ows',
      });
    }
  });

  it('answers requests Node cannot parse (bad request line, huge headers) with problem+json', async () => {
    const garbled = parseRawResponse(await rawRequest(port, 'GET /health HTTP/9.x\r\n\r\n'));
    expect(garbled.status).toBe(400);
    expect(garbled.headers['content-type']).toBe(PROBLEM);
    expect(JSON.parse(garbled.body)).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The request is not valid HTTP',
      code: 'BadRequest',
    });
    const huge = parseRawResponse(
      await rawRequest(
        port,
        `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`,
      ),
    );
    expect(huge.status).toBe(431);
    expect(huge.headers['content-type']).toBe(PROBLEM);
    expect(JSON.parse(huge.body)).toMatchObject({
      title: 'Request Header Fields Too Large',
      status: 431,
      code: 'HeadersTooLarge',
    });
  });

  it('answers an unsupported media type with 415 problem+json, and with an OGC report on /ows', async () => {
    const rest = await server.app.inject({
      method: 'POST',
      url: '/processes/sum/execution',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'x',
    });
    expect(rest.statusCode).toBe(415);
    expect(rest.headers['content-type']).toBe(PROBLEM);
    expect(JSON.parse(rest.body)).toMatchObject({
      title: 'Unsupported Media Type',
      status: 415,
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    });
    const ows = await server.app.inject({
      method: 'POST',
      url: '/ows',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'x',
    });
    expect(ows.statusCode).toBe(415);
    expect(ows.body).toContain('exceptionCode="FST_ERR_CTP_INVALID_MEDIA_TYPE"');
  });

  it('answers a body over RELIEF_BODY_LIMIT with 413 problem+json', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/processes/sum/execution',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ inputs: { a: 1, b: 2, pad: 'x'.repeat(20_000) } }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toBe(PROBLEM);
    expect(JSON.parse(response.body)).toMatchObject({
      title: 'Payload Too Large',
      status: 413,
      detail: 'Request body is too large',
    });
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/processes/sum/execution',
      headers: { 'content-type': 'application/json' },
      payload: '{"inputs": {',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe(PROBLEM);
    expect(JSON.parse(response.body)).toMatchObject({
      status: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });
  });

  it('names the field of a schema failure without quoting the schema', async () => {
    const response = await server.app.inject({ url: '/jobs/not-a-job-id' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe(PROBLEM);
    expect(JSON.parse(response.body)).toMatchObject({
      status: 400,
      detail: 'params/jobId is not in the expected form',
      code: 'FST_ERR_VALIDATION',
    });
  });
});

describe('deeply nested JSON bodies', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it('refuses GeoJSON nested 4000 deep in properties or bbox on POST /elevation with 400, not a 500 from the worker copy', async () => {
    const ring = '[[[7.1,46.1],[7.2,46.1],[7.2,46.2],[7.1,46.2],[7.1,46.1]]]';
    for (const payload of [
      `{"type":"Feature","properties":{"x":${nested(4000)}},"geometry":{"type":"Polygon","coordinates":${ring}}}`,
      `{"type":"Polygon","bbox":${nested(4000)},"coordinates":${ring}}`,
    ]) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/elevation',
        headers: { 'content-type': 'application/geo+json' },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toBe(PROBLEM);
      expect(JSON.parse(response.body)).toMatchObject({
        status: 400,
        detail: expect.stringMatching(
          /^The JSON body nests arrays and objects deeper than 8 levels/,
        ),
        locator: 'body',
      });
    }
    expect(server.logs.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('refuses JSON nested 4000 deep in process inputs with 400', async () => {
    const coordinates = '['.repeat(4000) + '7.1, 46.1' + ']'.repeat(4000);
    const payload = `{"inputs": {"a": 1, "b": 2, "geometry": {"coordinates": ${coordinates}}}}`;
    const response = await server.app.inject({
      method: 'POST',
      url: '/processes/sum/execution',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    // Three objects deep, so the sixth bracket of the coordinates opens level 9.
    const ninthLevel = payload.indexOf('[') + 5;
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe(PROBLEM);
    expect(JSON.parse(response.body)).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: `The JSON body nests arrays and objects deeper than 8 levels (at character ${ninthLevel})`,
      code: 'InvalidParameterValue',
      locator: 'body',
      instance: '/processes/sum/execution',
    });
  });

  it('applies the bound to +json media types such as application/geo+json', async () => {
    for (const type of ['application/geo+json', 'application/vnd.example+json; charset=utf-8']) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { 'content-type': type },
        payload: `{"coordinates": ${nested(4000)}}`,
      });
      expect(response.statusCode, type).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ status: 400, locator: 'body' });
    }
  });

  it('accepts JSON exactly RELIEF_MAX_JSON_DEPTH deep, brackets inside strings not counted', async () => {
    const payload = `{"s": "[[[[[[[[[[{{{{{{{{{\\"]]]", "a": ${nested(7)}}`;
    const response = await server.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ body: JSON.parse(payload) });
  });

  it('refuses __proto__ keys as before', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__": {"admin": true}}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe(PROBLEM);
  });
});

describe('logging by fault', () => {
  it('logs a client error (4xx) at info without a stack trace', async () => {
    await server.app.inject({ method: 'PUT', url: '/jobs' });
    await server.app.inject({ url: '/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap' });
    expect(server.logs.filter((line) => line.level >= 40)).toEqual([]);
    const answers = server.logs.filter(
      (line) => line.status !== undefined && line.msg !== 'request completed',
    );
    expect(answers.map((line) => [line.level, line.status])).toEqual([
      [30, 405],
      [30, 400],
    ]);
    for (const line of answers) expect(line.err).toBeUndefined();
  });

  it('logs an unsupported operation (501) at info without a stack trace', async () => {
    const response = await server.app.inject({
      url: '/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=DeleteEverything',
    });
    expect(response.statusCode).toBe(501);
    expect(server.logs.filter((line) => line.level >= 40)).toEqual([]);
    expect(server.logs.find((line) => line.status === 501)).toMatchObject({
      level: 30,
      code: 'OperationNotSupported',
    });
  });

  it('logs a server fault (5xx) at error with the stack, and shows the client none of it', async () => {
    const response = await server.app.inject({ url: '/test/crash' });
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Internal server error; the details are in the server log',
      code: 'NoApplicableCode',
      instance: '/test/crash',
    });
    expect(response.body).not.toContain('db.ts');
    const logged = server.logs.filter((line) => line.level >= 50);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.err?.message).toBe('database connection lost at /srv/relief/db.ts:42');
    expect(logged[0]?.err).toHaveProperty('stack');
  });
});
