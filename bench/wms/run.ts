/**
 * Map rendering benchmark: `npm run bench:wms [-- --duration 8 --rounds 3 --quiet-wait 30 ...]`.
 *
 * WMS 1.3.0 GetMap, 256 × 256 PNG hillshade of one `hgt-folder` layer over a 2 × 2 mosaic of
 * generated SRTM1 tiles (N46E007…N47E008, alpine value noise with per-sample jitter), with a
 * different box per request: a seeded sequence of boxes of varying zoom, EPSG:4326 (latitude
 * first) and EPSG:3857. Two scenarios, in one run:
 *
 *   plain   Relief (src/server/main.ts) with no plugins,
 *   acl     the same with an access-control filter registered by a plugin
 *           (bench/wms/plugins/role-acl: canRead by the `x-relief-role` header, cacheKey = role).
 *
 * Every request carries `x-relief-role: viewer` in both scenarios, so the bytes sent are equal.
 * For each server the script first sends one pass over the box sequence to a fresh process (the
 * pool threads' decoded-row caches start empty), then a warm-up and the measured period. The
 * scenarios are interleaved over several rounds (the order rotates) and a new server process is
 * started for every round; the summary gives medians and the acl / plain throughput ratio
 * (target: access control costs under 10 %), plus the server's CPU per GetMap by thread group
 * (event loop, pool, sharp's libvips threads), which other load on a shared machine barely
 * moves, unlike req/s; runs during which other processes used 0.25+ cores are marked DISTURBED.
 * Before the servers, an in-process probe times renderRasterRGBA with a cold and a warm
 * decoded-row cache (cache-probe.ts).
 *
 * Bounded: fixed durations and request counts, timeouts on every wait, only 127.0.0.1, and every
 * child is stopped (or killed) and the temporary folder removed at the end, also on error or
 * Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import sharp from 'sharp';
import { boxSequence, DEFAULT_SEQUENCE, getMapPath, type MapBox } from './bboxes.ts';
import { probeRowCache, type CacheProbe } from './cache-probe.ts';
import { MOSAIC, writeMosaic } from './terrain.ts';
import { intOption } from '../lib/options.ts';
import { median, percentile } from '../lib/stats.ts';
import { freePort } from '../lib/net.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const ACL_PLUGINS = join(HERE, 'plugins');
const HOST = '127.0.0.1';
const LAYER = 'terrain';
const ROLE_HEADER = 'x-relief-role';
const ROLE = 'viewer';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const PROBE_TIMEOUT_MS = 30_000;
const DRAIN_MS = 1500;
const TARGET_LOSS = 0.1;
/** Cores other processes may use during a run before its throughput counts as disturbed. */
const QUIET_OTHER = 0.25;
const SCENARIOS = ['plain', 'acl'] as const;
type Scenario = (typeof SCENARIOS)[number];

const HELP = `Usage: npm run bench:wms -- [options]

Options (each also settable by the environment variable in brackets):
  --duration <s>      measured seconds per run                 [BENCH_DURATION]     default 8
  --warmup <s>        warm-up seconds after the first pass     [BENCH_WARMUP]       default 3
  --rounds <n>        rounds over both scenarios               [BENCH_ROUNDS]       default 3
  --connections <n>   autocannon connections                   [BENCH_CONNECTIONS]  default 8
  --boxes <n>         length of the box sequence (the first    [BENCH_BOXES]        default 256
                      pass sends each box once)
  --cache-boxes <n>   boxes of the in-process row-cache probe  [BENCH_CACHE_BOXES]  default 96
                      (0: skip it)
  --size <px>         WIDTH and HEIGHT                         [BENCH_SIZE]         default 256
  --workers <n>       RELIEF_WORKERS                           [RELIEF_WORKERS]     default: cores
  --nice <n>          RELIEF_WORKER_NICE (unset: the server's default)
  --quiet-wait <s>    before each server starts, wait up to <s> s for other processes to use
                      under ${QUIET_OTHER} cores (a shared machine)  [BENCH_QUIET_WAIT]  default 0
  --only <list>       plain, acl or plain,acl
  --cpu-prof <dir>    run the servers with node --cpu-prof, profiles in <dir>/<scenario>-round<n>/
  --json-out <file>   also write the JSON summary to <file>
  --help
`;

