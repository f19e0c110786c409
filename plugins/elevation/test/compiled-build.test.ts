/**
 * The compiled build, as the container image runs it (`npm run build:server`): JavaScript only,
 * no TypeScript loader in the process. Worker modules, plugin entries and the `relief` specifier
 * are named by URL at run time (src/server/module-url.ts); this proves every kind of them
 * resolves there: the core's pool check, the polygon check (AREA_WORKER), decoding, statistics,
 * the mosaic and a GetMap of the job's layer.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTileUpstream } from 'relief/testing';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

let dir: string;
let upstream: FakeTileUpstream;
let server: ChildProcess | undefined;
let base: string;
let output = '';

/** Every file under `folder`, relative to it. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(folder.length + 1));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-compiled-'));
  const app = join(dir, 'app');
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', app], { cwd: ROOT });
  await run(process.execPath, ['scripts/copy-runtime-assets.mjs', app], { cwd: ROOT });
  await cp(join(ROOT, 'package.json'), join(app, 'package.json'));
  await symlink(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  await symlink(join(ROOT, 'public'), join(app, 'public'));

  upstream = await FakeTileUpstream.start({ samples: 1201 });
  // The app's own folder is the working directory: the default plugin path finds its plugins.
  server = spawn(process.execPath, ['src/server/main.js'], {
    cwd: app,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      RELIEF_WORKERS: '1',
      RELIEF_DATA_DIR: join(dir, 'data'),
      RELIEF_ELEVATION_SOURCE: upstream.url(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (match) {
      base = match[1]!;
      break;
    }
    if (Date.now() > deadline || server.exitCode !== null) {
      throw new Error(`compiled server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the compiled build', () => {
  it('holds JavaScript and the plugin manifests, no TypeScript and no tests', async () => {
    const files = await filesUnder(join(dir, 'app', 'src'));
    const pluginFiles = await filesUnder(join(dir, 'app', 'plugins'));
    expect(files).toContain('server/main.js');
    expect(files).toContain('plugins/relief-specifier-hook.mjs');
    expect(pluginFiles).toContain('elevation/plugin.json');
    expect(pluginFiles).toContain('elevation/src/fetch/decode-worker.js');
    expect([...files, ...pluginFiles].filter((f) => /\.ts$|\btest\b/.test(f))).toEqual([]);
  });

  it('starts without a TypeScript loader, with its plugins and pool', async () => {
    expect(output).not.toMatch(/tsx/);
    const ready = await fetch(`${base}/ready`);
    const body = (await ready.json()) as {
      checks: { plugins: { loaded: number; failed: number } };
    };
    expect(ready.status).toBe(200);
    expect(body.checks.plugins).toMatchObject({ loaded: 2, failed: 0 });
  });

  it('runs an elevation job through every worker and draws its layer', async () => {
    const post = (area: object) =>
      fetch(`${base}/elevation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(area),
      });
    const point = await post({ type: 'Point', coordinates: [7.5, 46.5] });
    expect(point.status).toBe(400);
    expect(((await point.json()) as { detail: string }).detail).toMatch(/Point/);

    const ring = [
      [7.2, 46.2],
      [7.8, 46.2],
      [7.8, 46.8],
      [7.2, 46.8],
      [7.2, 46.2],
    ];
    const created = await post({ type: 'Polygon', coordinates: [ring] });
    expect(created.status).toBe(201);
    const { jobID } = (await created.json()) as { jobID: string };
    const job = (await (await fetch(`${base}/jobs/${jobID}?wait=60`)).json()) as { status: string };
    expect(job.status).toBe('successful');
    const results = (await (await fetch(`${base}/jobs/${jobID}/results`)).json()) as {
      statistics: { min: number; max: number; count: number };
      mosaic: { width: number; height: number };
      layers: string[];
    };
    expect(results.statistics.count).toBeGreaterThan(0);
    expect(results.statistics.max).toBeGreaterThan(results.statistics.min);
    expect(results.mosaic.width).toBeGreaterThan(0);

    const dem = results.layers.find((name) => name.endsWith('-dem'))!;
    const map = await fetch(
      `${base}/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=${dem}&STYLES=hillshade&CRS=EPSG:4326&BBOX=46.3,7.3,46.7,7.7&WIDTH=64&HEIGHT=64&FORMAT=image/png`,
    );
    expect(map.status).toBe(200);
    expect(map.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await map.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(upstream.count()).toBe(1);
  }, 120_000);
});
