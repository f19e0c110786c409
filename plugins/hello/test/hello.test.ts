/** The hello plugin through HTTP, loaded by the real plugin loader from its own folder. */
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from 'relief/testing';

const PLUGIN_ROOT = fileURLToPath(new URL('../../', import.meta.url));
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ pluginsPath: [PLUGIN_ROOT] });
});
afterAll(async () => {
  await server.close();
});

const hello = (query: string) =>
  request(server.app.server).get(`/ows?SERVICE=HELLO&VERSION=1.0.0&${query}`);

describe('HELLO service', () => {
  it('says hello, stamped by its responseComplete hook', async () => {
    const response = await hello('REQUEST=SayHello&NAME=Ada');
    expect(response.status).toBe(200);
    expect(response.type).toBe('text/plain');
    expect(response.text).toBe('Hello, Ada!\n');
    expect(response.headers['x-hello-plugin']).toBe('1.0.0');
  });

  it('requestReady defaults a missing NAME, case-insensitively', async () => {
    const response = await request(server.app.server).get(
      '/ows?service=hello&request=sayhello&version=1.0.0',
    );
    expect(response.text).toBe('Hello, world!\n');
  });

  it('requestReady raises an OGC exception for a refused name', async () => {
    const response = await hello('REQUEST=SayHello&NAME=nobody');
    expect(response.status).toBe(400);
    expect(response.text).toContain('exceptionCode="InvalidParameterValue"');
    expect(response.text).toContain('locator="NAME"');
  });

  it('sendResponse transforms the output', async () => {
    const response = await hello('REQUEST=SayHello&NAME=Ada&SHOUT=1');
    expect(response.text).toBe('HELLO, ADA!\n');
  });

  it('GetCapabilities advertises its endpoint', async () => {
    const response = await hello('REQUEST=GetCapabilities');
    expect(response.body).toMatchObject({
      service: 'HELLO',
      operations: ['GetCapabilities', 'SayHello'],
    });
    expect(response.body.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ows$/);
  });
});

describe('REST routes under /hello', () => {
  it('greets as JSON', async () => {
    const response = await request(server.app.server).get('/hello/greeting?name=Grace');
    expect(response.body).toEqual({ greeting: 'Hello, Grace!' });
  });

  it('streams lines, each through sendResponse', async () => {
    const response = await request(server.app.server).get('/hello/count?n=4&shout=1');
    expect(response.text).toBe('HELLO #1\nHELLO #2\nHELLO #3\nHELLO #4\n');
  });

  it('rejects a bad count with problem+json, hex, exponent and Infinity included', async () => {
    for (const n of ['0', '0x5', '1e1', 'Infinity', '%205', '', '-1']) {
      const response = await request(server.app.server).get(`/hello/count?n=${n}`);
      expect(response.status, n).toBe(400);
      expect(response.type).toBe('application/problem+json');
      expect(response.body).toMatchObject({ code: 'InvalidParameterValue', locator: 'n' });
    }
  });
});

describe('configuration', () => {
  it('uses its config section and rejects an invalid one', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const file = join(server.dataDir, 'relief.yaml');
    await writeFile(file, 'plugins:\n  hello:\n    greeting: Bonjour\n');
    const configured = await startTestServer({
      pluginsPath: [PLUGIN_ROOT],
      env: { RELIEF_CONFIG: file },
    });
    try {
      const response = await request(configured.app.server).get('/hello/greeting?name=Ada');
      expect(response.body).toEqual({ greeting: 'Bonjour, Ada!' });
    } finally {
      await configured.close();
    }
    await writeFile(file, 'plugins:\n  hello:\n    greeting: 42\n');
    const broken = await startTestServer({
      pluginsPath: [PLUGIN_ROOT],
      env: { RELIEF_CONFIG: file },
    });
    try {
      const response = await request(broken.app.server).get('/plugins');
      const hello = (
        response.body.plugins as Array<{ name: string; status: string; error: string }>
      ).find((p) => p.name === 'hello');
      expect(hello).toMatchObject({ status: 'failed' });
      expect(hello?.error).toMatch(/invalid config plugins\.hello\.greeting/);
    } finally {
      await broken.close();
    }
  });
});
