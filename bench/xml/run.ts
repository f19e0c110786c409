/**
 * Event loop under large XML requests: `npm run bench:xml [-- --root /path/to/checkout ...]`.
 *
 * Starts a Relief server (src/server/main.ts of `--root`, default this checkout, so the same
 * script measures another checkout's code for a before/after comparison) and sends, one at a
 * time:
 *
 *   post-xml     POST /ows, application/xml: a 9.5 MB well-formed WFS GetCapabilities document
 *                (the root element, then 9.5 MB of child elements);
 *   form-filter  POST /ows, a form: WFS GetFeature with a 4.7 MB FILTER of resource ids.
 *
 * From the moment a request's body has been written until its answer arrives, GET /health is
 * probed back to back (a new probe as soon as the previous one answers, after `--gap` ms); each
 * probe's latency is how long the event loop kept /health waiting. Also measured: /health alone
 * (idle), and each large request's own time. Reported per scenario: probes, p50 and max latency,
 * the request's status and time, over `--rounds` rounds.
 *
 * Bounded: fixed request counts, a timeout on every request, only 127.0.0.1, the server is
 * stopped (or killed) and its temporary folder removed at the end, also on error or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, sleep, waitReady } from '../lib/net.ts';
import { intOption } from '../lib/options.ts';
import { percentile } from '../lib/stats.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const HOST = '127.0.0.1';
const REQUEST_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

const HELP = `Usage: npm run bench:xml -- [options]

Options:
  --root <dir>       the checkout whose server is measured     default: this checkout
  --rounds <n>       rounds over both scenarios                 default 3
  --idle <n>         /health probes with nothing else running   default 50
  --gap <ms>         pause between two probes                   default 5
  --xml-mb <x10>     size of the POSTed document, in 0.1 MB     default 95 (9.5 MB)
  --filter-mb <x10>  size of the FILTER, in 0.1 MB              default 47 (4.7 MB)
  --workers <n>      RELIEF_WORKERS                             default 1
  -h, --help`;

const { values: args } = parseArgs({
  options: {
    root: { type: 'string' },
    rounds: { type: 'string' },
    idle: { type: 'string' },
    gap: { type: 'string' },
    'xml-mb': { type: 'string' },
    'filter-mb': { type: 'string' },
    workers: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help === true) {
  console.log(HELP);
  process.exit(0);
}
const root = resolve(args.root ?? join(HERE, '..', '..'));
const rounds = intOption('rounds', args.rounds, 3, 1, 20);
const idleProbes = intOption('idle', args.idle, 50, 1, 10_000);
const gapMs = intOption('gap', args.gap, 5, 0, 1000);
const xmlBytes = intOption('xml-mb', args['xml-mb'], 95, 1, 1000) * 100_000;
const filterBytes = intOption('filter-mb', args['filter-mb'], 47, 1, 1000) * 100_000;
const workers = intOption('workers', args.workers, 1, 1, 64);

/** A well-formed GetCapabilities document of about `bytes`: what a parser must read whole. */
function largeDocument(bytes: number): Buffer {
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>\n<wfs:GetCapabilities xmlns:wfs="http://www.opengis.net/wfs/2.0" service="WFS" version="2.0.0">';
  const tail = '</wfs:GetCapabilities>';
  const unit = '<wfs:Note lang="en">padding &amp; more padding</wfs:Note>\n';
  return Buffer.from(`${head}${unit.repeat(Math.ceil(bytes / unit.length))}${tail}`);
}

