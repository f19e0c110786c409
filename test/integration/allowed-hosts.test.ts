/**
 * The Host header (and X-Forwarded-Host from a trusted proxy) ends up in every URL the server
 * writes when RELIEF_PUBLIC_URL is not set, so a malformed or not-allowed host is refused with 400
 * before any handler runs: `/ows` with an OGC exception, every other route with problem+json.
 */
import { fileURLToPath } from 'node:url';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const PLUGINS = fileURLToPath(new URL('../../plugins', import.meta.url));
const POLYGON = {
  type: 'Polygon',
  coordinates: [
    [
      [7.1, 46.1],
      [7.2, 46.1],
      [7.2, 46.2],
      [7.1, 46.2],
      [7.1, 46.1],
    ],
  ],
};

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({
    pluginsPath: [PLUGINS],
    env: {
      // Nothing listens there: jobs created here fail in the background, which is fine.
      RELIEF_ELEVATION_SOURCE: 'http://127.0.0.1:9/{dir}/{name}.hgt.zip',
      RELIEF_ELEVATION_RETRY_BASE_MS: '5',
      RELIEF_ELEVATION_RETRY_MAX_MS: '10',
      ...env,
    },
    setup: ({ tasks }) => {
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
}

/** Every request whose answer holds a URL built from the request's host. */
function urlWritingRequests(jobId: string): Array<{ name: string; ows: boolean } & InjectOptions> {
  return [
    { name: 'WMS GetCapabilities', ows: true, url: '/ows?SERVICE=WMS&REQUEST=GetCapabilities' },
    { name: 'WCS GetCapabilities', ows: true, url: '/ows?SERVICE=WCS&REQUEST=GetCapabilities' },
    { name: 'WFS GetCapabilities', ows: true, url: '/ows?SERVICE=WFS&REQUEST=GetCapabilities' },
    { name: 'landing page links', ows: false, url: '/?f=json' },
    { name: 'process list links', ows: false, url: '/processes' },
    { name: 'process description links', ows: false, url: '/processes/sum' },
    {
      name: 'execution Location',
      ows: false,
      method: 'POST',
      url: '/processes/sum/execution',
      payload: { inputs: { a: 1, b: 2 } },
    },
    { name: 'elevation Location', ows: false, method: 'POST', url: '/elevation', payload: POLYGON },
    { name: 'job list links', ows: false, url: '/jobs' },
    { name: 'job status links', ows: false, url: `/jobs/${jobId}` },
    { name: 'job event links', ows: false, url: `/jobs/${jobId}/events` },
  ];
}

function expectRefused(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  ows: boolean,
  detail: string,
  locator = 'Host',
): void {
  expect(response.statusCode).toBe(400);
  if (ows) {
    expect(response.headers['content-type']).toMatch(/^(text|application)\/xml/);
    // The report's form follows the service and version the request names.
    expect(response.body).toMatch(
      new RegExp(`(?:exceptionCode|code)="InvalidParameterValue" locator="${locator}"`),
    );
    expect(response.body).toContain(detail);
  } else {
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(response.body)).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail,
      code: 'InvalidParameterValue',
      locator,
    });
  }
}