interface Options {
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  boxes: number;
  cacheBoxes: number;
  size: number;
  workers: number;
  nice: string | null;
  quietWait: number;
  scenarios: Scenario[];
  cpuProf: string | null;
  jsonOut: string | null;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      boxes: { type: 'string' },
      'cache-boxes': { type: 'string' },
      size: { type: 'string' },
      workers: { type: 'string' },
      nice: { type: 'string' },
      'quiet-wait': { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'json-out': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const env = process.env;
  const int = intOption;
  const scenarios = (values.only ?? SCENARIOS.join(',')).split(',').map((s) => s.trim());
  for (const s of scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(s)) {
      throw new Error(`--only takes ${SCENARIOS.join(', ')}, got "${s}"`);
    }
  }
  if (values.nice !== undefined) int('nice', values.nice, 0, 0, 19);
  return {
    duration: int('duration', values.duration ?? env.BENCH_DURATION, 8, 1, 600),
    warmup: int('warmup', values.warmup ?? env.BENCH_WARMUP, 3, 0, 600),
    rounds: int('rounds', values.rounds ?? env.BENCH_ROUNDS, 3, 1, 50),
    connections: int('connections', values.connections ?? env.BENCH_CONNECTIONS, 8, 1, 256),
    boxes: int('boxes', values.boxes ?? env.BENCH_BOXES, DEFAULT_SEQUENCE.count, 1, 100_000),
    cacheBoxes: int('cache-boxes', values['cache-boxes'] ?? env.BENCH_CACHE_BOXES, 96, 0, 100_000),
    size: int('size', values.size ?? env.BENCH_SIZE, 256, 1, 4096),
    workers: int('workers', values.workers ?? env.RELIEF_WORKERS, os.availableParallelism(), 1, 64),
    nice: values.nice ?? null,
    quietWait: int('quiet-wait', values['quiet-wait'] ?? env.BENCH_QUIET_WAIT, 0, 0, 600),
    scenarios: [...new Set(scenarios)] as Scenario[],
    cpuProf: values['cpu-prof'] === undefined ? null : resolve(values['cpu-prof']),
    jsonOut: values['json-out'] === undefined ? null : resolve(values['json-out']),
  };
}

// ---------------------------------------------------------------------------------------------
// Server processes

interface Server {
  child: ChildProcess;
  port: number;
}

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
}

async function startServer(env: NodeJS.ProcessEnv, nodeFlags: readonly string[]): Promise<Server> {
  const port = await freePort(HOST);
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = signal ?? `code ${code}`;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`the server exited before it was ready (${exited})`);
    try {
      const ready = await get(port, '/ready', {}, 2000);
      if (ready.status === 200) return { child, port };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the server was not ready within ${START_TIMEOUT_MS / 1000} s`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((done) => {
    timer = setTimeout(() => done('late'), STOP_TIMEOUT_MS);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Probing

interface Probe {
  status: number;
  contentType: string;
  body: Buffer;
}

function get(
  port: number,
  path: string,
  headers: Record<string, string>,
  timeout = PROBE_TIMEOUT_MS,
): Promise<Probe> {
  return new Promise((done, fail) => {
    const req = request(
      { host: HOST, port, path, method: 'GET', headers, agent: false, timeout },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(parts),
          }),
        );
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request timed out after ${timeout} ms`)));
    req.on('error', fail);
    req.end();
  });
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG of the requested size with relief in it (not one flat colour); a reason otherwise. */
async function checkMap(p: Probe, size: number): Promise<string | null> {
  if (p.status !== 200) return `HTTP ${p.status}`;
  if (p.contentType !== 'image/png') return `content-type "${p.contentType}"`;
  if (!p.body.subarray(0, 8).equals(PNG_SIGNATURE)) return 'not a PNG';
  const meta = await sharp(p.body).metadata();
  if (meta.width !== size || meta.height !== size) return `${meta.width}×${meta.height} px`;
  const stats = await sharp(p.body).stats();
  const grey = stats.channels[0];
  if (grey === undefined || grey.stdev < 1) return 'a flat image (no terrain drawn)';
  if (stats.channels[3] !== undefined && stats.channels[3].min < 255) {
    return 'transparent pixels (missing tiles)';
  }
  return null;
}

function describe(p: Probe): string {
  return `HTTP ${p.status}, ${p.contentType}, ${p.body.length} bytes`;
}

// ---------------------------------------------------------------------------------------------
// Load

interface Load {
  responses: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  minBytes: number;
  non2xx: number;
  errors: number;
}

/**
 * autocannon against `paths`, each request the next path of the sequence (one cursor shared by
 * all connections), from `cursor.next`. Runs `seconds`, or `amount` requests when given.
 */
