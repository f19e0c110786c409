/**
 * Issue 13 item 2: plugins learn of the project through `relief.onProjectReady` — once when they
 * have registered, again after every successful reload (the file watcher's) — through the real
 * plugin loader. A listener that throws is logged on its plugin's logger; a plugin whose
 * registration fails is never called.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';
import { manifest, RELIEF_IMPORT, writePlugins } from '../fixtures/plugin-folders.ts';
import { POINTS, tempFolder, writeJson, writeYaml } from '../unit/project/project-files.ts';

let folder: Awaited<ReturnType<typeof tempFolder>>;
let projectPath: string;
let server: TestServer;

const SUMMITS = {
  name: 'summits',
  title: 'Summits',
  kind: 'vector',
  source: { type: 'geojson', path: 'summits.geojson' },
};
const PEAKS = { ...SUMMITS, name: 'peaks', title: 'Peaks' };

const plugin = (body: string) => `
import { definePlugin } from '${RELIEF_IMPORT}';
export default definePlugin({ register(relief) { ${body} } });
`;

beforeAll(async () => {
  folder = await tempFolder();
  projectPath = join(folder.path, 'project.yaml');
  await writeJson(join(folder.path, 'summits.geojson'), POINTS);
  await writeYaml(projectPath, {
    title: 'First',
    layers: [SUMMITS, { ...SUMMITS, name: 'lakes', source: { type: 'geojson', path: 'no.json' } }],
  });
  const plugins = join(folder.path, 'plugins');
  await writePlugins(plugins, [
    {
      folder: 'a-watcher',
      manifest: manifest('watcher'),
      files: {
        'index.ts': plugin(`
          const events = [];
          const ends = [];
          // Async and slow: deliveries must still come one at a time, in order.
          relief.onProjectReady(async (project) => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            events.push(project);
          });
          relief.registerFilter({ requestEnd(ctx, end) { if (ctx.path === '/watcher/events') ends.push(end); } });
          relief.registerRoutes(async (app) => {
            app.get('/events', async () => ({ events, ends }));
          });`),
      },
    },
    {
      folder: 'b-broken-listener',
      manifest: manifest('broken-listener'),
      files: {
        'index.ts': plugin(`
          relief.onProjectReady((project) => { throw new Error('listener exploded on ' + project.metadata.title); });`),
      },
    },
    {
      folder: 'c-rolled-back',
      manifest: manifest('rolled-back'),
      files: {
        'index.ts': plugin(`
          relief.onProjectReady(() => relief.log.warn('rolled-back listener called'));
          throw new Error('register failed');`),
      },
    },
  ]);
  server = await startTestServer({
    pluginsPath: [plugins],
    env: { RELIEF_PROJECT: projectPath },
  });
});

afterAll(async () => {
  await server?.close();
  await folder?.remove();
});

interface Seen {
  events: Array<{
    reload: boolean;
    file: string;
    metadata: { title: string };
    layers: Array<{ name: string; kind: string; source: { kind: string; path: string } }>;
    skipped: Array<{ name: string; reason: string }>;
    changes?: { added: string[]; removed: string[]; changed: string[] };
    loadedAt: string;
  }>;
  ends: Array<{ statusCode: number; bytes: number; completed: boolean }>;
}

const seen = async (): Promise<Seen> =>
  (await request(server.app.server).get('/watcher/events')).body as Seen;

describe('issue 13 item 2: onProjectReady', () => {
  it('tells a plugin of the project loaded before it, once it has registered', async () => {
    expect(server.plugins.map((p) => [p.name, p.status])).toEqual([
      ['watcher', 'loaded'],
      ['broken-listener', 'loaded'],
      ['rolled-back', 'failed'],
    ]);
    await expect.poll(async () => (await seen()).events.length).toBe(1);
    const [first] = (await seen()).events;
    expect(first).toMatchObject({
      reload: false,
      file: projectPath,
      metadata: { title: 'First' },
      layers: [
        {
          name: 'summits',
          kind: 'vector',
          source: { kind: 'geojson', path: join(folder.path, 'summits.geojson') },
        },
      ],
      skipped: [{ name: 'lakes', reason: 'geojson no.json: file not found' }],
    });
    expect(first).not.toHaveProperty('changes');
    expect(Number.isNaN(Date.parse(first!.loadedAt))).toBe(false);
  });

  it('logs a listener that throws on its plugin logger, and the server carries on', async () => {
    await expect
      .poll(() => server.logs.find((l) => l.msg === 'onProjectReady listener failed'))
      .toBeDefined();
    const logged = server.logs.find((l) => l.msg === 'onProjectReady listener failed');
    expect(logged).toMatchObject({ plugin: 'broken-listener', level: 50, reload: false });
    expect(JSON.stringify(logged?.err)).toContain('listener exploded on First');
    expect((await request(server.app.server).get('/health')).status).toBe(200);
  });

  it('tells it again after each successful reload, with what changed, and never after a failed one', async () => {
    const reloaded = server.project.nextReload();
    await writeYaml(projectPath, { title: 'Second', layers: [SUMMITS, PEAKS] });
    expect(await reloaded).toMatchObject({ status: 'reloaded', added: ['peaks'] });
    await expect.poll(async () => (await seen()).events.length).toBe(2);
    const second = (await seen()).events[1];
    expect(second).toMatchObject({
      reload: true,
      metadata: { title: 'Second' },
      changes: { added: ['peaks'], removed: [], changed: [] },
      skipped: [],
    });
    expect(second?.layers.map((l) => l.name)).toEqual(['summits', 'peaks']);

    const failed = server.project.nextReload();
    await writeFile(projectPath, 'title: [unclosed\n');
    expect(await failed).toMatchObject({ status: 'failed' });
    await delay(100);
    expect((await seen()).events).toHaveLength(2);
    // The broken listener was called for both successful projects, and logged each time.
    const failures = server.logs.filter((l) => l.msg === 'onProjectReady listener failed');
    expect(failures.map((l) => l.reload)).toEqual([false, true]);
  });

  it('never calls the listener of a plugin whose registration failed', () => {
    expect(server.logs.some((l) => l.msg === 'rolled-back listener called')).toBe(false);
    expect(server.plugins.find((p) => p.name === 'rolled-back')?.error).toBe('register failed');
  });

  it('issue 13 item 1: a plugin filter with only requestEnd is registered and told how its requests ended', async () => {
    await seen();
    await expect.poll(async () => (await seen()).ends.length).toBeGreaterThanOrEqual(1);
    const { ends } = await seen();
    expect(ends[0]).toMatchObject({ statusCode: 200, completed: true });
    expect(ends[0]?.bytes).toBeGreaterThan(0);
  });
});
