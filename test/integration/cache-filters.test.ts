/**
 * Issue 13: a plugin's cache filter, through HTTP. Capabilities of WMS, WFS and WCS are asked
 * for and offered to it, under keys holding the access-control cache key, and answered from its
 * entries (marked here, so the test sees where a body came from); it is told to clear when a
 * layer is published or unpublished, when the project reloads and when a plugin is removed; a
 * hook that throws is logged and the request is answered without the cache.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CachedEntry, CachedKind, CacheInvalidation } from '../../src/access/cache-filter.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';
import { manifest, RELIEF_IMPORT, writePlugins } from '../fixtures/plugin-folders.ts';
import {
  POINTS,
  tempFolder,
  writeGeoTiff,
  writeJson,
  writeYaml,
} from '../unit/project/project-files.ts';

const HOST = 'maps.example.org';
const MARK = '<!-- from the cache -->';

type Call =
  | ['get' | 'set' | 'delete', CachedKind, string]
  | ['clear', CachedKind | undefined, CacheInvalidation];

/** Shared with the plugin through globalThis: what it was asked, and how it should misbehave. */
interface Probe {
  calls: Call[];
  entries: Map<string, CachedEntry>;
  fail?: 'get' | 'set' | 'delete';
  /** get answers something that is not an entry. */
  garbage?: boolean;
}

const probe: Probe = { calls: [], entries: new Map() };
(globalThis as { issue13CacheProbe?: Probe }).issue13CacheProbe = probe;

const CACHE_PLUGIN = `
import { definePlugin } from '${RELIEF_IMPORT}';
const probe = globalThis.issue13CacheProbe;
const fail = (hook) => {
  if (probe.fail === hook) throw new Error(hook + ' exploded');
};
export default definePlugin({ register(relief) {
  relief.registerAccessControl({ cacheKey: (ctx) => String(ctx.headers['x-role'] ?? 'guest') });
  relief.registerCacheFilter({
    async get(ctx, kind, key) {
      probe.calls.push(['get', kind, key]);
      fail('get');
      if (probe.garbage) return { body: 42 };
      const entry = probe.entries.get(kind + ' ' + key);
      if (entry === undefined) return undefined;
      return { body: Buffer.concat([entry.body, Buffer.from('${MARK}')]), contentType: entry.contentType };
    },
    set(ctx, kind, key, entry) {
      probe.calls.push(['set', kind, key]);
      fail('set');
      probe.entries.set(kind + ' ' + key, entry);
    },
    delete(ctx, kind, key) {
      probe.calls.push(['delete', kind, key]);
      fail('delete');
      probe.entries.delete(kind + ' ' + key);
    },
    clear(kind, why) {
      probe.calls.push(['clear', kind, why]);
      for (const key of [...probe.entries.keys()]) {
        if (kind === undefined || key.startsWith(kind + ' ')) probe.entries.delete(key);
      }
    },
  });
} });
`;

// Loaded after the cache plugin, then rolled back: its route clashes with /health.
const CLASHING_PLUGIN = `
import { definePlugin } from '${RELIEF_IMPORT}';
export default definePlugin({ register(relief) {
  relief.registerAccessControl({ canRead: () => false });
  relief.registerRoutes(async (app) => { app.get('/health', async () => 'mine'); }, { prefix: '' });
} });
`;

const PROJECT = {
  title: 'Cached Relief',
  layers: [
    { name: 'dem', title: 'Terrain', kind: 'raster', source: { type: 'geotiff', path: 'dem.tif' } },
    {
      name: 'summits',
      title: 'Summits',
      kind: 'vector',
      source: { type: 'geojson', path: 'summits.geojson' },
    },
  ],
};

const CAPABILITIES = {
  'WMS 1.3.0': 'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities',
  'WFS 2.0.0': 'SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities',
  'WFS 1.1.0': 'SERVICE=WFS&VERSION=1.1.0&REQUEST=GetCapabilities',
  'WCS 2.0.1': 'SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCapabilities',
  'WCS 1.0.0': 'SERVICE=WCS&VERSION=1.0.0&REQUEST=GetCapabilities',
};

let plugins: string;
let project: Awaited<ReturnType<typeof tempFolder>>;
let projectPath: string;
let server: TestServer;
/** What the filter was asked while the server started. */
let startup: Call[];

