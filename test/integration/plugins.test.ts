/**
 * Plugin discovery and isolation: a broken plugin of any kind is reported at /plugins with its
 * reason while the others (the shipped hello plugin among them) keep working.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, RELIEF_IMPORT, writePlugins } from '../fixtures/plugin-folders.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const SHIPPED_PLUGINS = fileURLToPath(new URL('../../plugins/', import.meta.url));

let root: string;
let server: TestServer;

const goodPlugin = (body: string) => `
import { definePlugin } from '${RELIEF_IMPORT}';
export default definePlugin({ register(relief) { ${body} } });
`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'relief-plugins-'));
  await writePlugins(root, [
    { folder: 'a-not-json', manifest: '{ name: oops', files: { 'index.ts': '' } },
    {
      folder: 'b-bad-version',
      manifest: manifest('bad-version', { version: 'one' }),
      files: { 'index.ts': '' },
    },
    {
      folder: 'c-too-new',
      manifest: manifest('too-new', { minReliefVersion: '99.0.0' }),
      files: { 'index.ts': '' },
    },
    {
      folder: 'd-import-error',
      manifest: manifest('import-error'),
      files: { 'index.ts': 'import "./missing.ts";' },
    },
    {
      folder: 'e-throws',
      manifest: manifest('throws'),
      files: {
        // Registers a filter, then throws: the filter must not stay behind.
        'index.ts':
          goodPlugin(`relief.registerFilter({ requestReady(ctx) { ctx.response.send('hijacked'); } });
           throw new Error('register exploded');`),
      },
    },
    {
      folder: 'f-no-register',
      manifest: manifest('no-register'),
      files: { 'index.ts': 'export default { name: 1 };' },
    },
    {
      folder: 'g-route-clash',
      manifest: manifest('route-clash'),
      files: {
        'index.ts': goodPlugin(
          `relief.registerRoutes(async (app) => { app.get('/health', async () => 'mine'); }, { prefix: '' });`,
        ),
      },
    },
    {
      folder: 'h-good',
      manifest: manifest('good'),
      files: {
        'index.ts': goodPlugin(`relief.log.info('good plugin registering');
           relief.registerRoutes(async (app) => { app.get('/ping', async () => ({ plugin: relief.name, config: relief.config })); });
           relief.registerFilter({ responseComplete(ctx) { ctx.response.setHeader('x-good', '1'); } }, 5);`),
      },
    },
    {
      folder: 'i-duplicate-name',
      manifest: manifest('good'),
      files: { 'index.ts': goodPlugin('') },
    },
    { folder: 'j-not-a-plugin', files: { 'README.md': 'no manifest here' } },
    {
      // Outside this repository, `relief` still resolves to the public API.
      folder: 'l-bare-import',
      manifest: manifest('bare-import'),
      files: {
        'index.ts': `import { definePlugin, ServiceException } from 'relief';
export default definePlugin({ register(relief) {
  relief.registerRoutes(async (app) => { app.get('/check', async () => ({ ok: typeof ServiceException === 'function' })); });
} });`,
      },
    },
    {
      folder: 'k-bad-config',
      manifest: manifest('bad-config'),
      files: {
        'index.ts': `import { z } from 'zod';
export default { configSchema: z.object({ level: z.number() }), register() {} };`,
      },
    },
  ]);
  server = await startTestServer({ pluginsPath: [root, SHIPPED_PLUGINS] });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('GET /plugins', () => {
  it('lists every plugin folder with its status and the reason for a failure', async () => {
    const response = await request(server.app.server).get('/plugins');
    expect(response.status).toBe(200);
    const byFolder = new Map<string, { name: string; status: string; error: string | null }>(
      (response.body.plugins as Array<{ name: string; status: string; error: string | null }>).map(
        (p) => [p.name, p],
      ),
    );
    const failed = (name: string) => {
      const record = byFolder.get(name);
      expect(record?.status, name).toBe('failed');
      return record?.error ?? '';
    };
    expect(failed('a-not-json')).toMatch(/plugin\.json is not valid JSON/);
    expect(failed('b-bad-version')).toMatch(/version: must be a semantic version/);
    expect(failed('too-new')).toMatch(/needs Relief 99\.0\.0 or newer/);
    expect(failed('import-error')).toMatch(/missing\.ts/);
    // No server path in any answer: the plugin's own paths are relative to its folder.
    for (const plugin of response.body.plugins as { error: string | null }[]) {
      expect(plugin.error ?? '').not.toContain(root);
      expect(plugin.error ?? '').not.toMatch(/\/(tmp|work|app|home)\//);
    }
    expect(failed('throws')).toBe('register exploded');
    expect(failed('no-register')).toMatch(/must export default definePlugin/);
    expect(failed('route-clash')).toMatch(/health/);
    expect(failed('bad-config')).toMatch(/invalid config plugins\.bad-config\.level/);
    expect(byFolder.has('j-not-a-plugin')).toBe(false);
    const records = response.body.plugins as Array<{
      name: string;
      status: string;
      error: string | null;
    }>;
    const goods = records.filter((p) => p.name === 'good');
    expect(goods.map((p) => p.status)).toEqual(['loaded', 'failed']);
    expect(goods[1]?.error).toMatch(/another plugin named "good"/);
    expect(byFolder.get('hello')).toMatchObject({ status: 'loaded', error: null });
    expect(byFolder.get('bare-import')).toMatchObject({ status: 'loaded', error: null });
    expect((await request(server.app.server).get('/bare-import/check')).body).toEqual({ ok: true });
  });

  it('logs each failure with the plugin name and reason', () => {
    const failure = server.logs.find((l) => l.plugin === 'throws' && l.level === 50);
    expect(failure?.msg).toBe('plugin failed to load: register exploded');
    const childLine = server.logs.find((l) => l.msg === 'good plugin registering');
    expect(childLine?.plugin).toBe('good');
  });
});

describe('landing page', () => {
  it("links every OWS service, the plugins' among them (issue 13)", async () => {
    const landing = await request(server.app.server).get('/?f=json');
    const services = (landing.body.links as { rel: string; href: string; title: string }[]).filter(
      (link) => link.rel === 'service',
    );
    const names = services.map((link) => new URL(link.href).searchParams.get('SERVICE'));
    expect(names).toEqual(expect.arrayContaining(['WMS', 'WCS', 'WFS', 'HELLO']));
    const hello = services.find((link) => link.href.includes('SERVICE=HELLO'));
    expect(hello?.title).toMatch(/\(hello\)$/);
    expect(landing.body.description).toContain('HELLO');
  });
});

describe('isolation', () => {
  it('a plugin that threw during register leaves no filter behind', async () => {
    const response = await request(server.app.server).get('/health');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
    expect(response.text).not.toContain('hijacked');
  });

  it('working plugins serve their routes under their prefix and their filters run', async () => {
    const response = await request(server.app.server).get('/good/ping');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ plugin: 'good', config: {} });
    expect(response.headers['x-good']).toBe('1');
    const hello = await request(server.app.server).get(
      '/ows?SERVICE=HELLO&REQUEST=SayHello&VERSION=1.0.0&NAME=Ada',
    );
    expect(hello.text).toBe('Hello, Ada!\n');
  });

  it('is not ready while a plugin failed to load, and names each one with its error', async () => {
    const response = await request(server.app.server).get('/ready');
    expect(response.status).toBe(503);
    expect(response.body.status).toBe('not-ready');
    const records = (await request(server.app.server).get('/plugins')).body.plugins as Array<{
      name: string;
      status: string;
      error: string | null;
    }>;
    expect(response.body.checks.plugins.status).toBe('failed');
    expect(response.body.checks.plugins.loaded).toBe(
      records.filter((p) => p.status === 'loaded').length,
    );
    expect(response.body.checks.plugins.failed).toBe(9);
    expect(response.body.checks.plugins.failures).toEqual(
      records.filter((p) => p.status === 'failed').map((p) => ({ name: p.name, error: p.error })),
    );
    expect(response.body.checks.plugins.failures).toContainEqual({
      name: 'throws',
      error: 'register exploded',
    });
    // The rest is up: only the failed plugins keep the server from being ready.
    expect((await request(server.app.server).get('/health')).status).toBe(200);
    expect(response.body.checks.pool.status).toBe('up');
    // Nothing is waiting for the pool now: both lanes are empty.
    expect(response.body.checks.pool.lanes).toEqual({
      interactive: { queued: 0, running: 0 },
      background: { queued: 0, running: 0 },
    });
    expect(response.body.checks.pool.queued).toBe(0);
  });
});

describe('strict mode', () => {
  it('RELIEF_STRICT_PLUGINS=1 makes a failing plugin stop start-up', async () => {
    await expect(
      startTestServer({ pluginsPath: [root], env: { RELIEF_STRICT_PLUGINS: '1' } }),
    ).rejects.toThrow(/Plugin a-not-json failed to load \(RELIEF_STRICT_PLUGINS is on\)/);
  });
});
