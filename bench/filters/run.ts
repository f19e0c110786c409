/**
 * Filter chain overhead benchmark: `npm run bench:filters [-- --duration 5 --rounds 3 ...]`.
 *
 * Measures, in one run, requests/s and p50/p99 latency of
 *   bare       a plain Fastify 5 route answering the same XML bytes (no Relief),
 *   relief-0   Relief, WMS GetCapabilities, no filters,
 *   relief-N   the same with N no-op filters (requestReady, sendResponse, responseComplete),
 * and prints relief-N / relief-0 (the cost of N filters; target: under 10 % throughput loss) and
 * relief-0 / bare.
 *
 * Each server runs in its own child process (`server.ts`), one at a time, while autocannon runs
 * here: on a 2-core machine each gets a core. Every measured period follows a warm-up against the
 * same process; the scenarios are interleaved over several rounds (the order rotates each round)
 * and the median is reported, so drift on a shared machine does not favour one scenario.
 *
 * Bounded: fixed durations, timeouts on every wait, only 127.0.0.1 traffic, and every child is
 * stopped (or killed) at the end, also on error or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { HOST, STOP_MESSAGE, type ServerMessage } from './protocol.ts';
import { intOption } from '../lib/options.ts';
import { median, percentile } from '../lib/stats.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const SERVER_SCRIPT = join(HERE, 'server.ts');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const PROBE_TIMEOUT_MS = 10_000;
const TARGET_LOSS = 0.1;

const HELP = `Usage: npm run bench:filters -- [options]

Options (each also settable by the environment variable in brackets):
  --duration <s>      measured seconds per run            [BENCH_DURATION]     default 5
  --warmup <s>        warm-up seconds before each run     [BENCH_WARMUP]       default 3
  --rounds <n>        rounds over all scenarios           [BENCH_ROUNDS]       default 3
  --connections <n>   autocannon connections              [BENCH_CONNECTIONS]  default 10
  --pipelining <n>    autocannon pipelining               [BENCH_PIPELINING]   default 1
  --filters <n>       no-op filters in the filtered run   [BENCH_FILTERS]      default 10
  --path <p>          request path and query              [BENCH_PATH]
                      default /ows?SERVICE=WMS&REQUEST=GetCapabilities
  --only <list>       comma-separated subset of: bare,relief-0,relief-<filters>
  --cpu-prof <dir>    run the relief servers with node --cpu-prof, profiles in
                      <dir>/<scenario>-round<n>/ (main thread: CPU.*.0.*.cpuprofile)
  --json-out <file>   also write the JSON summary to <file>
  --help
`;

interface Options {
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  pipelining: number;
  filters: number;
  path: string;
  only: string[] | null;
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
      pipelining: { type: 'string' },
      filters: { type: 'string' },
      path: { type: 'string' },
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
  const path = values.path ?? env.BENCH_PATH ?? '/ows?SERVICE=WMS&REQUEST=GetCapabilities';
  if (!path.startsWith('/')) throw new Error(`--path must start with "/", got "${path}"`);
  return {
    duration: int('duration', values.duration ?? env.BENCH_DURATION, 5, 1, 600),
    warmup: int('warmup', values.warmup ?? env.BENCH_WARMUP, 3, 0, 600),
    rounds: int('rounds', values.rounds ?? env.BENCH_ROUNDS, 3, 1, 50),
    connections: int('connections', values.connections ?? env.BENCH_CONNECTIONS, 10, 1, 1000),
    pipelining: int('pipelining', values.pipelining ?? env.BENCH_PIPELINING, 1, 1, 100),
    filters: int('filters', values.filters ?? env.BENCH_FILTERS, 10, 1, 999),
    path,
    only: values.only === undefined ? null : values.only.split(',').map((s) => s.trim()),
    cpuProf: values['cpu-prof'] === undefined ? null : resolve(values['cpu-prof']),
    jsonOut: values['json-out'] === undefined ? null : resolve(values['json-out']),
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes

interface Server {
  scenario: string;
  child: ChildProcess;
  port: number;
  filters: number | null;
  plugins: number | null;
}

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
}

function startServer(
  scenario: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  nodeFlags: readonly string[],
): Promise<Server> {
  const child = spawn(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', SERVER_SCRIPT, scenario, ...args],
    { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise<Server>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`${scenario}: server did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    const onMessage = (message: ServerMessage) => {
      if (message.type === 'listening') {
        finish(null, {
          scenario,
          child,
          port: message.port,
          filters: message.filters,
          plugins: message.plugins,
        });
      } else if (message.type === 'failed') {
        finish(new Error(`${scenario}: server failed to start: ${message.message}`));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      finish(
        new Error(`${scenario}: server exited before listening (${signal ?? `code ${code}`})`),
      );
    };
    const onError = (error: Error) => finish(error);
    function finish(error: Error | null, server?: Server) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error !== null || server === undefined) reject(error);
      else resolvePromise(server);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    if (child.connected) child.send(STOP_MESSAGE);
    else child.kill('SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
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
// Probing and measuring

interface Probe {
  status: number;
  contentType: string;
  body: Buffer;
}

function probe(port: number, path: string): Promise<Probe> {
  return new Promise((done, fail) => {
    const req = request(
      { host: HOST, port, path, method: 'GET', agent: false, timeout: PROBE_TIMEOUT_MS },
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
    req.on('timeout', () => req.destroy(new Error(`probe timed out after ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', fail);
    req.end();
  });
}

function rootElement(body: Buffer): string {
  const text = body.subarray(0, 4096).toString('utf8');
  return (
    /<([A-Za-z_][\w:.-]*)/.exec(
      text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<![^>]*>/g, ''),
    )?.[1] ?? '?'
  );
}

function looksLikeCapabilities(p: Probe): boolean {
  return p.status === 200 && /WMS_Capabilities|WMT_MS_Capabilities/.test(rootElement(p.body));
}

/** Same status, type and body, ignoring the port (capabilities advertise the request's host). */
function sameResponse(a: Probe, aPort: number, b: Probe, bPort: number): boolean {
  const body = (p: Probe, port: number) =>
    p.body.toString('latin1').replaceAll(`:${port}`, ':PORT');
  return (
    a.status === b.status && a.contentType === b.contentType && body(a, aPort) === body(b, bPort)
  );
}