beforeAll(async () => {
  plugins = await mkdtemp(join(tmpdir(), 'relief-cache-plugins-'));
  await writePlugins(plugins, [
    { folder: 'a-cache', manifest: manifest('cache13'), files: { 'index.ts': CACHE_PLUGIN } },
    { folder: 'b-clash', manifest: manifest('clash13'), files: { 'index.ts': CLASHING_PLUGIN } },
  ]);
  project = await tempFolder();
  projectPath = join(project.path, 'project.yaml');
  await writeGeoTiff(join(project.path, 'dem.tif'), {
    west: 7,
    north: 47,
    resolution: [0.5, 0.25],
  });
  await writeJson(join(project.path, 'summits.geojson'), POINTS);
  await writeYaml(projectPath, PROJECT);
  server = await startTestServer({
    pluginsPath: [plugins],
    env: { RELIEF_PROJECT: projectPath, RELIEF_PROJECT_WATCH: 'false' },
  });
  startup = [...probe.calls];
});

afterAll(async () => {
  await server?.close();
  await project?.remove();
  if (plugins !== undefined) await rm(plugins, { recursive: true, force: true });
});

beforeEach(() => {
  probe.calls.length = 0;
  probe.entries.clear();
  delete probe.fail;
  delete probe.garbage;
});

function get(query: string, role?: string) {
  const pending = request(server.app.server).get(`/ows?${query}`).set('Host', HOST).buffer(true);
  return role === undefined ? pending : pending.set('x-role', role);
}

