/**
 * A real Relief process for the browser tests and the screenshot: the repository's plugins
 * (elevation among them) with the elevation source pointing at a FakeTileUpstream on 127.0.0.1
 * (SRTM3 tiles, quick retries), and a small project with a vector layer (`lakes`). The upstream
 * lives in this process, so a test can slow it down (`upstream.delayMs`) to cancel a running job.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeTileUpstream } from '../../src/testing/fake-tile-upstream.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A deterministic pseudo-random value in [0, 1) for a lattice point. */
function lattice(ix: number, iy: number): number {
  const v = Math.sin(ix * 127.1 + iy * 311.7) * 43758.5453;
  return v - Math.floor(v);
}

/** Smooth value noise in [0, 1]. */
function noise(x: number, y: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = x - ix;
  const fy = y - iy;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const top = lattice(ix, iy) + (lattice(ix + 1, iy) - lattice(ix, iy)) * sx;
  const bottom = lattice(ix, iy + 1) + (lattice(ix + 1, iy + 1) - lattice(ix, iy + 1)) * sx;
  return top + (bottom - top) * sy;
}

/** Multi-octave noise with a warped domain (deterministic), so the hillshade shows mountains. */
export function ridgesHeightAt(lat: number, lon: number): number {
  const x = lon * 7 + 0.8 * noise(lon * 4, lat * 4);
  const y = lat * 7 + 0.8 * noise(lat * 4 + 7, lon * 4);
  let height = 0;
  let amplitude = 1;
  let frequency = 1;
  for (let octave = 0; octave < 4; octave++) {
    height += amplitude * noise(x * frequency, y * frequency);
    amplitude *= 0.45;
    frequency *= 2;
  }
  return 200 + 3200 * height;
}

const LAKES = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      id: 'thun',
      properties: { name: 'Thunersee' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [7.62, 46.66],
            [7.78, 46.64],
            [7.9, 46.68],
            [7.84, 46.72],
            [7.66, 46.74],
            [7.62, 46.66],
          ],
        ],
      },
    },
  ],
};

export interface E2eServer {
  base: string;
  upstream: FakeTileUpstream;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** `env`: more settings, over the ones below. */
export async function startE2eServer(env: Record<string, string> = {}): Promise<E2eServer> {
  const dir = await mkdtemp(join(tmpdir(), 'relief-e2e-'));
  const upstream = await FakeTileUpstream.start({ samples: 1201, heightAt: ridgesHeightAt });
  await writeFile(join(dir, 'lakes.geojson'), JSON.stringify(LAKES));
  await writeFile(
    join(dir, 'project.yaml'),
    [
      'title: Alpine relief (generated terrain)',
      'abstract: Terrain from a fake upstream, and a lake',
      'layers:',
      '  - name: lakes',
      '    title: Lakes',
      '    kind: vector',
      '    source: { type: geojson, path: lakes.geojson }',
      "    style: { fill: '#3b82c4', stroke: '#1d4f7a', strokeWidth: 1.5, opacity: 0.8 }",
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      RELIEF_DATA_DIR: join(dir, 'data'),
      RELIEF_PLUGINS_PATH: join(ROOT, 'plugins'),
      RELIEF_PROJECT: join(dir, 'project.yaml'),
      RELIEF_PROJECT_WATCH: 'false',
      RELIEF_LOG_LEVEL: 'warn',
      RELIEF_WORKERS: '2',
      RELIEF_SHUTDOWN_TIMEOUT: '2',
      RELIEF_ELEVATION_SOURCE: upstream.url(),
      RELIEF_ELEVATION_ATTEMPTS: '3',
      RELIEF_ELEVATION_RETRY_BASE_MS: '50',
      RELIEF_ELEVATION_RETRY_MAX_MS: '200',
      RELIEF_ELEVATION_TIMEOUT_MS: '20000',
      RELIEF_ELEVATION_MOSAIC_MAX_SIZE: '2048',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await upstream.close();
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300 || child.exitCode !== null) {
      child.kill('SIGKILL');
      await stop();
      throw new Error('the e2e server did not become ready');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, upstream, stop };
}
