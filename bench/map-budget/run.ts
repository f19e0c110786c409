/**
 * Per-request map budgets and memory: `npm run bench:budget [-- --before-root /work/main]`.
 *
 * Starts a fresh Relief server process (src/server/main.ts) for each scenario, on a 2 × 2 mosaic
 * of generated SRTM1 tiles (bench/wms/terrain.ts) published as one hgt-folder layer, sends one
 * WMS 1.3.0 GetMap and reads the process's peak resident memory (VmHWM in /proc/<pid>/status,
 * Linux) before and after it, with the request's latency, the server's CPU time for it (all
 * threads, /proc/<pid>/stat; steadier than latency on a shared machine) and the answer:
 *
 *   refused-1000   1000 repeated layers at 4096 × 4096 (the default budgets: refused at once),
 *   layers-<n>     n repeated layers at 4096 × 4096, for n = 1, 8 (the most the default pixel
 *                  budget allows at that size) and 16 (the case, with
 *                  RELIEF_MAX_MAP_PIXELS raised so it is drawn).
 *
 * With --before-root, the layers-<n> scenarios also run against the server code in that folder
 * (e.g. the main checkout, which holds every layer's pixels until compositing), and the images
 * of both are compared pixel for pixel. Only pool threads (RELIEF_WORKERS, default 2) and the
 * one request run, so VmHWM − the ready-state VmHWM is the request's own peak.
 *
 * Bounded: one request at a time with a timeout, only 127.0.0.1, every child stopped (or
 * killed) and the temporary folder removed at the end, also on error or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { freePort, waitReady } from '../lib/net.ts';
import { intOption } from '../lib/options.ts';
import { MOSAIC, writeMosaic } from '../wms/terrain.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const HOST = '127.0.0.1';
const LAYER = 'terrain';
const SIZE = 4096;
const REQUEST_TIMEOUT_MS = 600_000;
const STOP_TIMEOUT_MS = 15_000;

const HELP = `Usage: npm run bench:budget -- [options]

  --before-root <dir>  also run the drawn scenarios against the server code in <dir>
  --layers <list>      repeated-layer counts drawn at 4096 × 4096   default 1,8,16
  --refused <n>        layers of the refused request                default 1000
  --workers <n>        RELIEF_WORKERS                               default 2
  --json-out <file>    also write the results as JSON
  --help
`;

interface Options {
  beforeRoot: string | null;
  layers: number[];
  refused: number;
  workers: number;
  jsonOut: string | null;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      'before-root': { type: 'string' },
      layers: { type: 'string' },
      refused: { type: 'string' },
      workers: { type: 'string' },
      'json-out': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const layers = (values.layers ?? '1,8,16')
    .split(',')
    .map((text) => intOption('layers', text.trim(), 1, 1, 1000));
  return {
    beforeRoot: values['before-root'] === undefined ? null : resolve(values['before-root']),
    layers,
    refused: intOption('refused', values.refused, 1000, 2, 5000),
    workers: intOption('workers', values.workers, 2, 1, 64),
    jsonOut: values['json-out'] ?? null,
  };
}

interface Result {
  scenario: string;
  code: 'this' | 'before';
  layers: number;
  status: number;
  contentType: string;
  /** What the answer says: image size, or the exception code and locator. */
  answer: string;
  latencyMs: number;
  /** The server's CPU time for the request, all threads: less sensitive to a busy machine. */
  cpuSeconds: number;
  readyHwmMiB: number;
  peakHwmMiB: number;
  requestPeakMiB: number;
}

const children = new Set<ChildProcess>();

function stopAll(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** CPU seconds (user + system, every thread) a process has used; clock ticks of 1/100 s. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces) start at state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmHWM (peak resident set) of a process, in MiB. */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

async function startServer(root: string, env: NodeJS.ProcessEnv) {
  const port = await freePort(HOST);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    env: { ...env, PORT: String(port), HOST },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await waitReady(`http://${HOST}:${port}`, child);
  return { child, port };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function get(port: number, path: string) {
  return new Promise<{ status: number; contentType: string; body: Buffer }>((done, fail) => {
    const req = request(
      { host: HOST, port, path, method: 'GET', agent: false, timeout: REQUEST_TIMEOUT_MS },
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
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', fail);
    req.end();
  });
}

/** The whole mosaic at SIZE × SIZE, the layer `count` times. */
function mapPath(count: number): string {
  const south = MOSAIC.south;
  const west = MOSAIC.west;
  const bbox = [south, west, south + MOSAIC.size, west + MOSAIC.size].join(',');
  const layers = Array<string>(count).fill(LAYER).join(',');
  return (
    `/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=${layers}&STYLES=&CRS=EPSG:4326` +
    `&BBOX=${bbox}&WIDTH=${SIZE}&HEIGHT=${SIZE}&FORMAT=image/png`
  );
}

async function describeAnswer(status: number, contentType: string, body: Buffer) {
  if (contentType === 'image/png') {
    const meta = await sharp(body).metadata();
    return `PNG ${meta.width}×${meta.height}`;
  }
  const code = /code="([^"]*)"/.exec(body.toString())?.[1];
  const locator = /locator="([^"]*)"/.exec(body.toString())?.[1];
  return `HTTP ${status} ${code ?? '?'} at ${locator ?? '?'}`;
}

