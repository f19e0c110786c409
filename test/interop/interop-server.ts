/**
 * A real Relief process for the interop tests, serving a project with generated terrain
 * (`terrain`, four SRTM3 tiles N46E007…N47E008) and a GeoJSON layer (`lakes`), so results can
 * be checked against known values. Also finds the GIS clients, failing clearly when absent.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateHgt } from '../../src/testing/hgt-fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const run = promisify(execFile);

export const TERRAIN_TILES = [
  { lat: 46, lon: 7 },
  { lat: 46, lon: 8 },
  { lat: 47, lon: 7 },
  { lat: 47, lon: 8 },
];

export const LAKES = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      id: 'geneva',
      properties: { name: 'Lac Léman', depth: 310 },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [7.1, 46.2],
            [7.6, 46.2],
            [7.6, 46.5],
            [7.1, 46.5],
            [7.1, 46.2],
          ],
        ],
      },
    },
    {
      type: 'Feature',
      id: 'thun',
      properties: { name: 'Thunersee', depth: 217 },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [8.1, 47.1],
            [8.4, 47.1],
            [8.4, 47.3],
            [8.1, 47.3],
            [8.1, 47.1],
          ],
        ],
      },
    },
  ],
};

export interface InteropServer {
  base: string;
  ows: string;
  dir: string;
  stop(): Promise<void>;
}

export async function requireClients(): Promise<void> {
  for (const [command, args] of [
    ['gdalinfo', ['--version']],
    ['ogrinfo', ['--version']],
    ['/usr/bin/python3', ['-c', 'import owslib']],
  ] as const) {
    try {
      await run(command, [...args]);
    } catch {
      throw new Error(
        `${command} is missing: the interop tests need Debian's gdal-bin and python3-owslib (apt-get install gdal-bin python3-owslib)`,
      );
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function startInteropServer(): Promise<InteropServer> {
  const dir = await mkdtemp(join(tmpdir(), 'relief-interop-'));
  for (const tile of TERRAIN_TILES) {
    const name = `N${String(tile.lat).padStart(2, '0')}E${String(tile.lon).padStart(3, '0')}`;
    await mkdir(join(dir, 'terrain', name.slice(0, 3)), { recursive: true });
    await writeFile(join(dir, 'terrain', name.slice(0, 3), `${name}.hgt`), generateHgt(tile, 1201));
  }
  await writeFile(join(dir, 'lakes.geojson'), JSON.stringify(LAKES));
  await writeFile(
    join(dir, 'project.yaml'),
    [
      'title: Relief interop',
      'abstract: Generated terrain and lakes',
      'layers:',
      '  - name: terrain',
      '    title: Generated terrain',
      '    kind: raster',
      '    source: { type: hgt-folder, path: terrain }',
      '    style: hillshade',
      '  - name: lakes',
      '    title: Lakes',
      '    kind: vector',
      '    source: { type: geojson, path: lakes.geojson }',
      '',
    ].join('\n'),
  );
  await mkdir(join(dir, 'no-plugins'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      RELIEF_DATA_DIR: join(dir, 'data'),
      RELIEF_PLUGINS_PATH: join(dir, 'no-plugins'),
      RELIEF_PROJECT: join(dir, 'project.yaml'),
      RELIEF_PROJECT_WATCH: 'false',
      RELIEF_LOG_LEVEL: 'warn',
      RELIEF_WORKERS: '2',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 200) {
      child.kill('SIGKILL');
      throw new Error('the interop server did not become ready');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    ows: `${base}/ows`,
    dir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
