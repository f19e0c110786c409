/** The plugin in a real Relief server, loaded by the real plugin loader from this folder. */
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from 'relief/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PLUGIN_FOLDER = fileURLToPath(new URL('..', import.meta.url));
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ pluginsPath: [PLUGIN_FOLDER] });
});
afterAll(() => server.close());

describe('the __NAME__ plugin', () => {
  it('loads', async () => {
    const response = await server.app.inject({ url: '/plugins' });
    const plugins = response.json<{ plugins: Array<{ name: string; status: string }> }>().plugins;
    expect(plugins).toContainEqual(expect.objectContaining({ name: '__NAME__', status: 'loaded' }));
  });

  it('names the tile of a point on the worker pool, and stamps the answer', async () => {
    const response = await server.app.inject({ url: '/__NAME__/tiles?lat=-0.5&lon=7.25' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: 'S01E007', path: 'S01/S01E007.hgt.gz' });
    expect(response.headers['x-__NAME__']).toBe('__NAME__');
  });

  it('refuses a point outside the world with a problem document', async () => {
    const response = await server.app.inject({ url: '/__NAME__/tiles?lat=91&lon=0' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });
});
