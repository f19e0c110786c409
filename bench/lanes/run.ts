/**
 * bench/lanes: do maps stay fast while an elevation job works in the background? (issue 9)
 *
 * One Relief server (a child process, 127.0.0.1) with an hgt-folder layer over one generated
 * SRTM1 tile (bench/wms/terrain.ts) and the elevation plugin, whose tile source is a local
 * upstream that answers every tile after a delay (default 1 s; --upstream paced spreads the body
 * over that second instead) with the same valid SRTM1 gzip
 * (bench/elevation-decode/terrain.ts, 13.9 MB). In the same run:
 *
 *   idle    GetMap latency, one request at a time: 16×16 and 256×256 PNG (the default grey
 *           style, a seeded sequence of boxes, bench/wms/bboxes.ts), alternating; then an
 *           invalid POST /elevation (a GeoJSON Point, answered 400) a few times;
 *   busy    the same while a 100-tile elevation job (a 10°×10° square) downloads and decodes:
 *           measured once the upstream has received `concurrency` tile requests, and valid only
 *           if the job is still fetching when the measurement ends (checked and printed).
 *
 * Every box is sent once first (warming the decoded-row caches); both phases then measure the
 * same sequence. Targets (issue 9): busy GetMap p99 ≤ 2 × idle p99, and the invalid POST answered
 * 400 in under 100 ms during the job. The job is cancelled, the server stopped and the temporary
 * folder removed at the end, also on errors and Ctrl-C.
 *
 *   npm run bench:lanes [-- --requests 200 --posts 10 --workers 2 --delay-ms 1000 --concurrency 4
 *                          --upstream burst|paced
 *                          --node-arg=--cpu-prof]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { syntheticTile } from '../elevation-decode/terrain.ts';
import { intOption } from '../lib/options.ts';
import { procStatus, resetPeak } from '../lib/proc.ts';
import { startRelief, type BenchServer } from '../lib/server.ts';
import { median, percentile } from '../lib/stats.ts';
import { startTileUpstream, type TileUpstream } from '../lib/tile-upstream.ts';
import { boxSequence, DEFAULT_SEQUENCE, getMapPath } from '../wms/bboxes.ts';
import { writeMosaic, type Mosaic } from '../wms/terrain.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string' },
    posts: { type: 'string' },
    workers: { type: 'string' },
    'delay-ms': { type: 'string' },
    upstream: { type: 'string' },
    concurrency: { type: 'string' },
    'node-arg': { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`npm run bench:lanes -- [options]
  --requests N      GetMap requests per size and phase, after a warm-up pass (default 200)
  --posts N         invalid POST /elevation per phase (default 10)
  --workers N       RELIEF_WORKERS (default 2)
  --delay-ms MS     the upstream's delay per tile (default 1000)
  --upstream KIND   burst: silent for the delay, then the whole body at loopback speed (default);
                    paced: the body spread evenly over the delay (about 110 Mbit/s)
  --concurrency N   RELIEF_ELEVATION_CONCURRENCY (default 4)
  --node-arg=ARG    extra node flag for the server (repeatable), e.g. --node-arg=--cpu-prof`);
  process.exit(0);
}
const REQUESTS = intOption('requests', values.requests, 200, 1, 10_000);
const POSTS = intOption('posts', values.posts, 10, 1, 1000);
const WORKERS = intOption('workers', values.workers, 2, 1, 64);
const DELAY_MS = intOption('delay-ms', values['delay-ms'], 1000, 0, 60_000);
const PACING = pacingOption(values.upstream ?? 'burst');

function pacingOption(value: string): 'burst' | 'paced' {
  if (value === 'burst' || value === 'paced') return value;
  console.error(`--upstream must be burst or paced, not ${value}`);
  process.exit(2);
}
const CONCURRENCY = intOption('concurrency', values.concurrency, 4, 1, 64);

const PLUGINS = fileURLToPath(new URL('../../plugins', import.meta.url));
const LAYER = 'terrain';
const SIZES = [16, 256] as const;
/** The map layer: one SRTM1 tile; the job's 100 cells lie elsewhere (they are never drawn). */
const MAP_TILE: Mosaic = { south: 46, west: 7, size: 1 };
const JOB_SIDE = 10;
const JOB_ORIGIN = { lon: 20, lat: 30 };
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