async function measure(
  root: string,
  code: Result['code'],
  scenario: string,
  layers: number,
  env: NodeJS.ProcessEnv,
): Promise<{ result: Result; body: Buffer }> {
  const { child, port } = await startServer(root, env);
  try {
    // One small map first, so start-up allocations and the first tile reads are not counted.
    await get(port, mapPath(1).replace(`WIDTH=${SIZE}&HEIGHT=${SIZE}`, 'WIDTH=256&HEIGHT=256'));
    const ready = peakRss(child.pid!);
    const cpuBefore = cpuSeconds(child.pid!);
    const start = performance.now();
    const response = await get(port, mapPath(layers));
    const latencyMs = performance.now() - start;
    const cpu = cpuSeconds(child.pid!) - cpuBefore;
    const peak = peakRss(child.pid!);
    const result: Result = {
      scenario,
      code,
      layers,
      status: response.status,
      contentType: response.contentType,
      answer: await describeAnswer(response.status, response.contentType, response.body),
      latencyMs: Math.round(latencyMs),
      cpuSeconds: Math.round(cpu * 10) / 10,
      readyHwmMiB: Math.round(ready),
      peakHwmMiB: Math.round(peak),
      requestPeakMiB: Math.round(peak - ready),
    };
    console.log(
      `${code.padEnd(6)} ${scenario.padEnd(13)} ${result.answer.padEnd(44)} ` +
        `${String(result.latencyMs).padStart(7)} ms  CPU ${String(result.cpuSeconds).padStart(5)} s  peak RSS ${result.peakHwmMiB} MiB ` +
        `(+${result.requestPeakMiB} MiB over ${result.readyHwmMiB} MiB)`,
    );
    return { result, body: response.body };
  } finally {
    await stopServer(child);
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function isPng(body: Buffer): boolean {
  return body.subarray(0, 8).equals(PNG_SIGNATURE);
}

async function samePixels(a: Buffer, b: Buffer): Promise<boolean> {
  const [x, y] = await Promise.all([a, b].map((png) => sharp(png).ensureAlpha().raw().toBuffer()));
  return x!.equals(y!);
}

async function main(): Promise<void> {
  const options = readOptions();
  const tmp = mkdtempSync(join(os.tmpdir(), 'relief-bench-budget-'));
  const cleanup = () => {
    stopAll();
    rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    console.log(
      `bench/map-budget: ${new Date().toISOString()}, node ${process.version}, ` +
        `${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
        `RELIEF_WORKERS=${options.workers}`,
    );
    await writeMosaic(join(tmp, 'terrain'), MOSAIC);
    const project = join(tmp, 'project.yaml');
    writeFileSync(
      project,
      [
        'title: bench/map-budget',
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
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('RELIEF_')) delete env[name];
    Object.assign(env, {
      RELIEF_LOG_LEVEL: 'warn',
      RELIEF_WORKERS: String(options.workers),
      RELIEF_PROJECT: project,
      RELIEF_PROJECT_WATCH: 'false',
      RELIEF_PLUGINS_PATH: noPlugins,
      RELIEF_DATA_DIR: join(tmp, 'data'),
    });
    const results: Result[] = [];
    const refused = await measure(ROOT, 'this', `refused-${options.refused}`, options.refused, env);
    results.push(refused.result);
    // Drawn: a budget that lets every drawn scenario through, so memory alone is compared.
    const drawEnv = {
      ...env,
      RELIEF_MAX_MAP_PIXELS: String(Math.max(...options.layers) * SIZE * SIZE),
    };
    for (const layers of options.layers) {
      const now = await measure(ROOT, 'this', `layers-${layers}`, layers, drawEnv);
      results.push(now.result);
      if (options.beforeRoot === null) continue;
      const before = await measure(
        options.beforeRoot,
        'before',
        `layers-${layers}`,
        layers,
        drawEnv,
      );
      results.push(before.result);
      if (!isPng(now.body) || !isPng(before.body)) {
        console.log(`       layers-${layers}: not compared (an answer is not an image)`);
        continue;
      }
      const same = await samePixels(now.body, before.body);
      console.log(`       layers-${layers}: the same pixels before and now: ${same}`);
      if (!same) process.exitCode = 1;
    }
    if (options.jsonOut !== null) {
      writeFileSync(options.jsonOut, `${JSON.stringify(results, null, 2)}\n`);
    }
  } finally {
    cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  stopAll();
  process.exit(1);
});
