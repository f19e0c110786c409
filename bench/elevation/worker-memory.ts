/**
 * Which elevation worker holds how much memory? Runs each worker function alone on a one-thread
 * WorkerPool (the server's pool class), in a fresh process per measurement, and prints the
 * process's RSS growth over the idle pool plus the pool thread's own V8 heap and ArrayBuffers:
 *   decode      decode-worker.ts `decodeTile`, 8 tiles one after another from a .hgt.gz file;
 *   statistics  statistics-worker.ts `computeStatistics` over N cached SRTM1 tiles;
 *   mosaic      mosaic-worker.ts `buildMosaic` (mosaicMaxSize 8192, preview 1024) over N tiles.
 * The cached tiles are hard links to one synthetic SRTM1 tile, so N costs no disk space.
 *
 *   node --import tsx bench/elevation/worker-memory.ts [--tiles 16,64]
 */
import { execFile } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type {
  ElevationArea,
  MosaicInput,
  StatisticsInput,
  TileFile,
} from '../../plugins/elevation/src/contracts.ts';
import { WorkerPool } from '../../src/pool/worker-pool.ts';
import { SAMPLES, syntheticTile } from '../elevation-decode/terrain.ts';
import type { ThreadMemory } from './memory-probe.ts';

const { values } = parseArgs({
  options: {
    tiles: { type: 'string', default: '16,64' },
    // Internal: one measurement in this (child) process.
    probe: { type: 'string' },
    dir: { type: 'string' },
  },
});
const PROBE = new URL('./memory-probe.ts', import.meta.url);
const DECODE_TILES = 8;
const ORIGIN = { lon: 6, lat: 44 };

function rssMiB(): number {
  const match = /VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

function square(tiles: number, dir: string): { files: TileFile[]; area: ElevationArea } {
  const side = Math.round(Math.sqrt(tiles));
  if (side * side !== tiles) throw new Error(`--tiles takes square numbers, got ${tiles}`);
  const files: TileFile[] = [];
  for (let lat = ORIGIN.lat; lat < ORIGIN.lat + side; lat++)
    for (let lon = ORIGIN.lon; lon < ORIGIN.lon + side; lon++)
      files.push({ tile: { lat, lon }, path: join(dir, `${lat}_${lon}.hgt`), samples: SAMPLES });
  const [w, s, e, n] = [ORIGIN.lon, ORIGIN.lat, ORIGIN.lon + side, ORIGIN.lat + side];
  const ring = [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
  return {
    files,
    area: {
      geometry: { type: 'MultiPolygon', coordinates: [[ring]] },
      bbox: [w, s, e, n],
      vertexCount: 5,
    },
  };
}

/** Child: one measurement, printed as a JSON line. */
async function probe(kind: string, tiles: number, dir: string): Promise<void> {
  const pool = new WorkerPool({ threads: 1 });
  try {
    await pool.run(PROBE, 'warm', null);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = rssMiB();
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, rssMiB())), 10);
    let thread: ThreadMemory;
    const { files, area } = square(kind === 'decode' ? 1 : tiles, join(dir, 'cache'));
    if (kind === 'decode') {
      const out = join(dir, 'decoded');
      mkdirSync(out, { recursive: true });
      const gzipPath = join(dir, 'tile.hgt.gz');
      thread = await pool.run(PROBE, 'decodeTiles', { gzipPath, tiles, dir: out });
    } else if (kind === 'statistics') {
      const input: StatisticsInput = { tiles: files, area, noDataTiles: [] };
      thread = await pool.run(PROBE, 'statistics', input);
    } else {
      const input: MosaicInput = {
        tiles: files,
        area,
        noDataTiles: [],
        geotiffPath: join(dir, 'mosaic.tif'),
        previewPath: join(dir, 'preview.png'),
        maxSize: 8192,
        previewMaxSize: 1024,
      };
      thread = await pool.run(PROBE, 'mosaic', input);
    }
    clearInterval(timer);
    console.log(JSON.stringify({ kind, tiles, before, peak, growth: peak - before, thread }));
  } finally {
    await pool.close();
  }
}

async function main(): Promise<void> {
  const sizes = values.tiles.split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'relief-bench-worker-memory-'));
  try {
    const hgt = syntheticTile(1, 1);
    const gzip = gzipSync(hgt, { level: 6 });
    mkdirSync(join(dir, 'cache'));
    const master = join(dir, 'master.hgt');
    writeFileSync(master, hgt);
    const { files } = square(Math.max(...sizes), join(dir, 'cache'));
    for (const file of files) linkSync(master, file.path);
    writeFileSync(join(dir, 'tile.hgt.gz'), gzip);

    const runs: [string, number][] = [
      ['decode', DECODE_TILES],
      ...sizes.flatMap((n): [string, number][] => [
        ['statistics', n],
        ['mosaic', n],
      ]),
    ];
    const self = fileURLToPath(import.meta.url);
    console.log('worker   tiles  RSS growth MiB  thread heap MiB  thread ArrayBuffers MiB     ms');
    for (const [kind, tiles] of runs) {
      const { stdout: output } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', self, '--probe', kind, '--tiles', String(tiles), '--dir', dir],
        { encoding: 'utf8', timeout: 120_000 },
      );
      const line = output.trim().split('\n').at(-1) ?? '{}';
      const r = JSON.parse(line) as { growth: number; thread: ThreadMemory };
      const t = r.thread;
      const heap = kind === 'decode' ? `${t.peakHeapUsed} peak` : `${t.heapUsed} at end`;
      const buffers = kind === 'decode' ? `${t.peakArrayBuffers} peak` : `${t.arrayBuffers} at end`;
      console.log(
        `${kind.padEnd(10)} ${String(tiles).padStart(5)}  ${String(r.growth).padStart(14)}  ` +
          `${heap.padStart(15)}  ${buffers.padStart(23)}  ${String(t.ms).padStart(5)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.probe !== undefined) {
  await probe(values.probe, Number(values.tiles), values.dir ?? '');
} else {
  await main();
}