// ---- cleanup, also on Ctrl-C --------------------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
async function cleanupAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the server and removing temporary files`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

// ---- requests ---------------------------------------------------------------------------

interface Answer {
  status: number;
  ms: number;
  bytes: number;
}

/** One request on the keep-alive agent; the time includes reading the whole body. */
function send(
  base: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${base}${path}`, { method, agent, headers, timeout: 120_000 }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, bytes }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

const POINT = JSON.stringify({ type: 'Point', coordinates: [7.5, 46.5] });
const GEOJSON = { 'content-type': 'application/geo+json' };

function square(west: number, south: number, side: number): string {
  const [e, n] = [west + side, south + side];
  const ring = [
    [west, south],
    [e, south],
    [e, n],
    [west, n],
    [west, south],
  ];
  return JSON.stringify({ type: 'Polygon', coordinates: [ring] });
}

interface Phase {
  maps: Record<(typeof SIZES)[number], number[]>;
  posts: number[];
}

/**
 * Every path once: the pool threads' decoded-row caches hold the map's rows afterwards. And one
 * invalid POST, so the first measured one does not pay for loading its modules.
 */
async function warmUp(base: string, paths: Record<number, string[]>): Promise<void> {
  for (const size of SIZES) {
    for (const path of paths[size]!) await expectStatus(send(base, 'GET', path), 200);
  }
  await expectStatus(send(base, 'POST', '/elevation', POINT, GEOJSON), 400);
}

/** The measured sequence, sizes alternating, with an invalid POST every few maps. */
async function measure(base: string, paths: Record<number, string[]>): Promise<Phase> {
  const phase: Phase = { maps: { 16: [], 256: [] }, posts: [] };
  const postEvery = Math.max(1, Math.floor(REQUESTS / POSTS));
  for (let i = 0; i < REQUESTS; i++) {
    for (const size of SIZES) {
      const answer = await expectStatus(send(base, 'GET', paths[size]![i]!), 200);
      phase.maps[size].push(answer.ms);
    }
    if (i % postEvery === 0 && phase.posts.length < POSTS) {
      const answer = await expectStatus(send(base, 'POST', '/elevation', POINT, GEOJSON), 400);
      phase.posts.push(answer.ms);
    }
  }
  return phase;
}

async function expectStatus(pending: Promise<Answer>, status: number): Promise<Answer> {
  const answer = await pending;
  if (answer.status !== status) throw new Error(`expected HTTP ${status}, got ${answer.status}`);
  return answer;
}

async function job(base: string, id: string): Promise<{ status: string; message: string }> {
  const response = await fetch(`${base}/jobs/${id}`);
  return (await response.json()) as { status: string; message: string };
}

// ---- main -------------------------------------------------------------------------------