async function load(
  port: number,
  paths: readonly string[],
  cursor: { next: number },
  connections: number,
  limit: { seconds: number } | { amount: number },
): Promise<Load> {
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: `http://${HOST}:${port}`,
    connections,
    pipelining: 1,
    timeout: 30,
    headers: { [ROLE_HEADER]: ROLE },
    requests: [
      {
        setupRequest: (req) => {
          const path = paths[cursor.next++ % paths.length] as string;
          return { ...req, path };
        },
      },
    ],
    ...('seconds' in limit ? { duration: limit.seconds } : { amount: limit.amount }),
  }) as unknown as Promise<Result> & EventEmitter;
  let latencies = new Float64Array(1 << 14);
  let count = 0;
  let minBytes = Number.POSITIVE_INFINITY;
  let last = started;
  instance.on('response', (_client: unknown, _status: number, bytes: number, ms: number) => {
    last = process.hrtime.bigint();
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
    if (bytes < minBytes) minBytes = bytes;
  });
  const result = await instance;
  // autocannon ends on its next one-second tick, so an `amount` run idles up to a second after
  // its last response: throughput is counted up to the last response.
  const seconds = Number(last - started) / 1e9;
  const sorted = latencies.subarray(0, count).sort();
  return {
    responses: count,
    seconds,
    rps: count / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    mean: count === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / count,
    minBytes: count === 0 ? 0 : minBytes,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

// ---------------------------------------------------------------------------------------------
// CPU accounting (Linux /proc): the server's, by thread group, this process's and the rest of the
// machine's.

interface CpuMark {
  at: bigint;
  machineBusy: number;
  server: number;
  /** Seconds of CPU per thread of the server: tid → group and time. */
  threads: Map<number, { group: ThreadGroup; seconds: number }>;
  self: number;
}

/**
 * main: the event loop thread; pool: threads with a nice value above 0 (the pool's threads, with
 * RELIEF_WORKER_NICE > 0); libvips: sharp's image threads; other: the rest (libuv's thread pool,
 * which drives sharp, V8's helpers, and the pool threads when they are not niced).
 */
type ThreadGroup = 'main' | 'pool' | 'libvips' | 'other';
const THREAD_GROUPS: readonly ThreadGroup[] = ['main', 'pool', 'libvips', 'other'];

const TICK = 100; // USER_HZ on Linux

/** utime + stime in seconds and the nice value of a /proc stat line. */
function statTimes(stat: string): { seconds: number; nice: number } {
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { seconds: (Number(after[11]) + Number(after[12])) / TICK, nice: Number(after[16]) };
}

function cpuMark(pid: number | undefined): CpuMark | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
    const n = fields.map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = (n[0] ?? 0) + (n[1] ?? 0) + (n[2] ?? 0) + (n[5] ?? 0) + (n[6] ?? 0);
    let server = 0;
    const threads = new Map<number, { group: ThreadGroup; seconds: number }>();
    if (pid !== undefined) {
      server = statTimes(readFileSync(`/proc/${pid}/stat`, 'utf8')).seconds;
      for (const entry of readdirSync(`/proc/${pid}/task`)) {
        const tid = Number(entry);
        try {
          const times = statTimes(readFileSync(`/proc/${pid}/task/${entry}/stat`, 'utf8'));
          const comm = readFileSync(`/proc/${pid}/task/${entry}/comm`, 'utf8').trim();
          const group: ThreadGroup =
            tid === pid
              ? 'main'
              : /^(lib)?vips/i.test(comm)
                ? 'libvips'
                : times.nice > 0
                  ? 'pool'
                  : 'other';
          threads.set(tid, { group, seconds: times.seconds });
        } catch {
          // the thread ended meanwhile
        }
      }
    }
    const usage = process.cpuUsage();
    return {
      at: process.hrtime.bigint(),
      machineBusy: busy / TICK,
      server,
      threads,
      self: (usage.user + usage.system) / 1e6,
    };
  } catch {
    return null;
  }
}

/**
 * Waits (at most `seconds`) until other processes use under QUIET_OTHER cores over a second;
 * returns the seconds waited and the last reading.
 */
async function waitForQuiet(seconds: number): Promise<{ waited: number; other: number }> {
  const started = performance.now();
  for (;;) {
    const a = cpuMark(undefined);
    await new Promise((r) => setTimeout(r, 1000));
    const other = cpuBetween(a, cpuMark(undefined)).other;
    const waited = (performance.now() - started) / 1000;
    if (!(other >= QUIET_OTHER) || waited >= seconds) return { waited, other };
  }
}

interface CpuUse {
  server: number;
  bench: number;
  other: number;
  /** The server's cores by thread group; `other` also holds threads that ended meanwhile. */
  groups: Record<ThreadGroup, number>;
}