function describeProbe(p: Probe): string {
  return `HTTP ${p.status}, content-type "${p.contentType}", ${p.body.length} bytes, root <${rootElement(p.body)}>`;
}

interface Run {
  scenario: string;
  round: number;
  /** Mean completed requests per second (autocannon's per-second samples). */
  rps: number;
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  meanLatency: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function load(
  url: string,
  options: Options,
  seconds: number,
): Promise<{ result: Result; latencies: Float64Array }> {
  const instance = autocannon({
    url,
    connections: options.connections,
    pipelining: options.pipelining,
    duration: seconds,
    timeout: 10,
  }) as unknown as Promise<Result> & EventEmitter; // the instance is also an emitter
  // autocannon's histogram has 1 ms resolution; keep each response time for sub-ms percentiles.
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  });
  const result = await instance;
  return { result, latencies: latencies.subarray(0, count).sort() };
}

// ---------------------------------------------------------------------------------------------
// Output

const round2 = (n: number) => Math.round(n * 100) / 100;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
const formatInt = (n: number) => Math.round(n).toLocaleString('en-US');

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

function packageVersion(name: string): string {
  try {
    const text = readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = readOptions();
  const filtered = `relief-${options.filters}`;
  const all = ['bare', 'relief-0', filtered];
  const scenarios = options.only === null ? all : all.filter((s) => options.only?.includes(s));
  if (scenarios.length === 0) throw new Error(`--only must name some of: ${all.join(', ')}`);

  const tmp = mkdtempSync(join(os.tmpdir(), 'relief-bench-filters-'));
  const cleanupTmp = () => rmSync(tmp, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the servers\n`);
    killAll();
    cleanupTmp();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killAll);

  const pluginsDir = join(tmp, 'plugins');
  const dataDir = join(tmp, 'data');
  mkdirSync(pluginsDir);
  mkdirSync(dataDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RELIEF_LOG_LEVEL: 'silent',
    RELIEF_PLUGINS_PATH: pluginsDir,
    RELIEF_DATA_DIR: dataDir,
    RELIEF_WORKERS: '1',
  };
  delete env.RELIEF_CONFIG;
  if (options.cpuProf !== null) mkdirSync(options.cpuProf, { recursive: true });
  // One folder per run: every thread (main, tsx's loader, the pool) writes its own profile, and
  // Node's default names (CPU.<date>.<time>.<pid>.<tid>.<seq>) keep them apart; tid 0 is main.
  const nodeFlagsFor = (scenario: string, round: number): string[] =>
    options.cpuProf !== null && scenario.startsWith('relief-')
      ? ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProf, `${scenario}-round${round}`)}`]
      : [];

  const cpus = os.cpus();
  const machine = {
    nproc: os.availableParallelism(),
    cpu: cpus[0]?.model.trim() ?? '?',
    memoryGiB: round2(os.totalmem() / 1024 ** 3),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    fastify: packageVersion('fastify'),
    autocannon: packageVersion('autocannon'),
    loadAverageAtStart: os.loadavg().map(round2),
  };
  const perRun = options.warmup + options.duration + 1.5;
  const estimate = Math.round(2 + scenarios.length * (1 + options.rounds * perRun));
  console.log('Relief filter chain benchmark (bench/filters)');
  console.log(
    `  machine: ${machine.nproc} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.platform}, node ${machine.node}`,
  );
  console.log(
    `  settings: ${options.rounds} rounds x [${scenarios.join(', ')}], warm-up ${options.warmup} s + ` +
      `measure ${options.duration} s each, ${options.connections} connections, pipelining ${options.pipelining}`,
  );
  console.log(`  target: http://${HOST}:<port>${options.path}   (about ${estimate} s in total)`);
  if (options.cpuProf !== null)
    console.log(`  CPU profiles of the relief servers go to ${options.cpuProf}`);

  const runs: Run[] = [];
  const probes = new Map<string, Probe>();
  try {
    // The bare route answers exactly what Relief answers (status, type, bytes).
    const reference = await startServer('relief-0', [], env, []);
    let reliefProbe: Probe;
    try {
      reliefProbe = await probe(reference.port, options.path);
    } finally {
      await stopServer(reference.child);
    }
    const bodyFile = join(tmp, 'bare-body');
    writeFileSync(bodyFile, reliefProbe.body);
    const bareArgs = [
      '--body-file',
      bodyFile,
      '--content-type',
      reliefProbe.contentType || 'text/xml',
      '--status',
      String(reliefProbe.status),
    ];
    const capabilities = looksLikeCapabilities(reliefProbe);
    console.log();
    console.log(`Target check (relief-0): ${describeProbe(reliefProbe)}`);
    if (!capabilities) {
      console.log(
        '  WARNING: this is not a WMS capabilities document (WMS GetCapabilities is probably not ' +
          'implemented yet). The run measures this response instead; the figures are not meaningful ' +
          'for GetCapabilities.',
      );
    }
    console.log();

    for (let round = 0; round < options.rounds; round++) {
      const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length] as string);
      for (const scenario of order) {
        const server = await startServer(
          scenario,
          scenario === 'bare' ? bareArgs : [],
          env,
          nodeFlagsFor(scenario, round + 1),
        );
        try {
          const url = `http://${HOST}:${server.port}${options.path}`;
          const check = await probe(server.port, options.path);
          if (!probes.has(scenario)) {
            probes.set(scenario, check);
            const extra =
              server.filters === null
                ? ''
                : `, ${server.filters} filters, ${server.plugins} plugins`;
            console.log(`Target check (${scenario}${extra}): ${describeProbe(check)}`);
          }
          // Every process must answer what the reference did (the bare one serves its bytes);
          // a difference means the source changed during the run, which would mix figures.
          const checkPort = scenario === 'bare' ? reference.port : server.port;
          if (!sameResponse(check, checkPort, reliefProbe, reference.port)) {
            throw new Error(
              `${scenario} in round ${round + 1} answered differently from the first relief-0 ` +
                `(${describeProbe(check)}); did the source change during the run? Run again.`,
            );
          }
          if (options.warmup > 0) await load(url, options, options.warmup);
          const { result, latencies } = await load(url, options, options.duration);
          const run: Run = {
            scenario,
            round: round + 1,
            rps: result.requests.average,
            requests: result.requests.total,
            seconds: result.duration,
            p50: percentile(latencies, 0.5),
            p99: percentile(latencies, 0.99),
            meanLatency:
              latencies.length === 0
                ? Number.NaN
                : latencies.reduce((a, b) => a + b, 0) / latencies.length,
            non2xx: result.non2xx,
            errors: result.errors,
            timeouts: result.timeouts,
          };
          runs.push(run);
          console.log(
            `round ${round + 1}/${options.rounds}  ${scenario.padEnd(10)} ${formatInt(run.rps).padStart(7)} req/s` +
              `  p50 ${run.p50.toFixed(3)} ms  p99 ${run.p99.toFixed(3)} ms` +
              (run.non2xx + run.errors + run.timeouts > 0
                ? `  (non-2xx ${run.non2xx}, errors ${run.errors}, timeouts ${run.timeouts})`
                : ''),
          );
        } finally {
          await stopServer(server.child);
        }
      }
    }

    // Summary
    const summary = scenarios.map((scenario) => {
      const mine = runs.filter((r) => r.scenario === scenario);
      const rps = mine.map((r) => r.rps);
      return {
        scenario,
        rps: Math.round(median(rps)),
        rpsMin: Math.round(Math.min(...rps)),
        rpsMax: Math.round(Math.max(...rps)),
        p50Ms: round3(median(mine.map((r) => r.p50))),
        p99Ms: round3(median(mine.map((r) => r.p99))),
        meanLatencyMs: round3(median(mine.map((r) => r.meanLatency))),
        non2xx: mine.reduce((a, r) => a + r.non2xx, 0),
        errors: mine.reduce((a, r) => a + r.errors + r.timeouts, 0),
        status: probes.get(scenario)?.status ?? null,
        contentType: probes.get(scenario)?.contentType ?? null,
        bodyBytes: probes.get(scenario)?.body.length ?? null,
      };
    });
    const byName = new Map(summary.map((s) => [s.scenario, s]));
    const ratio = (a: string, b: string) => {
      const x = byName.get(a);
      const y = byName.get(b);
      if (x === undefined || y === undefined) return null;
      const perRound = [];
      for (let round = 1; round <= options.rounds; round++) {
        const ra = runs.find((r) => r.scenario === a && r.round === round);
        const rb = runs.find((r) => r.scenario === b && r.round === round);
        if (ra !== undefined && rb !== undefined) perRound.push(round3(ra.rps / rb.rps));
      }
      return { ratio: round3(x.rps / y.rps), perRound, medianOfRounds: round3(median(perRound)) };
    };
    const filterCost = ratio(filtered, 'relief-0');
    const reliefVsBare = ratio('relief-0', 'bare');
    const filteredVsBare = ratio(filtered, 'bare');

    console.log();
    console.log(
      `Results: median of ${options.rounds} rounds (${options.duration} s each, ${options.connections} connections)`,
    );
    console.log();
    console.log(
      table(
        ['scenario', 'req/s', 'req/s min-max', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'],
        summary.map((s) => [
          s.scenario,
          formatInt(s.rps),
          `${formatInt(s.rpsMin)}-${formatInt(s.rpsMax)}`,
          s.p50Ms.toFixed(3),
          s.p99Ms.toFixed(3),
          String(s.non2xx),
          String(s.errors),
        ]),
      ),
    );
    console.log();
    if (filterCost !== null) {
      const loss = 1 - filterCost.ratio;
      console.log(
        `${filtered} / relief-0 = ${filterCost.ratio.toFixed(3)} (per round: ${filterCost.perRound.join(', ')}) ` +
          `-> ${(loss * 100).toFixed(1)} % throughput loss for ${options.filters} no-op filters; ` +
          `target < ${TARGET_LOSS * 100} %: ${loss < TARGET_LOSS ? 'met' : 'NOT met'}`,
      );
    }
    if (reliefVsBare !== null) {
      console.log(
        `relief-0 / bare = ${reliefVsBare.ratio.toFixed(3)} (per round: ${reliefVsBare.perRound.join(', ')})`,
      );
    }
    if (filteredVsBare !== null) {
      console.log(`${filtered} / bare = ${filteredVsBare.ratio.toFixed(3)}`);
    }
    if (!capabilities) {
      console.log(
        'NOTE: the target was not a WMS capabilities document (see the target check above).',
      );
    }

    const json = {
      benchmark: 'bench/filters',
      date: new Date().toISOString(),
      machine,
      settings: {
        path: options.path,
        rounds: options.rounds,
        warmupSeconds: options.warmup,
        durationSeconds: options.duration,
        connections: options.connections,
        pipelining: options.pipelining,
        filters: options.filters,
      },
      targetIsWmsCapabilities: capabilities,
      results: summary,
      ratios: {
        filteredOverUnfiltered: filterCost,
        throughputLossPercent: filterCost === null ? null : round2((1 - filterCost.ratio) * 100),
        targetMet: filterCost === null ? null : 1 - filterCost.ratio < TARGET_LOSS,
        unfilteredOverBare: reliefVsBare,
        filteredOverBare: filteredVsBare,
      },
      runs: runs.map((r) => ({
        ...r,
        rps: Math.round(r.rps),
        p50: round3(r.p50),
        p99: round3(r.p99),
        meanLatency: round3(r.meanLatency),
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

main().catch((error: unknown) => {
  killAll();
  process.stderr.write(
    `bench:filters failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