/** A GetFeature form whose FILTER is about `bytes` of resource ids. */
function largeFilterForm(bytes: number): Buffer {
  const id = '<fes:ResourceId rid="places.1"/>';
  const filter = `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">${id.repeat(Math.ceil(bytes / id.length))}</fes:Filter>`;
  const form = new URLSearchParams({
    SERVICE: 'WFS',
    VERSION: '2.0.0',
    REQUEST: 'GetFeature',
    TYPENAMES: 'places',
    FILTER: filter,
  });
  return Buffer.from(form.toString());
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Sends a request; `onWritten` runs once the whole body is on its way. */
function send(
  port: number,
  method: string,
  path: string,
  body?: { data: Buffer; type: string },
  onWritten?: () => void,
): Promise<{ status: number; ms: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: HOST,
        port,
        method,
        path,
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers:
          body === undefined
            ? {}
            : { 'content-type': body.type, 'content-length': body.data.length },
      },
      (response) => {
        const answered = response.statusCode ?? 0;
        status = answered;
        response.resume();
        response.on('end', () =>
          resolvePromise({ status: answered, ms: performance.now() - started }),
        );
      },
    );
    let status: number | undefined;
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    // A server that answers before reading the whole body (413) closes the connection: the rest
    // of the body meets EPIPE, which is no failure once the answer is in.
    // The EPIPE can also come before the answer has been read: status 0 then stands for "closed by
    // the server while the body was being sent" (the 413 of a form over the limit).
    req.on('error', (error: NodeJS.ErrnoException) =>
      status === undefined && error.code !== 'EPIPE'
        ? reject(error)
        : resolvePromise({ status: status ?? 0, ms: performance.now() - started }),
    );
    req.end(body?.data, () => onWritten?.());
  });
}

async function probeWhile(port: number, running: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  while (running()) {
    latencies.push((await send(port, 'GET', '/health')).ms);
    if (gapMs > 0) await sleep(gapMs);
  }
  return latencies;
}

interface ScenarioResult {
  status: number;
  requestMs: number;
  probes: number[];
}

async function scenario(
  port: number,
  body: { data: Buffer; type: string },
): Promise<ScenarioResult> {
  let done = false;
  let written!: () => void;
  const bodyWritten = new Promise<void>((r) => (written = r));
  const answer = send(port, 'POST', '/ows', body, written).finally(() => (done = true));
  // A body refused while it arrives (413) is never written whole: the answer ends the wait too.
  await Promise.race([bodyWritten, answer.catch(() => undefined)]);
  const probes = await probeWhile(port, () => !done);
  const { status, ms } = await answer;
  return { status, requestMs: ms, probes };
}

function summary(latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1));
  return `probes ${String(sorted.length).padStart(4)}  p50 ${f(percentile(sorted, 0.5)).padStart(7)} ms  max ${f(sorted.at(-1) ?? NaN).padStart(8)} ms`;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'relief-bench-xml-'));
  const plugins = join(dataDir, 'plugins');
  mkdirSync(plugins);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      HOST,
      PORT: String(port),
      RELIEF_DATA_DIR: dataDir,
      RELIEF_PLUGINS_PATH: plugins,
      RELIEF_LOG_LEVEL: 'warn',
      RELIEF_WORKERS: String(workers),
      RELIEF_PROJECT_WATCH: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const exited = new Promise((r) => child.once('exit', r));
      await Promise.race([exited, sleep(STOP_TIMEOUT_MS)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
  try {
    const base = `http://${HOST}:${port}`;
    await waitReady(base, child);
    console.log(`server: ${root} (node ${process.version}, RELIEF_WORKERS=${workers})`);
    const xml = { data: largeDocument(xmlBytes), type: 'application/xml' };
    const form = {
      data: largeFilterForm(filterBytes),
      type: 'application/x-www-form-urlencoded',
    };
    console.log(
      `post-xml body ${(xml.data.length / 1e6).toFixed(1)} MB; form-filter body ${(form.data.length / 1e6).toFixed(1)} MB`,
    );
    const idle: number[] = [];
    const results: Record<string, ScenarioResult[]> = { 'post-xml': [], 'form-filter': [] };
    for (let round = 1; round <= rounds; round++) {
      for (let k = 0; k < idleProbes; k++) idle.push((await send(port, 'GET', '/health')).ms);
      results['post-xml']?.push(await scenario(port, xml));
      results['form-filter']?.push(await scenario(port, form));
    }
    console.log(`\nidle         ${summary(idle)}`);
    for (const [name, runs] of Object.entries(results)) {
      const all = runs.flatMap((r) => r.probes);
      const statuses = [...new Set(runs.map((r) => r.status))].join(',');
      const times = runs.map((r) => r.requestMs.toFixed(0)).join(', ');
      console.log(`${name.padEnd(12)} ${summary(all)}  | status ${statuses}, request ms: ${times}`);
    }
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
