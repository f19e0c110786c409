/**
 * RELIEF_PLUGINS_PATH (issue 13, "Plugin paths"): an entry may be a plugin folder or a folder of
 * them, symbolic links are followed (a Kubernetes ConfigMap mount, a checkout linked in), the
 * same folder reached twice loads once, and whatever is skipped is logged with the reason.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, RELIEF_IMPORT, writePlugins } from '../fixtures/plugin-folders.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

let root: string;
let server: TestServer;

const answering = (word: string) => `
import { definePlugin } from '${RELIEF_IMPORT}';
export default definePlugin({
  register(relief) {
    relief.registerRoutes(async (app) => { app.get('/', async () => ({ word: '${word}' })); });
  },
});
`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'relief-plugin-paths-'));
  // Elsewhere on disk: plugins reached only through links or named directly.
  await writePlugins(join(root, 'elsewhere'), [
    { folder: 'direct', manifest: manifest('direct'), files: { 'index.ts': answering('direct') } },
    { folder: 'linked', manifest: manifest('linked'), files: { 'index.ts': answering('linked') } },
  ]);
  // A folder of plugins as a ConfigMap mount looks: hidden entries, links, a stray file.
  const mount = join(root, 'mount');
  await writePlugins(mount, [
    { folder: 'plain', manifest: manifest('plain'), files: { 'index.ts': answering('plain') } },
    { folder: 'no-manifest', files: { 'index.ts': answering('never') } },
  ]);
  await mkdir(join(mount, '..2026_12_06'), { recursive: true });
  await symlink(join(root, 'elsewhere', 'linked'), join(mount, 'linked'));
  await symlink(join(root, 'gone'), join(mount, 'dangling'));
  await writeFile(join(mount, 'README.md'), 'notes');
  // A folder with things in it but no plugin: the mistake that used to load nothing silently.
  await mkdir(join(root, 'wrong-level', 'src'), { recursive: true });
  server = await startTestServer({
    pluginsPath: [
      join(root, 'elsewhere', 'direct'),
      mount,
      join(root, 'wrong-level'),
      join(root, 'missing'),
      // The linked plugin again, by its real path: loaded once.
      join(root, 'elsewhere', 'linked'),
    ],
  });
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('the plugin path', () => {
  it('loads a plugin folder named directly, and symlinked plugin folders', async () => {
    for (const word of ['direct', 'linked', 'plain']) {
      const answer = await request(server.app.server).get(`/${word}`);
      expect(answer.status, word).toBe(200);
      expect(answer.body).toEqual({ word });
    }
    const listed = (await request(server.app.server).get('/plugins')).body as {
      plugins: { name: string; status: string }[];
    };
    expect(listed.plugins.map((p) => p.name).sort()).toEqual(['direct', 'linked', 'plain']);
  });

  it('logs what it skipped and why, and warns about an entry that yields no plugin', () => {
    const lines = server.logs.map((l) => ({
      level: l.level,
      msg: String(l.msg),
      folder: String((l as { folder?: unknown }).folder ?? ''),
    }));
    const about = (end: string) => lines.filter((l) => l.folder.endsWith(end));
    expect(about('/mount/no-manifest')[0]?.msg).toMatch(/no plugin\.json/);
    expect(about('/mount/README.md')[0]?.msg).toMatch(/not a folder/);
    expect(about('/mount/dangling')[0]).toMatchObject({ level: 40 });
    expect(about('/mount/dangling')[0]?.msg).toMatch(/broken link/);
    expect(about('/wrong-level')[0]).toMatchObject({ level: 40 });
    expect(about('/wrong-level')[0]?.msg).toMatch(/holds no plugin/);
    expect(about('/missing')[0]).toMatchObject({ level: 40 });
    expect(about('/elsewhere/linked').some((l) => /same folder/.test(l.msg))).toBe(true);
    // Hidden entries are not worth a line above debug.
    expect(about('/mount/..2026_12_06').every((l) => l.level <= 20)).toBe(true);
  });
});
