/**
 * bench/elevation: one elevation job end to end against the real server (a child process) and a
 * local tile upstream on 127.0.0.1: fetch throughput (tiles/s, MB/s decompressed), the results
 * phase (statistics, then mosaic + preview), and the server process's peak RSS. Then the same
 * with a smaller job and with other pool sizes, each in a fresh server process, to show whether
 * memory follows the pool size or the job size.
 *
 * Targets (issue 9), printed for the main job: its fetch rate is at least 0.8 × (pool threads ×
 * pako's single-thread decode rate), the rate measured in this process just before each run
 * (bench/elevation-decode/pako-rate.ts), and the server's peak RSS stays under 400 MB.
 *
 * The upstream serves ONE synthetic gzipped SRTM1 tile (bench/elevation-decode/terrain.ts,
 * 3601², compressing like real terrain) for every tile name, at loopback speed (no limit).
 *
 *   npm run bench:elevation [-- --tiles 64 --small 16 --workers N --compare-workers 1,2
 *                              --concurrency 4 --timeout 240 --node-arg=--heap-prof]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { SAMPLES, syntheticTile } from '../elevation-decode/terrain.ts';
import { pakoDecodeRate, type DecodeRate } from '../elevation-decode/pako-rate.ts';
import { workerDecodeRate } from '../elevation-decode/worker-rate.ts';
import { sleep } from '../lib/net.ts';
import { cpuSeconds, machineBusySeconds, procStatus, resetPeak, threadCpu } from '../lib/proc.ts';
import { startRelief } from '../lib/server.ts';
import { startTileUpstream, type TileUpstream as Upstream } from '../lib/tile-upstream.ts';

const { values } = parseArgs({
  options: {
    tiles: { type: 'string', default: '64' },
    small: { type: 'string', default: '16' },
    workers: { type: 'string', default: String(availableParallelism()) },
    'compare-workers': { type: 'string', default: '1,2' },
    concurrency: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
    jitter: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '240' },
    'sample-ms': { type: 'string', default: '50' },
    'node-arg': { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`npm run bench:elevation -- [options]
  --tiles N              tiles of the main job, a square number (default 64: 8°×8°)
  --small N              tiles of the comparison job, a square number; 0 skips it (default 16)
  --workers N            RELIEF_WORKERS of the main and small runs (default: cores)
  --compare-workers L    pool sizes to run the main job with as well, comma-separated (default 1,2)
  --concurrency N        RELIEF_ELEVATION_CONCURRENCY (default 4)
  --rounds N             rounds over all runs, each run in a fresh server (default 2)
  --jitter M             per-sample noise of the synthetic tile in m (default 1)
  --timeout S            limit for one run: server start-up and the job (default 240)
  --sample-ms MS         RSS sampling interval (default 50)
  --node-arg=ARG         extra node flag for the server (repeatable), e.g. --node-arg=--heap-prof`);
  process.exit(0);
}

const PLUGINS = fileURLToPath(new URL('../../plugins', import.meta.url));
const TILE_BYTES = SAMPLES * SAMPLES * 2;
/** South-west corner of every job's square: whole degrees, so the square covers exactly k² cells. */
const ORIGIN = { lon: 6, lat: 44 };