describe('without RELIEF_ALLOWED_HOSTS or RELIEF_PUBLIC_URL', () => {
  let server: TestServer;
  let jobId: string;

  beforeAll(async () => {
    server = await start();
    const created = await server.app.inject({
      method: 'POST',
      url: '/processes/sum/execution',
      payload: { inputs: { a: 1, b: 2 } },
    });
    jobId = (JSON.parse(created.body) as { jobID: string }).jobID;
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a malformed Host on every route that writes a URL, in that route’s error format', async () => {
    for (const { name, ows, ...options } of urlWritingRequests(jobId)) {
      const response = await server.app.inject({
        ...options,
        headers: { host: 'evil.example/phish?' },
      });
      expect(response.body, name).not.toContain('evil.example');
      expectRefused(response, ows, 'The Host header is not a valid host name or address');
    }
  });

  it('refuses hosts with user info, spaces, a bad port or a bad IP literal', async () => {
    for (const host of [
      'user@evil.example',
      'evil.example:80/x',
      'evil example',
      'evil.example:99999',
      'evil.example:8o',
      '[::1',
      '[not-ipv6]:80',
      '1.2.3.999',
      'a..b',
      '-evil.example',
      'evil.example#x',
    ]) {
      const response = await server.app.inject({ url: '/?f=json', headers: { host } });
      expect(response.statusCode, host).toBe(400);
    }
  });

  it('writes URLs with any well-formed host: names, IPv4 and IPv6 literals, with a port', async () => {
    for (const host of ['maps.example.org:8080', '192.0.2.10', '[2001:db8::1]:8443']) {
      for (const { name, ...options } of urlWritingRequests(jobId)) {
        const response = await server.app.inject({ ...options, headers: { host } });
        expect(response.statusCode, `${name} via ${host}`).toBeLessThan(300);
        const location = response.headers.location as string | undefined;
        expect(`${location ?? ''}${response.body}`, name).toContain(`http://${host}/`);
      }
    }
  });

  it('ignores X-Forwarded-Host unless the proxy is trusted', async () => {
    const response = await server.app.inject({
      url: '/?f=json',
      headers: { host: 'maps.example.org', 'x-forwarded-host': 'evil.example/phish?' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('http://maps.example.org/conformance');
    expect(response.body).not.toContain('evil');
  });

  it('answers health probes whatever host they name (kubelet sends the pod IP)', async () => {
    for (const host of ['10.1.2.3:8080', '[fd00::1]:8080', 'not a host']) {
      for (const url of ['/health', '/ready']) {
        const response = await server.app.inject({ url, headers: { host } });
        expect(response.statusCode, `${url} via ${host}`).toBe(200);
      }
    }
  });
});

describe('with RELIEF_ALLOWED_HOSTS behind a trusted proxy', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await start({
      RELIEF_ALLOWED_HOSTS: 'maps.example.org, .example.net, 10.0.0.5:8080',
      RELIEF_TRUST_PROXY: 'true',
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the listed hosts, subdomains of a leading-dot entry, and a host:port entry', async () => {
    for (const [host, base] of [
      ['maps.example.org', 'http://maps.example.org'],
      ['MAPS.example.org:8443', 'http://MAPS.example.org:8443'],
      ['example.net', 'http://example.net'],
      ['tiles.eu.example.net', 'http://tiles.eu.example.net'],
      ['10.0.0.5:8080', 'http://10.0.0.5:8080'],
    ] as const) {
      const response = await server.app.inject({ url: '/?f=json', headers: { host } });
      expect(response.statusCode, host).toBe(200);
      expect(response.body).toContain(`"href":"${base}/conformance"`);
    }
  });

  it('refuses a well-formed host that is not listed, on /ows and elsewhere', async () => {
    for (const host of ['example.org', 'evil.example', 'badexample.net', '10.0.0.5:9090']) {
      expectRefused(
        await server.app.inject({ url: '/?f=json', headers: { host } }),
        false,
        `Host ${host} is not served here`,
      );
      expectRefused(
        await server.app.inject({
          url: '/ows?SERVICE=WMS&REQUEST=GetCapabilities',
          headers: { host },
        }),
        true,
        `Host ${host} is not served here`,
      );
    }
  });

  it('checks X-Forwarded-Host from the trusted proxy the same way', async () => {
    expectRefused(
      await server.app.inject({
        url: '/processes',
        headers: { host: 'maps.example.org', 'x-forwarded-host': 'evil.example' },
      }),
      false,
      'Host evil.example is not served here',
    );
    const allowed = await server.app.inject({
      url: '/processes',
      headers: { host: '10.0.0.5:8080', 'x-forwarded-host': 'www.example.net' },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('"href":"http://www.example.net/processes/sum"');
  });

  it('refuses an X-Forwarded-Proto other than http or https', async () => {
    expectRefused(
      await server.app.inject({
        url: '/?f=json',
        headers: { host: 'maps.example.org', 'x-forwarded-proto': 'javascript' },
      }),
      false,
      'X-Forwarded-Proto must be http or https',
      'X-Forwarded-Proto',
    );
    const https = await server.app.inject({
      url: '/?f=json',
      headers: { host: 'maps.example.org', 'x-forwarded-proto': 'https' },
    });
    expect(https.body).toContain('"href":"https://maps.example.org/conformance"');
  });

  it('still answers health probes on the pod address', async () => {
    const response = await server.app.inject({
      url: '/health',
      headers: { host: '10.244.1.7:8080' },
    });
    expect(response.statusCode).toBe(200);
  });
});