/** Cores used over the interval: server, bench (load generator) and other processes. */
function cpuBetween(a: CpuMark | null, b: CpuMark | null): CpuUse {
  const groups = { main: NaN, pool: NaN, libvips: NaN, other: NaN };
  if (a === null || b === null) return { server: NaN, bench: NaN, other: NaN, groups };
  const seconds = Number(b.at - a.at) / 1e9;
  const server = (b.server - a.server) / seconds;
  const bench = (b.self - a.self) / seconds;
  const machine = (b.machineBusy - a.machineBusy) / seconds;
  for (const group of THREAD_GROUPS) groups[group] = 0;
  for (const [tid, { group, seconds: used }] of b.threads) {
    groups[group] += (used - (a.threads.get(tid)?.seconds ?? 0)) / seconds;
  }
  groups.other = Math.max(0, server - groups.main - groups.pool - groups.libvips);
  return { server, bench, other: Math.max(0, machine - server - bench), groups };
}

// ---------------------------------------------------------------------------------------------
// Output

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------

interface Run {
  scenario: Scenario;
  round: number;
  loadAverage: number;
  firstPass: Load;
  steady: Load;
  cpu: CpuUse;
  /** acl only: canRead calls during the measured period per response. */
  canReadPerResponse: number | null;
  /** acl only: cacheKey calls during the measured period per response. */
  cacheKeyPerResponse: number | null;
}

function boxMix(boxes: readonly MapBox[]) {
  const mercator = boxes.filter((b) => b.crs === 'EPSG:3857').length;
  const zooms = boxes.map((b) => b.zoom).sort((a, b) => a - b);
  return {
    count: boxes.length,
    epsg4326: boxes.length - mercator,
    epsg3857: mercator,
    zoomMin: round2(zooms[0] ?? NaN),
    zoomMedian: round2(median(zooms)),
    zoomMax: round2(zooms[zooms.length - 1] ?? NaN),
  };
}

