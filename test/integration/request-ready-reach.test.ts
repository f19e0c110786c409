/**
 * Issue 15 item 3: requestReady reaches every routed request, also those that fail while their
 * body is read or checked (bad JSON, the body limit, schema validation), so that an
 * authentication filter can refuse them before anything else is said.
 */
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceException } from '../../src/errors/service-exception.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

let server: TestServer;
const http = () => request(server.app.server);
let seen: string[];

beforeAll(async () => {
  server = await startTestServer({
    env: { RELIEF_BODY_LIMIT: '4096' },
    setup: ({ app }) => {
      app.post(
        '/rest/strict',
        {
          schema: {
            body: {
              type: 'object',
              properties: { size: { type: 'integer', minimum: 1, maximum: 10 } },
              required: ['size'],
              additionalProperties: false,
            },
          },
        },
        async (req) => ({ got: req.body }),
      );
    },
  });
});

afterAll(async () => {
  await server.close();
});

beforeAll(() => {
  seen = [];
});

afterEach(() => {
  server.chain.removePlugin('auth');
  seen = [];
});

/** Like an API-key filter: refuses every request without the key. */
function requireKey(): void {
  server.chain.register(
    {
      requestReady: (ctx) => {
        seen.push(`${ctx.method} ${ctx.path}`);
        if (ctx.headers['x-key'] !== 'secret') {
          throw new ServiceException('Unauthorized', 'An API key is needed', 'x-key', 401);
        }
      },
    },
    0,
    'auth',
  );
}

describe('issue 15 item 3: the request loop reaches every request', () => {
  it('lets a filter refuse requests that fail body parsing, the body limit or schema validation, revealing nothing of the schema', async () => {
    requireKey();
    const cases = [
      http().post('/rest/strict').set('content-type', 'application/json').send('{"size": '),
      http()
        .post('/rest/strict')
        .set('content-type', 'application/json')
        .send(JSON.stringify({ size: 1, pad: 'x'.repeat(8000) })),
      http().post('/rest/strict').send({ size: 'eleven', extra: true }),
      http().post('/rest/strict').set('content-type', 'application/x-unknown').send('??'),
      http().get('/jobs?wait=999&bogus=1'),
      http().get('/jobs/not-a-uuid?wait=1'),
    ];
    for (const pending of cases) {
      const answer = await pending;
      expect(answer.status).toBe(401);
      expect(answer.body.detail).toBe('An API key is needed');
      expect(answer.text).not.toMatch(/size|pattern|maximum|bogus|schema/i);
    }
    expect(seen).toEqual([
      'POST /rest/strict',
      'POST /rest/strict',
      'POST /rest/strict',
      'POST /rest/strict',
      'GET /jobs',
      'GET /jobs/not-a-uuid',
    ]);
  });

  it('sends the original 4xx once the filters let the request through, running them once', async () => {
    requireKey();
    const bad = await http()
      .post('/rest/strict')
      .set('x-key', 'secret')
      .set('content-type', 'application/json')
      .send('{"size": ');
    expect(bad.status).toBe(400);
    const big = await http()
      .post('/rest/strict')
      .set('x-key', 'secret')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ size: 1, pad: 'x'.repeat(8000) }));
    expect(big.status).toBe(413);
    const invalid = await http().post('/rest/strict').set('x-key', 'secret').send({ size: 11 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.detail).toContain('size');
    const good = await http().post('/rest/strict').set('x-key', 'secret').send({ size: 3 });
    expect(good.status).toBe(200);
    expect(good.body).toEqual({ got: { size: 3 } });
    expect(seen).toHaveLength(4);
  });

  it('lets a filter answer such a request itself', async () => {
    server.chain.register(
      {
        requestReady: (ctx) => {
          ctx.response.statusCode = 403;
          ctx.response.setHeader('content-type', 'text/plain');
          ctx.response.send('closed for maintenance');
        },
      },
      0,
      'auth',
    );
    const answer = await http().post('/rest/strict').send({ size: 'x' });
    expect(answer.status).toBe(403);
    expect(answer.text).toBe('closed for maintenance');
  });
});