function squareSide(name: string, tiles: number): number {
  const side = Math.round(Math.sqrt(tiles));
  if (!Number.isInteger(tiles) || tiles < 1 || side * side !== tiles)
    throw new Error(`--${name} must be a square number (1, 4, 9, 16, …), got ${tiles}`);
  return side;
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

const mainTiles = Number(values.tiles);
squareSide('tiles', mainTiles);
const smallTiles = Number(values.small);
if (smallTiles !== 0) squareSide('small', smallTiles);
const workers = positive('workers', values.workers);
const concurrency = positive('concurrency', values.concurrency);
const compareWorkers = values['compare-workers']
  .split(',')
  .filter((s) => s.trim() !== '')
  .map((s) => positive('compare-workers', s.trim()));
const rounds = positive('rounds', values.rounds);
const timeoutMs = positive('timeout', values.timeout) * 1000;
const sampleMs = positive('sample-ms', values['sample-ms']);
const jitter = Number(values.jitter);

// ---- cleanup, also on Ctrl-C --------------------------------------------------------------

const cleanups = new Set<() => Promise<void>>();
async function cleanupAll(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the server and removing temporary files`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

// ---- one run ----------------------------------------------------------------------------

type Phase = 'submit' | 'fetch' | 'statistics' | 'mosaic' | 'done';

interface RunConfig {
  tiles: number;
  workers: number;
  concurrency: number;
}

interface RunResult extends RunConfig {
  round: number;
  jobId: string;
  /** Tile bodies the upstream sent completely during the job. */
  upstreamServed: number;
  /** Seconds from submit to the job's final state. */
  wallS: number;
  /** Submit until the job reports all tiles fetched (or the statistics step). */
  fetchS: number;
  tilesPerS: number;
  mbPerS: number;
  /** Upstream side: when the last tile's body had been handed to the kernel. */
  upstreamLastByteS: number;
  statisticsS: number;
  mosaicS: number;
  resultsS: number;
  /** Server CPU (all threads) during the fetch phase, in cores (CPU s / wall s). */
  fetchCores: number;
  /** Server CPU seconds per tile during the fetch phase. */
  fetchCpuPerTile: number;
  /** The server's event loop and its pool threads during the fetch phase, in cores. */
  fetchMainCores: number;
  fetchPoolCores: number;
  /** Single-thread pako rate measured in this bench process just before the run. */
  pako: DecodeRate;
  /** tiles/s ÷ (pool threads × pako tiles/s): the target is ≥ 0.8. */
  rateRatio: number;
  /** The decode worker's own single-thread rate, measured just after pako's. */
  worker: DecodeRate;
  /** tiles/s ÷ (pool threads × worker tiles/s): how busy the job keeps its threads decoding. */
  efficiency: number;
  /** CPU of this bench process (the upstream, SSE, sampling) during the fetch phase, in cores. */
  benchCores: number;
  /** CPU used by everything else on the machine during the fetch phase, in cores. */
  otherCores: number;
  mosaic: { width: number; height: number };
  statistics: { min: number | null; max: number | null; count: number; voidCount: number };
  downloaded: number;
  /** MiB: VmRSS after start-up, VmHWM of start-up, VmHWM during the job, VmRSS after it. */
  rssBaseline: number;
  startupPeak: number;
  peak: number;
  rssAfter: number;
  /** Highest sampled VmRSS per phase, MiB. */
  peakByPhase: Partial<Record<Phase, number>>;
  maxThreads: number;
  peakResetWorked: boolean;
  load: { before: number; after: number };
}

interface JobEvent {
  t: number;
  status: string;
  progress: number;
  message: string;
}

function polygon(tiles: number): unknown {
  const side = squareSide('tiles', tiles);
  const { lon: w, lat: s } = ORIGIN;
  const [e, n] = [w + side, s + side];
  return {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  };
}

const FINAL = new Set(['successful', 'failed', 'dismissed']);

/**
 * The job's phase from its status document. The server coalesces progress to one update per
 * 100 ms, so `N of N tiles` may be replaced by `computing statistics` before anyone sees it.
 */
function phaseOf(event: JobEvent, tiles: number): Phase {
  if (FINAL.has(event.status)) return 'done';
  if (event.message.startsWith('building the mosaic')) return 'mosaic';
  if (event.message.startsWith('computing statistics')) return 'statistics';
  if (event.message.startsWith(`${tiles} of ${tiles} tiles`)) return 'statistics';
  return event.status === 'running' ? 'fetch' : 'submit';
}

/** Reads the job's SSE stream, calling `onEvent` with the arrival time of each event. */
async function followEvents(
  url: string,
  signal: AbortSignal,
  onEvent: (event: JobEvent) => void,
): Promise<void> {
  const response = await fetch(url, { signal, headers: { accept: 'text/event-stream' } });
  if (!response.ok || response.body === null) throw new Error(`events: ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    const t = performance.now();
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (data === '') continue;
      const doc = JSON.parse(data) as { status: string; progress: number; message: string };
      onEvent({ t, status: doc.status, progress: doc.progress, message: doc.message });
    }
  }
}

interface Mark {
  t: number;
  cpu: number;
  benchCpu: number;
  machineCpu: number;
  threads: { main: number; pool: number; other: number };
}