async function main(): Promise<void> {
  const options = readOptions();
  const machine = {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round1(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map(round2),
  };
  const tmp = mkdtempSync(join(os.tmpdir(), 'relief-bench-wms-'));
  let cleaned = false;
  const cleanupTmp = () => {
    if (cleaned) return;
    cleaned = true;
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = () => {
    killAll();
    cleanupTmp();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    console.log(
      `bench/wms: node ${machine.node}, ${machine.cpus} cores (${machine.cpuModel}), ` +
        `load average ${machine.loadAverageAtStart.join(' ')}`,
    );
    let t = performance.now();
    const terrain = join(tmp, 'terrain');
    const tiles = await writeMosaic(terrain, MOSAIC);
    console.log(
      `Generated ${tiles.length} SRTM1 tiles in ${round1((performance.now() - t) / 1000)} s (${terrain})`,
    );
    const project = join(tmp, 'project.yaml');
    writeFileSync(
      project,
      [
        'title: bench/wms',
        'layers:',
        `  - name: ${LAYER}`,
        '    title: Generated alpine terrain',
        '    kind: raster',
        '    source: { type: hgt-folder, path: terrain }',
        '    style: hillshade',
        '',
      ].join('\n'),
    );
    const noPlugins = join(tmp, 'no-plugins');
    mkdirSync(noPlugins);

    const boxes = boxSequence(MOSAIC, { ...DEFAULT_SEQUENCE, count: options.boxes });
    const paths = boxes.map((box) => getMapPath(LAYER, box, options.size));
    const mix = boxMix(boxes);
    console.log(
      `${mix.count} boxes (seed ${DEFAULT_SEQUENCE.seed}): ${mix.epsg4326} EPSG:4326, ` +
        `${mix.epsg3857} EPSG:3857; zoom ${mix.zoomMin}-${mix.zoomMax}× the mosaic (median ${mix.zoomMedian}); ` +
        `${options.size}×${options.size} PNG; ${options.connections} connections; ` +
        `RELIEF_WORKERS=${options.workers}` +
        (options.nice === null ? '' : `, RELIEF_WORKER_NICE=${options.nice}`),
    );
    console.log(`Example: ${paths[0]}`);

    let cacheProbe: CacheProbe | null = null;
    if (options.cacheBoxes > 0) {
      // Before any server starts, so nothing competes with it.
      const warmUp = boxSequence(MOSAIC, { ...DEFAULT_SEQUENCE, seed: 1, count: 32 });
      const probed = boxSequence(MOSAIC, { ...DEFAULT_SEQUENCE, count: options.cacheBoxes });
      t = performance.now();
      cacheProbe = await probeRowCache(terrain, warmUp, probed, options.size);
      console.log(
        `Row cache, in process (renderRasterRGBA, first ${cacheProbe.boxes} boxes, ` +
          `${round1((performance.now() - t) / 1000)} s): cold ${cacheProbe.coldMsPerMap.toFixed(1)} ms/map ` +
          `(p50 ${cacheProbe.coldP50Ms.toFixed(1)}), warm ${cacheProbe.warmMsPerMap.toFixed(1)} ms/map ` +
          `(p50 ${cacheProbe.warmP50Ms.toFixed(1)}), cold/warm ${(cacheProbe.coldMsPerMap / cacheProbe.warmMsPerMap).toFixed(2)}; ` +
          `pass 1 decoded ${cacheProbe.rowsRead} rows (${cacheProbe.mbRead.toFixed(0)} MB), ` +
          `pass 2 hit rate ${(cacheProbe.warmHitRate * 100).toFixed(1)} %`,
      );
    }

    const baseEnv: NodeJS.ProcessEnv = { ...process.env };
    delete baseEnv.RELIEF_CONFIG; // a developer's config file must not change what is measured
    delete baseEnv.RELIEF_PUBLIC_URL;
    delete baseEnv.RELIEF_WORKER_NICE;
    Object.assign(baseEnv, {
      HOST,
      RELIEF_LOG_LEVEL: 'warn',
      RELIEF_WORKERS: String(options.workers),
      RELIEF_PROJECT: project,
      RELIEF_PROJECT_WATCH: 'false',
      RELIEF_STRICT_PLUGINS: 'true',
    });
    if (options.nice !== null) baseEnv.RELIEF_WORKER_NICE = options.nice;

    const runs: Run[] = [];
    const checked = new Set<Scenario>();
    const probes: Record<string, string> = {};
    for (let round = 0; round < options.rounds; round++) {
      const order = options.scenarios.map(
        (_, i) => options.scenarios[(i + round) % options.scenarios.length] as Scenario,
      );
      for (const scenario of order) {
        const dataDir = join(tmp, `data-${scenario}-${round + 1}`);
        const env = {
          ...baseEnv,
          RELIEF_DATA_DIR: dataDir,
          RELIEF_PLUGINS_PATH: scenario === 'acl' ? ACL_PLUGINS : noPlugins,
        };
        const nodeFlags =
          options.cpuProf === null
            ? []
            : [
                '--cpu-prof',
                `--cpu-prof-dir=${join(options.cpuProf, `${scenario}-round${round + 1}`)}`,
              ];
        let quietNote = '';
        if (options.quietWait > 0) {
          const quiet = await waitForQuiet(options.quietWait);
          quietNote = ` | waited ${quiet.waited.toFixed(0)} s for quiet (other ${quiet.other.toFixed(2)})`;
        }
        const loadAverage = round2(os.loadavg()[0] ?? NaN);
        t = performance.now();
        const server = await startServer(env, nodeFlags);
        const startSeconds = (performance.now() - t) / 1000;
        try {
          if (!checked.has(scenario)) {
            checked.add(scenario);
            await verify(scenario, server.port, boxes, options.size, probes);
          }
          const statsBefore = scenario === 'acl' ? await aclStats(server.port) : null;
          const cursor = { next: 0 };
          const firstPass = await load(server.port, paths, cursor, options.connections, {
            amount: paths.length,
          });
          if (options.warmup > 0) {
            await load(server.port, paths, cursor, options.connections, {
              seconds: options.warmup,
            });
          }
          const statsMid = scenario === 'acl' ? await aclStats(server.port) : null;
          const before = cpuMark(server.child.pid);
          const steady = await load(server.port, paths, cursor, options.connections, {
            seconds: options.duration,
          });
          const after = cpuMark(server.child.pid);
          const statsAfter = scenario === 'acl' ? await aclStats(server.port) : null;
          let canReadPerResponse: number | null = null;
          let cacheKeyPerResponse: number | null = null;
          if (statsBefore !== null && statsMid !== null && statsAfter !== null) {
            canReadPerResponse = (statsAfter.canRead - statsMid.canRead) / steady.responses;
            cacheKeyPerResponse = (statsAfter.cacheKey - statsMid.cacheKey) / steady.responses;
            if (statsAfter.canRead - statsBefore.canRead < firstPass.responses + steady.responses) {
              throw new Error(
                `acl: canRead ran ${statsAfter.canRead - statsBefore.canRead} times for ` +
                  `${firstPass.responses + steady.responses}+ requests: the filter did not see every request`,
              );
            }
            if (statsAfter.denied !== statsBefore.denied) {
              throw new Error('acl: the filter denied a request that carried the viewer role');
            }
          }
          for (const [name, l] of [
            ['first pass', firstPass],
            ['steady', steady],
          ] as const) {
            if (l.non2xx + l.errors > 0 || l.minBytes < 1000) {
              throw new Error(
                `${scenario} ${name}: non-2xx ${l.non2xx}, errors ${l.errors}, smallest response ` +
                  `${l.minBytes} bytes; not every answer was a map`,
              );
            }
          }
          const run: Run = {
            scenario,
            round: round + 1,
            loadAverage,
            firstPass,
            steady,
            cpu: cpuBetween(before, after),
            canReadPerResponse,
            cacheKeyPerResponse,
          };
          runs.push(run);
          console.log(
            `round ${round + 1}/${options.rounds}  ${scenario.padEnd(5)} ` +
              `start ${startSeconds.toFixed(1)} s | first pass ${firstPass.rps.toFixed(1)} req/s ` +
              `p50 ${firstPass.p50.toFixed(1)} p99 ${firstPass.p99.toFixed(1)} ms | steady ` +
              `${steady.rps.toFixed(1)} req/s p50 ${steady.p50.toFixed(1)} p99 ${steady.p99.toFixed(1)} ms` +
              ` | cores: server ${run.cpu.server.toFixed(2)} bench ${run.cpu.bench.toFixed(2)} ` +
              `other ${run.cpu.other.toFixed(2)} | load ${loadAverage}${quietNote}` +
              (run.cpu.other >= QUIET_OTHER ? ' | DISTURBED' : ''),
          );
          console.log(
            `      server CPU ms per GetMap: ` +
              THREAD_GROUPS.map(
                (g) => `${g} ${((run.cpu.groups[g] / steady.rps) * 1000).toFixed(1)}`,
              ).join(', ') +
              `, total ${((run.cpu.server / steady.rps) * 1000).toFixed(1)}`,
          );
        } finally {
          // autocannon leaves up to `connections` requests behind when its time is up; let the
          // server finish them, or the pool closes under them on shutdown (logged as errors).
          await new Promise((r) => setTimeout(r, DRAIN_MS));
          await stopServer(server.child);
          rmSync(dataDir, { recursive: true, force: true });
        }
      }
    }

    // Summary
    const summary = options.scenarios.map((scenario) => {
      const mine = runs.filter((r) => r.scenario === scenario);
      const steadyRps = mine.map((r) => r.steady.rps);
      return {
        scenario,
        rps: round1(median(steadyRps)),
        rpsMin: round1(Math.min(...steadyRps)),
        rpsMax: round1(Math.max(...steadyRps)),
        p50Ms: round1(median(mine.map((r) => r.steady.p50))),
        p99Ms: round1(median(mine.map((r) => r.steady.p99))),
        firstPassRps: round1(median(mine.map((r) => r.firstPass.rps))),
        firstPassP50Ms: round1(median(mine.map((r) => r.firstPass.p50))),
        firstPassP99Ms: round1(median(mine.map((r) => r.firstPass.p99))),
        serverCores: round2(median(mine.map((r) => r.cpu.server))),
        cpuMsPerMap: Object.fromEntries(
          [...THREAD_GROUPS, 'total' as const].map((g) => [
            g,
            round1(
              median(
                mine.map(
                  (r) => ((g === 'total' ? r.cpu.server : r.cpu.groups[g]) / r.steady.rps) * 1000,
                ),
              ),
            ),
          ]),
        ) as Record<ThreadGroup | 'total', number>,
        benchCores: round2(median(mine.map((r) => r.cpu.bench))),
        otherCores: round2(median(mine.map((r) => r.cpu.other))),
        responses: mine.reduce((a, r) => a + r.steady.responses + r.firstPass.responses, 0),
        canReadPerResponse:
          scenario === 'acl' ? round3(median(mine.map((r) => r.canReadPerResponse ?? NaN))) : null,
        cacheKeyPerResponse:
          scenario === 'acl' ? round3(median(mine.map((r) => r.cacheKeyPerResponse ?? NaN))) : null,
      };
    });
    const byName = new Map(summary.map((s) => [s.scenario, s]));
    const plain = byName.get('plain');
    const acl = byName.get('acl');
    let ratio: { ratio: number; perRound: number[]; medianOfRounds: number } | null = null;
    /** Server CPU per GetMap, acl over plain: barely moved by other load, unlike req/s. */
    let cpuRatio: { ratio: number; perRound: number[] } | null = null;
    /** req/s acl over plain in the rounds where neither run was disturbed. */
    let quietRatio: { rounds: number[]; perRound: number[]; median: number } | null = null;
    if (plain !== undefined && acl !== undefined) {
      const perRound: number[] = [];
      const cpuPerRound: number[] = [];
      const quiet: { round: number; ratio: number }[] = [];
      for (let round = 1; round <= options.rounds; round++) {
        const a = runs.find((r) => r.scenario === 'acl' && r.round === round);
        const p = runs.find((r) => r.scenario === 'plain' && r.round === round);
        if (a === undefined || p === undefined) continue;
        perRound.push(round3(a.steady.rps / p.steady.rps));
        cpuPerRound.push(round3(a.cpu.server / a.steady.rps / (p.cpu.server / p.steady.rps)));
        if (a.cpu.other < QUIET_OTHER && p.cpu.other < QUIET_OTHER) {
          quiet.push({ round, ratio: round3(a.steady.rps / p.steady.rps) });
        }
      }
      ratio = {
        ratio: round3(acl.rps / plain.rps),
        perRound,
        medianOfRounds: round3(median(perRound)),
      };
      cpuRatio = {
        ratio: round3(acl.cpuMsPerMap.total / plain.cpuMsPerMap.total),
        perRound: cpuPerRound,
      };
      if (quiet.length > 0) {
        quietRatio = {
          rounds: quiet.map((q) => q.round),
          perRound: quiet.map((q) => q.ratio),
          median: round3(median(quiet.map((q) => q.ratio))),
        };
      }
    }
    const disturbed = runs.filter((r) => r.cpu.other >= QUIET_OTHER).length;

    console.log();
    console.log(
      `Results: median of ${options.rounds} rounds; first pass = the ${paths.length} boxes once ` +
        `on a fresh server, steady = ${options.duration} s after a ${options.warmup} s warm-up`,
    );
    console.log();
    console.log(
      table(
        [
          'scenario',
          'req/s',
          'req/s min-max',
          'p50 ms',
          'p99 ms',
          'first pass req/s',
          'first p50 ms',
          'first p99 ms',
          'server cores',
          'other cores',
        ],
        summary.map((s) => [
          s.scenario,
          s.rps.toFixed(1),
          `${s.rpsMin.toFixed(1)}-${s.rpsMax.toFixed(1)}`,
          s.p50Ms.toFixed(1),
          s.p99Ms.toFixed(1),
          s.firstPassRps.toFixed(1),
          s.firstPassP50Ms.toFixed(1),
          s.firstPassP99Ms.toFixed(1),
          s.serverCores.toFixed(2),
          s.otherCores.toFixed(2),
        ]),
      ),
    );
    console.log();
    console.log('Server CPU per GetMap in the steady state (ms, median of rounds):');
    console.log();
    console.log(
      table(
        ['scenario', ...THREAD_GROUPS, 'total'],
        summary.map((s) => [
          s.scenario,
          ...[...THREAD_GROUPS, 'total' as const].map((g) => s.cpuMsPerMap[g].toFixed(1)),
        ]),
      ),
    );
    console.log();
    for (const s of summary) {
      console.log(
        `${s.scenario}: steady / first pass = ${(s.rps / s.firstPassRps).toFixed(2)} ` +
          '(first pass: fresh process, empty row caches, cold JIT, pool threads starting)',
      );
    }
    if (ratio !== null) {
      const loss = 1 - ratio.ratio;
      console.log(
        `acl / plain = ${ratio.ratio.toFixed(3)} (per round: ${ratio.perRound.join(', ')}; ` +
          `median of rounds ${ratio.medianOfRounds.toFixed(3)}) -> ${(loss * 100).toFixed(1)} % ` +
          `throughput loss; target < ${TARGET_LOSS * 100} %: ${loss < TARGET_LOSS ? 'met' : 'NOT met'}`,
      );
    }
    if (cpuRatio !== null) {
      console.log(
        `acl / plain server CPU per GetMap = ${cpuRatio.ratio.toFixed(3)} ` +
          `(per round: ${cpuRatio.perRound.join(', ')})`,
      );
    }
    if (quietRatio !== null) {
      console.log(
        `acl / plain req/s in undisturbed rounds (${quietRatio.rounds.join(', ')}): ` +
          `${quietRatio.perRound.join(', ')}; median ${quietRatio.median.toFixed(3)}`,
      );
    }
    if (disturbed > 0) {
      console.log(
        `WARNING: in ${disturbed} of ${runs.length} runs other processes used ${QUIET_OTHER}+ cores ` +
          '(DISTURBED above): their req/s and latencies are not comparable; CPU per GetMap still is.',
      );
    }
    if (acl !== undefined) {
      console.log(
        `acl: calls per GetMap: canRead ${acl.canReadPerResponse}, cacheKey ${acl.cacheKeyPerResponse} ` +
          '(requests still in flight when a period ends count in the next one)',
      );
    }
    console.log(`load average at the end: ${os.loadavg().map(round2).join(' ')}`);

    const json = {
      benchmark: 'bench/wms',
      date: new Date().toISOString(),
      machine: { ...machine, loadAverageAtEnd: os.loadavg().map(round2) },
      settings: {
        layer: LAYER,
        style: 'hillshade',
        size: options.size,
        format: 'image/png',
        version: '1.3.0',
        mosaic: MOSAIC,
        boxes: { ...mix, seed: DEFAULT_SEQUENCE.seed },
        rounds: options.rounds,
        warmupSeconds: options.warmup,
        durationSeconds: options.duration,
        connections: options.connections,
        workers: options.workers,
        workerNice: options.nice ?? 'server default',
        quietWaitSeconds: options.quietWait,
      },
      probes,
      rowCacheProbe:
        cacheProbe === null
          ? null
          : {
              ...cacheProbe,
              coldMsPerMap: round2(cacheProbe.coldMsPerMap),
              warmMsPerMap: round2(cacheProbe.warmMsPerMap),
              coldP50Ms: round2(cacheProbe.coldP50Ms),
              warmP50Ms: round2(cacheProbe.warmP50Ms),
              mbRead: round1(cacheProbe.mbRead),
              warmHitRate: round3(cacheProbe.warmHitRate),
            },
      results: summary,
      ratios: {
        aclOverPlain: ratio,
        throughputLossPercent: ratio === null ? null : round2((1 - ratio.ratio) * 100),
        targetMet: ratio === null ? null : 1 - ratio.ratio < TARGET_LOSS,
        aclOverPlainCpuPerMap: cpuRatio,
        aclOverPlainUndisturbed: quietRatio,
        disturbedRuns: disturbed,
        steadyOverFirstPass: Object.fromEntries(
          summary.map((s) => [s.scenario, round2(s.rps / s.firstPassRps)]),
        ),
      },
      runs: runs.map((r) => ({
        scenario: r.scenario,
        round: r.round,
        loadAverage: r.loadAverage,
        firstPass: compact(r.firstPass),
        steady: compact(r.steady),
        cpuMsPerMap: Object.fromEntries(
          THREAD_GROUPS.map((g) => [g, round2((r.cpu.groups[g] / r.steady.rps) * 1000)]),
        ),
        cores: {
          server: round2(r.cpu.server),
          bench: round2(r.cpu.bench),
          other: round2(r.cpu.other),
        },
      })),
    };
    const text = JSON.stringify(json, null, 2);
    console.log();
    console.log('```json');
    console.log(text);
    console.log('```');
    if (options.jsonOut !== null) writeFileSync(options.jsonOut, `${text}\n`);
  } finally {
    for (const child of [...children]) await stopServer(child);
    cleanupTmp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function compact(l: Load) {
  return {
    responses: l.responses,
    seconds: round2(l.seconds),
    rps: round1(l.rps),
    p50: round1(l.p50),
    p99: round1(l.p99),
  };
}

async function aclStats(
  port: number,
): Promise<{ canRead: number; cacheKey: number; denied: number }> {
  const p = await get(port, '/role-acl/stats', {});
  if (p.status !== 200) throw new Error(`acl: /role-acl/stats answered ${describe(p)}`);
  return JSON.parse(p.body.toString('utf8')) as {
    canRead: number;
    cacheKey: number;
    denied: number;
  };
}

/**
 * Once per scenario: an EPSG:4326 and an EPSG:3857 map are 256² PNGs with terrain in them, and a
 * request without the role header is refused by the acl server (LayerNotDefined) but served by
 * the plain one.
 */
async function verify(
  scenario: Scenario,
  port: number,
  boxes: readonly MapBox[],
  size: number,
  probes: Record<string, string>,
): Promise<void> {
  const samples = [
    boxes.find((b) => b.crs === 'EPSG:4326'),
    boxes.find((b) => b.crs === 'EPSG:3857'),
  ].filter((b): b is MapBox => b !== undefined);
  for (const box of samples) {
    const p = await get(port, getMapPath(LAYER, box, size), { [ROLE_HEADER]: ROLE });
    const problem = await checkMap(p, size);
    if (problem !== null) {
      throw new Error(`${scenario}: GetMap ${box.crs} answered ${problem} (${describe(p)})`);
    }
    probes[`${scenario} ${box.crs}`] = describe(p);
    console.log(`Check (${scenario}, ${box.crs}, role ${ROLE}): ${describe(p)}, terrain drawn`);
  }
  const first = samples[0];
  if (first === undefined) return;
  const anonymous = await get(port, getMapPath(LAYER, first, size), {});
  const text = anonymous.body.toString('utf8');
  if (scenario === 'acl') {
    if (anonymous.contentType.startsWith('image/') || !text.includes('LayerNotDefined')) {
      throw new Error(`acl: a request without a role was not refused (${describe(anonymous)})`);
    }
    const stats = await aclStats(port);
    if (stats.denied < 1) throw new Error('acl: the refusal did not come from the filter');
  } else if ((await checkMap(anonymous, size)) !== null) {
    throw new Error(`plain: a request without a role failed (${describe(anonymous)})`);
  }
  probes[`${scenario} no role`] = describe(anonymous);
  console.log(
    `Check (${scenario}, no role header): ${describe(anonymous)}` +
      (scenario === 'acl' ? ', LayerNotDefined from the filter' : ''),
  );
}

main().catch((error: unknown) => {
  killAll();
  process.stderr.write(
    `bench:wms failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
