/**
 * The plugin kit as a plugin author meets it (issue 13): `npm run create-plugin` makes a plugin in
 * an empty folder outside the repository; there `npm install`, `npm run typecheck` and `npm test`
 * pass with no edit; the plugin then loads into a running server (`npm start` with
 * RELIEF_PLUGINS_PATH), and so does a copy mounted without node_modules, as a ConfigMap would be.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify, stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningPort, startRelief, type ReliefProcess } from '../helpers/relief-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NAME = 'terrain-kit';
const run = promisify(execFile);

let dir: string;
let plugin: string;
const servers: ReliefProcess[] = [];

/** npm as the author runs it, in `cwd`; the output comes back for the assertions. */
async function npm(cwd: string, ...args: string[]): Promise<string> {
  const { stdout, stderr } = await run('npm', args, {
    cwd,
    timeout: 180_000,
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
  });
  return stdout + stderr;
}

async function serve(pluginFolder: string): Promise<string> {
  const server = startRelief({
    RELIEF_DATA_DIR: join(dir, `data-${servers.length}`),
    RELIEF_PLUGINS_PATH: pluginFolder,
  });
  servers.push(server);
  return `http://127.0.0.1:${await listeningPort(server.output)}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-kit-'));
  plugin = join(dir, NAME);
  await npm(ROOT, 'run', 'create-plugin', '--', plugin);
}, 60_000);

afterAll(async () => {
  for (const server of servers) server.child.kill();
  await Promise.all(servers.map((s) => s.exit));
  await rm(dir, { recursive: true, force: true });
});

describe('a plugin made from the kit, outside the repository', () => {
  it('names the checkout as its relief and installs', async () => {
    const manifest = JSON.parse(await readFile(join(plugin, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(manifest.devDependencies.relief).toBe(`file:${ROOT.replace(/\/$/, '')}`);
    await npm(plugin, 'install', '--prefer-offline');
  }, 200_000);

  it('type-checks against relief, relief/worker and relief/testing', async () => {
    await expect(npm(plugin, 'run', 'typecheck')).resolves.toContain('tsc --noEmit');
  }, 200_000);

  it('passes its own tests', async () => {
    const output = stripVTControlCharacters(await npm(plugin, 'test'));
    expect(output).toMatch(/Tests\s+3 passed \(3\)/);
  }, 200_000);

  it('loads into a running server and runs its worker on the pool', async () => {
    const base = await serve(plugin);
    const plugins = (await (await fetch(`${base}/plugins`)).json()) as {
      plugins: Array<{ name: string; status: string }>;
    };
    expect(plugins.plugins).toContainEqual(
      expect.objectContaining({ name: NAME, status: 'loaded' }),
    );
    const response = await fetch(`${base}/${NAME}/tiles?lat=46.5&lon=-7.5`);
    expect(response.status).toBe(200);
    expect(response.headers.get(`x-${NAME}`)).toBe(NAME);
    expect(await response.json()).toEqual({ name: 'N46W008', path: 'N46/N46W008.hgt.gz' });
  }, 60_000);

  it('loads from a folder without node_modules, as a mounted plugin', async () => {
    const mounted = join(dir, 'mounted', NAME);
    await cp(plugin, mounted, {
      recursive: true,
      filter: (source) => !source.includes('node_modules'),
    });
    const base = await serve(mounted);
    const response = await fetch(`${base}/${NAME}/tiles?lat=0&lon=0`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'N00E000', path: 'N00/N00E000.hgt.gz' });
  }, 60_000);
});