async function runOnce(config: RunConfig, round: number, upstream: Upstream): Promise<RunResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relief-bench-elevation-'));
  const removeData = () => rm(dataDir, { recursive: true, force: true });
  cleanups.add(removeData);
  // The yardstick, on this thread just before the server starts: nothing else of ours runs.
  const pako = pakoDecodeRate(upstream.gzip);
  const worker = await workerDecodeRate(upstream.gzip);
  const controller = new AbortController();
  const deadline = setTimeout(
    () => controller.abort(new Error(`the job did not finish within ${timeoutMs / 1000} s`)),
    timeoutMs,
  );
  let sampler: NodeJS.Timeout | undefined;
  let stop: (() => Promise<void>) | undefined;
  try {
    const server = await startRelief({
      nodeArgs: values['node-arg'],
      env: {
        RELIEF_DATA_DIR: dataDir,
        RELIEF_PLUGINS_PATH: PLUGINS,
        RELIEF_LOG_LEVEL: 'warn',
        RELIEF_WORKERS: String(config.workers),
        RELIEF_ELEVATION_SOURCE: upstream.template,
        RELIEF_ELEVATION_MAX_TILES: '1000',
        RELIEF_ELEVATION_CONCURRENCY: String(config.concurrency),
      },
    });
    stop = server.stop;
    cleanups.add(stop);
    const { pid, base } = server;
    await sleep(1000); // let start-up settle
    const startup = procStatus(pid);
    const peakResetWorked = resetPeak(pid);
    const loadBefore = loadavg()[0]!;
    upstream.reset();

    // RSS sampling, attributed to the phase the job reports; CPU marked at each phase change.
    let phase: Phase = 'submit';
    const peakByPhase: Partial<Record<Phase, number>> = {};
    const marks: Partial<Record<Phase, Mark>> = {};
    let maxThreads = startup.Threads ?? 0;
    const mark = (): Mark => ({
      t: performance.now(),
      cpu: cpuSeconds(pid),
      benchCpu: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      machineCpu: machineBusySeconds(),
      threads: threadCpu(pid),
    });
    const sample = () => {
      try {
        const status = procStatus(pid);
        peakByPhase[phase] = Math.max(peakByPhase[phase] ?? 0, status.VmRSS ?? 0);
        maxThreads = Math.max(maxThreads, status.Threads ?? 0);
      } catch {
        // the process is gone; the run fails below
      }
    };
    sampler = setInterval(sample, sampleMs);

    const start = mark();
    const submitted = await fetch(`${base}/elevation`, {
      method: 'POST',
      headers: { 'content-type': 'application/geo+json' },
      body: JSON.stringify(polygon(config.tiles)),
      signal: controller.signal,
    });
    if (submitted.status !== 201)
      throw new Error(`POST /elevation answered ${submitted.status}: ${await submitted.text()}`);
    const { jobID: jobId } = (await submitted.json()) as { jobID: string };
    let eventsError: unknown;
    const eventsDone = followEvents(`${base}/jobs/${jobId}/events`, controller.signal, (e) => {
      const next = phaseOf(e, config.tiles);
      if (next !== phase) {
        sample(); // close the previous phase with a fresh sample
        phase = next;
        marks[next] ??= { ...mark(), t: e.t };
      }
    }).catch((error: unknown) => {
      // Kept for after the job: a rejection nobody awaits yet would end the process uncleaned.
      if (!controller.signal.aborted) eventsError = error;
    });

    let final: { status: string; message: string } | undefined;
    while (final === undefined) {
      const response = await fetch(`${base}/jobs/${jobId}?wait=60`, { signal: controller.signal });
      const doc = (await response.json()) as { status: string; message: string };
      if (FINAL.has(doc.status)) final = doc;
    }
    const end = mark();
    sample();
    clearInterval(sampler);
    const after = procStatus(pid);
    const loadAfter = loadavg()[0]!;
    if (final.status !== 'successful')
      throw new Error(`job ${jobId} ended ${final.status}: ${final.message}`);
    await Promise.race([eventsDone, sleep(2000)]);
    if (eventsError !== undefined) throw eventsError;

    const response = await fetch(`${base}/jobs/${jobId}/results`, { signal: controller.signal });
    const results = (await response.json()) as {
      tiles: { status: string }[];
      statistics: RunResult['statistics'] | undefined;
      mosaic: { width: number; height: number } | null;
    };
    const downloaded = results.tiles.filter((t) => t.status === 'downloaded').length;
    if (results.tiles.length !== config.tiles || downloaded !== config.tiles)
      throw new Error(
        `expected ${config.tiles} downloaded tiles, got ${downloaded} of ${results.tiles.length}`,
      );
    if (results.statistics === undefined || !(results.statistics.count > 0))
      throw new Error('the results have no statistics');
    if (results.mosaic === null) throw new Error('the results have no mosaic');
    // More would mean retries (a timeout or a broken connection on loopback): worth a look.
    if (upstream.served !== config.tiles)
      console.log(`\nnote: the upstream served ${upstream.served} tiles for ${config.tiles}`);

    const fetchEnd = marks.statistics ?? marks.mosaic ?? end;
    const mosaicStart = marks.mosaic ?? fetchEnd;
    const fetchS = (fetchEnd.t - start.t) / 1000;
    const fetchCpu = fetchEnd.cpu - start.cpu;
    const mib = (kB: number | undefined) => (kB ?? 0) / 1024;
    return {
      ...config,
      round,
      jobId,
      upstreamServed: upstream.served,
      wallS: (end.t - start.t) / 1000,
      fetchS,
      tilesPerS: config.tiles / fetchS,
      mbPerS: (config.tiles * TILE_BYTES) / 1e6 / fetchS,
      upstreamLastByteS: (upstream.lastFinished - start.t) / 1000,
      statisticsS: (mosaicStart.t - fetchEnd.t) / 1000,
      mosaicS: (end.t - mosaicStart.t) / 1000,
      resultsS: (end.t - fetchEnd.t) / 1000,
      fetchCores: fetchCpu / fetchS,
      fetchCpuPerTile: fetchCpu / config.tiles,
      fetchMainCores: (fetchEnd.threads.main - start.threads.main) / fetchS,
      fetchPoolCores: (fetchEnd.threads.pool - start.threads.pool) / fetchS,
      pako,
      rateRatio: config.tiles / fetchS / (config.workers * pako.tilesPerS),
      worker,
      efficiency: config.tiles / fetchS / (config.workers * worker.tilesPerS),
      benchCores: (fetchEnd.benchCpu - start.benchCpu) / fetchS,
      otherCores: Math.max(
        0,
        (fetchEnd.machineCpu - start.machineCpu - fetchCpu - (fetchEnd.benchCpu - start.benchCpu)) /
          fetchS,
      ),
      mosaic: { width: results.mosaic.width, height: results.mosaic.height },
      statistics: results.statistics,
      downloaded,
      rssBaseline: mib(startup.VmRSS),
      startupPeak: mib(startup.VmHWM),
      // Without the reset, VmHWM also covers start-up (which peaks far lower than a job).
      peak: mib(after.VmHWM),
      rssAfter: mib(after.VmRSS),
      peakByPhase: Object.fromEntries(
        Object.entries(peakByPhase).map(([k, v]) => [k, Math.round(v / 1024)]),
      ),
      maxThreads,
      peakResetWorked,
      load: { before: loadBefore, after: loadAfter },
    };
  } finally {
    clearInterval(sampler);
    clearTimeout(deadline);
    controller.abort();
    if (stop !== undefined) {
      await stop();
      cleanups.delete(stop);
    }
    await removeData();
    cleanups.delete(removeData);
  }
}