/** Lets the invalidations of the tick reach the filter. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

const clears = () => probe.calls.filter((call) => call[0] === 'clear').map((call) => call.slice(1));

describe('issue 13 cache filter', () => {
  it('issue 13 cache filter is told to clear when a plugin is removed', () => {
    expect(server.plugins.find((p) => p.name === 'cache13')?.status).toBe('loaded');
    expect(server.plugins.find((p) => p.name === 'clash13')?.status).toBe('failed');
    expect(startup).toEqual([['clear', undefined, { reason: 'plugin', plugin: 'clash13' }]]);
  });

  it.each(Object.entries(CAPABILITIES))(
    'issue 13 cache filter sees %s GetCapabilities: a miss is built and set, then served from it',
    async (_name, query) => {
      const first = await get(query);
      expect(first.status).toBe(200);
      expect(first.text).not.toContain(MARK);
      const [asked, offered] = probe.calls;
      expect(asked?.slice(0, 2)).toEqual(['get', 'document']);
      expect(offered?.slice(0, 2)).toEqual(['set', 'document']);
      const key = asked?.[2] as string;
      expect(offered?.[2]).toBe(key);
      // The key holds the access-control cache key of the plugin's filter.
      expect(key).toContain('cache13=guest');

      const second = await get(query);
      expect(second.status).toBe(200);
      expect(second.text).toBe(`${first.text}${MARK}`);
      expect(second.headers['content-type']).toBe(first.headers['content-type']);
      expect(probe.calls.filter((call) => call[0] === 'set')).toHaveLength(1);

      // Another role, another key: built again, not served from the guest's entry.
      const admin = await get(query, 'admin');
      expect(admin.text).not.toContain(MARK);
      expect(probe.calls.at(-1)?.[2]).toContain('cache13=admin');
    },
  );

  it('issue 13 cache filter is told to clear when a layer is published and unpublished', async () => {
    const query = CAPABILITIES['WFS 2.0.0'];
    await get(query);
    expect((await get(query)).text).toContain(MARK);
    server.layers.publish(
      {
        name: 'latecomer13',
        title: 'Latecomer',
        kind: 'vector',
        source: { kind: 'features', data: { type: 'FeatureCollection', features: [] } },
      },
      'test',
    );
    await settled();
    expect(clears()).toEqual([[undefined, { reason: 'layers', layers: ['latecomer13'] }]]);
    expect(probe.entries.size).toBe(0);
    const published = await get(query);
    expect(published.text).not.toContain(MARK);
    expect(published.text).toContain('latecomer13');

    server.layers.unpublish('latecomer13', 'test');
    await settled();
    expect(clears()).toHaveLength(2);
    expect(clears()[1]).toEqual([undefined, { reason: 'layers', layers: ['latecomer13'] }]);
    const unpublished = await get(query);
    expect(unpublished.text).not.toContain(MARK);
    expect(unpublished.text).not.toContain('latecomer13');
  });

  it('issue 13 cache filter is told to clear when the project reloads', async () => {
    const query = CAPABILITIES['WCS 2.0.1'];
    await get(query);
    expect((await get(query)).text).toContain(MARK);
    await writeYaml(projectPath, {
      ...PROJECT,
      title: 'Cached Relief 2',
      layers: PROJECT.layers.filter((layer) => layer.name !== 'summits'),
    });
    expect(await server.project.reload()).toMatchObject({ status: 'reloaded' });
    await settled();
    // One clear for the layers the reload changed (all sent together), one for the metadata.
    expect(clears()).toEqual([
      [undefined, { reason: 'layers', layers: ['summits'] }],
      ['document', { reason: 'project' }],
    ]);
    const reloaded = await get(query);
    expect(reloaded.text).not.toContain(MARK);
    expect(reloaded.text).toContain('Cached Relief 2');

    // A reload that fails changes nothing, and clears nothing.
    probe.calls.length = 0;
    await writeYaml(projectPath, { layers: 'not a list' });
    expect(await server.project.reload()).toMatchObject({ status: 'failed' });
    await settled();
    expect(clears()).toEqual([]);
    await writeYaml(projectPath, PROJECT);
    await server.project.reload();
  });

  it.each(['get', 'set'] as const)(
    'issue 13 cache filter: a %s that throws is logged and the request is answered',
    async (hook) => {
      probe.fail = hook;
      const before = server.logs.length;
      const query = CAPABILITIES['WFS 1.1.0'];
      for (let i = 0; i < 2; i++) {
        const response = await get(query);
        expect(response.status).toBe(200);
        expect(response.text).toContain('FeatureTypeList');
        expect(response.text).not.toContain(MARK);
      }
      const logged = server.logs
        .slice(before)
        .filter((line) => line.plugin === 'cache13' && line.msg.includes(`${hook} failed`));
      expect(logged).toHaveLength(2);
      expect(logged[0]?.msg).toContain(`${hook} exploded`);
      expect(logged[0]?.requestId).toBeDefined();
    },
  );

  it('issue 13 cache filter: a hit that is no entry is deleted; a delete that throws is logged', async () => {
    const query = CAPABILITIES['WCS 1.0.0'];
    probe.garbage = true;
    const before = server.logs.length;
    const answered = await get(query);
    expect(answered.status).toBe(200);
    expect(answered.text).toContain('WCS_Capabilities');
    const key = probe.calls[0]?.[2];
    expect(probe.calls.map((call) => call.slice(0, 2))).toEqual([
      ['get', 'document'],
      ['delete', 'document'],
      ['set', 'document'],
    ]);
    expect(probe.calls[1]?.[2]).toBe(key);

    probe.fail = 'delete';
    const again = await get(query);
    expect(again.status).toBe(200);
    expect(again.text).toBe(answered.text);
    const messages = server.logs.slice(before).map((line) => line.msg);
    expect(messages.filter((msg) => msg.includes('entry deleted'))).toHaveLength(2);
    expect(messages.filter((msg) => msg.includes('delete failed (delete exploded)'))).toHaveLength(
      1,
    );
  });

  it('issue 13 cache filter sees WMS GetMap and WCS GetCoverage images', async () => {
    const queries = [
      'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=dem&STYLES=&CRS=CRS:84&BBOX=7,46.5,9,47&WIDTH=8&HEIGHT=4&FORMAT=image/png',
      'SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage&COVERAGEID=dem&FORMAT=image/tiff',
    ];
    for (const query of queries) {
      probe.calls.length = 0;
      const first = await get(query);
      expect(first.status, first.text).toBe(200);
      expect(probe.calls.map((call) => call.slice(0, 2))).toEqual([
        ['get', 'image'],
        ['set', 'image'],
      ]);
      expect(probe.calls[0]?.[2]).toContain('cache13=guest');
      const second = await get(query);
      expect(Buffer.compare(second.body as Buffer, first.body as Buffer)).not.toBe(0);
      expect((second.body as Buffer).toString('latin1').endsWith(MARK)).toBe(true);
    }
  });
});