function row(label: string, request: string, ms: number[]): string[] {
  const sorted = [...ms].sort((a, b) => a - b);
  return [
    label,
    request,
    String(ms.length),
    median(sorted).toFixed(1),
    percentile(sorted, 0.99).toFixed(1),
    (sorted.at(-1) ?? Number.NaN).toFixed(1),
  ];
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `bench/lanes: node ${process.version}, ${availableParallelism()} cores ` +
      `(${cpus()[0]?.model ?? '?'}), load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; RELIEF_WORKERS=${WORKERS}, concurrency ${CONCURRENCY}, ` +
      `upstream ${PACING}, ${DELAY_MS} ms per tile`,
  );
  const tmp = await mkdtemp(join(tmpdir(), 'relief-bench-lanes-'));
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  await writeMosaic(join(tmp, 'terrain'), MAP_TILE);
  await writeFile(
    join(tmp, 'project.yaml'),
    [
      'title: bench/lanes',
      'layers:',
      `  - name: ${LAYER}`,
      '    title: Generated alpine terrain',
      '    kind: raster',
      '    source: { type: hgt-folder, path: terrain }',
      '',
    ].join('\n'),
  );
  const gzip = gzipSync(syntheticTile(1, 1), { level: 6 });
  const upstream: TileUpstream = await startTileUpstream(gzip, {
    delayMs: DELAY_MS,
    pacing: PACING,
  });
  cleanups.push(upstream.close);

  const server: BenchServer = await startRelief({
    env: {
      RELIEF_DATA_DIR: join(tmp, 'data'),
      RELIEF_PROJECT: join(tmp, 'project.yaml'),
      RELIEF_PROJECT_WATCH: 'false',
      RELIEF_PLUGINS_PATH: PLUGINS,
      RELIEF_LOG_LEVEL: 'warn',
      RELIEF_WORKERS: String(WORKERS),
      RELIEF_ELEVATION_SOURCE: upstream.template,
      RELIEF_ELEVATION_CONCURRENCY: String(CONCURRENCY),
      RELIEF_ELEVATION_MAX_TILES: String(JOB_SIDE * JOB_SIDE),
    },
    nodeArgs: values['node-arg'],
  });
  cleanups.push(server.stop);
  const { base } = server;

  const boxes = boxSequence(MAP_TILE, { ...DEFAULT_SEQUENCE, count: REQUESTS });
  const paths: Record<number, string[]> = {};
  for (const size of SIZES) paths[size] = boxes.map((box) => getMapPath(LAYER, box, size, ''));

  await warmUp(base, paths);
  const idle = await measure(base, paths);
  resetPeak(server.pid);

  const submitted = await fetch(`${base}/elevation`, {
    method: 'POST',
    headers: GEOJSON,
    body: square(JOB_ORIGIN.lon, JOB_ORIGIN.lat, JOB_SIDE),
  });
  if (submitted.status !== 201) {
    throw new Error(`POST /elevation answered ${submitted.status}: ${await submitted.text()}`);
  }
  const { jobID: jobId } = (await submitted.json()) as { jobID: string };
  cleanups.push(async () => {
    await fetch(`${base}/jobs/${jobId}`, { method: 'DELETE' }).catch(() => undefined);
  });
  // Busy from here on: downloads in flight (and decodes queued as they complete).
  const deadline = Date.now() + 60_000;
  while (upstream.requested < CONCURRENCY) {
    if (Date.now() > deadline) throw new Error('the job sent no tile requests within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const busyStart = performance.now();
  const busy = await measure(base, paths);
  const busyS = (performance.now() - busyStart) / 1000;
  const state = await job(base, jobId);
  const stillFetching = state.status === 'running' && / of \d+ tiles/.test(state.message);
  const peak = (procStatus(server.pid).VmHWM ?? 0) / 1024;

  console.log(
    `\nOne request at a time on a keep-alive connection; ms from sending to the last byte. ` +
      `${REQUESTS} GetMap per size and phase (after one warm-up pass over the same boxes), ` +
      `${POSTS} invalid POST /elevation (a Point: 400).\nbusy = while a ${JOB_SIDE * JOB_SIDE}-tile ` +
      `elevation job fetches (${busyS.toFixed(1)} s; upstream: ${upstream.requested} tile ` +
      `requests, ${upstream.served} served; the job at the end: ${state.status}, ` +
      `"${state.message}").\n`,
  );
  const rows: string[][] = [];
  for (const size of SIZES) {
    rows.push(row('idle', `GetMap ${size}² PNG`, idle.maps[size]));
    rows.push(row('busy', `GetMap ${size}² PNG`, busy.maps[size]));
  }
  rows.push(row('idle', 'POST /elevation (Point) → 400', idle.posts));
  rows.push(row('busy', 'POST /elevation (Point) → 400', busy.posts));
  printTable(['phase', 'request', 'n', 'p50 ms', 'p99 ms', 'max ms'], rows);

  console.log('');
  for (const size of SIZES) {
    const p99 = (ms: number[]) =>
      percentile(
        [...ms].sort((a, b) => a - b),
        0.99,
      );
    const ratio = p99(busy.maps[size]) / p99(idle.maps[size]);
    console.log(
      `GetMap ${size}²: busy p99 = ${ratio.toFixed(1)} × idle p99 ` +
        `(target ≤ 2: ${ratio <= 2 ? 'met' : 'NOT met'})`,
    );
  }
  const worstPost = Math.max(...busy.posts);
  console.log(
    `invalid POST during the job: slowest ${worstPost.toFixed(0)} ms ` +
      `(target < 100 ms: ${worstPost < 100 ? 'met' : 'NOT met'})`,
  );
  if (!stillFetching) {
    console.log('note: the job was no longer fetching at the end: the busy figures are not valid');
  }
  console.log(`server peak RSS during the job: ${peak.toFixed(0)} MiB`);
  console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanupAll();
  agent.destroy();
}