// ---- main -------------------------------------------------------------------------------

function key(config: RunConfig): string {
  return `${config.tiles}/${config.workers}/${config.concurrency}`;
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

const loads = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('needs Linux (/proc/<pid>/status)');
  const planned: { label: string; config: RunConfig }[] = [];
  if (smallTiles !== 0)
    planned.push({ label: 'small job', config: { tiles: smallTiles, workers, concurrency } });
  planned.push({ label: 'main job', config: { tiles: mainTiles, workers, concurrency } });
  for (const w of compareWorkers)
    planned.push({ label: `pool ${w}`, config: { tiles: mainTiles, workers: w, concurrency } });
  // A comparison that equals another run (pool 2 on 2 cores) is measured once.
  const unique = new Map<string, RunConfig>();
  for (const { config } of planned) unique.set(key(config), config);

  const started = performance.now();
  console.log(
    `bench/elevation: node ${process.version}, ${availableParallelism()} cores ` +
      `(${cpus()[0]?.model ?? '?'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, load ${loads()}`,
  );
  const t = performance.now();
  const hgt = syntheticTile(1, jitter);
  const gzip = gzipSync(hgt, { level: 6 });
  console.log(
    `upstream tile: synthetic SRTM1 ${SAMPLES}², ${hgt.length} bytes → ${gzip.length} gzipped ` +
      `(${((100 * gzip.length) / hgt.length).toFixed(1)} %, jitter ±${jitter} m), built in ` +
      `${((performance.now() - t) / 1000).toFixed(1)} s; the same bytes for every tile name, ` +
      `from 127.0.0.1, no bandwidth limit`,
  );
  const upstream = await startTileUpstream(gzip);
  cleanups.add(upstream.close);

  const results = new Map<string, RunResult[]>();
  try {
    const configs = [...unique.values()];
    for (let round = 1; round <= rounds; round++) {
      // Rotate the order each round, so no configuration always runs first (or last).
      const shift = (round - 1) % configs.length;
      for (const config of [...configs.slice(shift), ...configs.slice(0, shift)]) {
        process.stdout.write(
          `round ${round}: ${config.tiles} tiles, RELIEF_WORKERS=${config.workers}, ` +
            `concurrency ${config.concurrency} … `,
        );
        const result = await runOnce(config, round, upstream);
        results.set(key(config), [...(results.get(key(config)) ?? []), result]);
        console.log(
          `${result.wallS.toFixed(1)} s, ${result.tilesPerS.toFixed(2)} tiles/s ` +
            `(pako ${result.pako.tilesPerS.toFixed(2)} tiles/s on one thread: ratio ` +
            `${result.rateRatio.toFixed(2)}; decode worker ${result.worker.tilesPerS.toFixed(2)} ` +
            `tiles/s: efficiency ${result.efficiency.toFixed(2)}), peak RSS ${result.peak.toFixed(0)} MiB (load ${result.load.before.toFixed(2)}` +
            `→${result.load.after.toFixed(2)})`,
        );
      }
    }
  } finally {
    await cleanupAll();
  }

  const rows = planned.map(({ label, config }) => {
    const runs = results.get(key(config))!;
    const med = (pick: (r: RunResult) => number) => median(runs.map(pick));
    const peaks = runs.map((r) => r.peak);
    return {
      label,
      ...config,
      rounds: runs.length,
      wallS: med((r) => r.wallS),
      fetchS: med((r) => r.fetchS),
      tilesPerS: med((r) => r.tilesPerS),
      mbPerS: med((r) => r.mbPerS),
      fetchCores: med((r) => r.fetchCores),
      fetchCpuPerTile: med((r) => r.fetchCpuPerTile),
      fetchMainCores: med((r) => r.fetchMainCores),
      fetchPoolCores: med((r) => r.fetchPoolCores),
      pakoTilesPerS: med((r) => r.pako.tilesPerS),
      rateRatio: med((r) => r.rateRatio),
      workerTilesPerS: med((r) => r.worker.tilesPerS),
      efficiency: med((r) => r.efficiency),
      benchCores: med((r) => r.benchCores),
      otherCores: med((r) => r.otherCores),
      statisticsS: med((r) => r.statisticsS),
      mosaicS: med((r) => r.mosaicS),
      mosaic: runs[0]!.mosaic,
      rssBaseline: med((r) => r.rssBaseline),
      peak: med((r) => r.peak),
      peakMin: Math.min(...peaks),
      peakMax: Math.max(...peaks),
      peakFetch: med((r) => r.peakByPhase.fetch ?? 0),
      peakStatistics: med((r) => r.peakByPhase.statistics ?? 0),
      peakMosaic: med((r) => r.peakByPhase.mosaic ?? 0),
      rssAfter: med((r) => r.rssAfter),
      maxThreads: Math.max(...runs.map((r) => r.maxThreads)),
    };
  });

  console.log(
    `\nMedians over ${rounds} round(s), each run in a fresh server. MB = 10^6 bytes of ` +
      `decompressed .hgt (${TILE_BYTES} per tile).\nfetch = submit → all tiles fetched; ` +
      `CPU = server CPU (all threads) during fetch, in cores, of which main = its event loop and ` +
      `pool = its (niced) pool threads;\nbench = this process (upstream); pako t/s = pako's ` +
      `single-thread decode rate in this process just before the run (SRTM1 tiles/s);\n` +
      `ratio = tiles/s ÷ (pool threads × pako t/s), target ≥ 0.8; worker t/s = the decode ` +
      `worker's own rate (decodeTile on one thread, file to file);\neff = tiles/s ÷ (pool ` +
      `threads × worker t/s);\n` +
      `other = the rest of the machine (other processes, kernel, steal) during fetch, in cores.\n`,
  );
  printTable(
    [
      'run',
      'tiles',
      'pool',
      'conc',
      'wall s',
      'fetch s',
      'tiles/s',
      'MB/s',
      'CPU',
      'main',
      'pool',
      'CPU s/tile',
      'pako t/s',
      'ratio',
      'worker t/s',
      'eff',
      'bench',
      'other',
      'stats s',
      'mosaic s',
      'mosaic px',
    ],
    rows.map((r) => [
      r.label,
      String(r.tiles),
      String(r.workers),
      String(r.concurrency),
      r.wallS.toFixed(1),
      r.fetchS.toFixed(1),
      r.tilesPerS.toFixed(2),
      r.mbPerS.toFixed(0),
      r.fetchCores.toFixed(2),
      r.fetchMainCores.toFixed(2),
      r.fetchPoolCores.toFixed(2),
      r.fetchCpuPerTile.toFixed(3),
      r.pakoTilesPerS.toFixed(2),
      r.rateRatio.toFixed(2),
      r.workerTilesPerS.toFixed(2),
      r.efficiency.toFixed(2),
      r.benchCores.toFixed(2),
      r.otherCores.toFixed(2),
      r.statisticsS.toFixed(1),
      r.mosaicS.toFixed(1),
      `${r.mosaic.width}×${r.mosaic.height}`,
    ]),
  );
  console.log(
    `\nServer RSS in MiB: base = VmRSS after start-up; peak = VmHWM during the job (reset after ` +
      `start-up), median and range;\nfetch/stats/mosaic = highest VmRSS sampled every ${sampleMs} ms ` +
      `in that phase; after = VmRSS when the job ended.\n`,
  );
  printTable(
    [
      'run',
      'tiles',
      'pool',
      'base',
      'peak',
      'peak MB',
      'peak range',
      'peak-base',
      'fetch',
      'stats',
      'mosaic',
      'after',
      'threads',
    ],
    rows.map((r) => [
      r.label,
      String(r.tiles),
      String(r.workers),
      r.rssBaseline.toFixed(0),
      r.peak.toFixed(0),
      ((r.peak * 1024 * 1024) / 1e6).toFixed(0),
      `${r.peakMin.toFixed(0)}-${r.peakMax.toFixed(0)}`,
      (r.peak - r.rssBaseline).toFixed(0),
      r.peakFetch.toFixed(0),
      r.peakStatistics.toFixed(0),
      r.peakMosaic.toFixed(0),
      r.rssAfter.toFixed(0),
      String(r.maxThreads),
    ]),
  );
  const main = rows.find((r) => r.label === 'main job')!;
  const peakMB = (main.peak * 1024 * 1024) / 1e6;
  console.log(
    `\nmain job (${main.tiles} tiles, ${main.workers} pool threads): rate ratio ` +
      `${main.rateRatio.toFixed(2)} (target ≥ 0.8: ${main.rateRatio >= 0.8 ? 'met' : 'NOT met'}), ` +
      `efficiency ${main.efficiency.toFixed(2)} against the decode worker's own rate; ` +
      `peak RSS ${main.peak.toFixed(0)} MiB = ${peakMB.toFixed(0)} MB ` +
      `(target < 400 MB: ${peakMB < 400 ? 'met' : 'NOT met'})`,
  );
  const all = [...results.values()].flat();
  if (!all.every((r) => r.peakResetWorked))
    console.log('\nnote: VmHWM could not be reset after start-up; peak includes start-up');
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s, load ${loads()}`);
  console.log(
    JSON.stringify({
      bench: 'elevation',
      node: process.version,
      cores: availableParallelism(),
      rounds,
      gzipBytes: gzip.length,
      tileBytes: TILE_BYTES,
      summary: rows,
      runs: all,
    }),
  );
}

try {
  await main();
} catch (error) {
  await cleanupAll();
  // After Ctrl-C the run fails as the server goes away: the signal handler has said why.
  if (!interrupted) console.error(error);
  process.exitCode = 1;
}
