/**
 * bench/tasks: is the event loop free while the pool is saturated? Measures GET /jobs/{jobId}
 * latency (paced requests) and saturation throughput (autocannon) while idle, then while CPU-heavy tasks keep every pool thread busy,
 * then idle again, in one run against one server process. Prints p50/p99 and the ratio of
 * loaded to idle p99.
 *
 *   npm run bench:tasks [-- --duration 10 --tasks 8 --workers 2 --connections 10 --nice 10]
 */
import { spawn } from 'node:child_process';
import { Agent, get } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { freePort, waitReady } from '../lib/net.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    tasks: { type: 'string', default: '8' },
    workers: { type: 'string', default: String(availableParallelism()) },
    connections: { type: 'string', default: '10' },
    nice: { type: 'string', default: '10' },
  },
});
const duration = Number(values.duration);
const taskCount = Number(values.tasks);
const workers = Number(values.workers);
const connections = Number(values.connections);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Measured {
  /** Saturation throughput (autocannon, `connections` connections). */
  rps: number;
  /** Latency of paced single requests (one every 5 ms), in milliseconds with µs resolution. */
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

/**
 * Latency is measured with paced requests, not at saturation: at saturation the figure is the
 * queueing of the load generator itself, which shares this machine's cores with the server.
 */
async function pacedLatency(
  url: string,
  seconds: number,
): Promise<{ samples: number[]; errors: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const started = process.hrtime.bigint();
    const status = await new Promise<number>((resolve) => {
      get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', () => resolve(0));
    });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (status !== 200) errors++;
    await new Promise((r) => setTimeout(r, 5));
  }
  agent.destroy();
  return { samples, errors };
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length));
  return Number((sorted[index] ?? 0).toFixed(3));
}

async function measure(url: string): Promise<Measured> {
  const { samples, errors } = await pacedLatency(url, duration);
  const sorted = samples.sort((a, b) => a - b);
  const saturation = await autocannon({
    url,
    connections,
    duration: Math.max(2, Math.round(duration / 2)),
  });
  return {
    rps: Math.round(saturation.requests.average),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
    errors: errors + saturation.errors + saturation.non2xx,
  };
}

async function submit(base: string, process: string, inputs: unknown): Promise<string> {
  const response = await fetch(`${base}/processes/${process}/execution`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs }),
  });
  if (response.status !== 201)
    throw new Error(`submit answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { jobID: string }).jobID;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relief-bench-tasks-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      RELIEF_DATA_DIR: dataDir,
      RELIEF_PLUGINS_PATH: fileURLToPath(new URL('./plugins/', import.meta.url)),
      RELIEF_LOG_LEVEL: 'warn',
      RELIEF_WORKERS: String(workers),
      RELIEF_MAX_CONCURRENT_TASKS: String(taskCount),
      RELIEF_WORKER_NICE: values.nice,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitReady(base);
    const probeJob = await submit(base, 'burn', { ms: 1 });
    await fetch(`${base}/jobs/${probeJob}?wait=10`);
    const url = `${base}/jobs/${probeJob}`;
    await autocannon({ url, connections, duration: 2 }); // warm-up

    const idleBefore = await measure(url);
    const ids = await Promise.all(
      Array.from({ length: taskCount }, () =>
        submit(base, 'burn', { ms: (duration * 3 + 10) * 1000 }),
      ),
    );
    await new Promise((r) => setTimeout(r, 1000));
    const loaded = await measure(url);
    const states = await Promise.all(
      ids.map(
        async (id) =>
          ((await (await fetch(`${base}/jobs/${id}`)).json()) as { status: string }).status,
      ),
    );
    const stillRunning = states.filter((s) => s === 'running').length;
    await Promise.all(ids.map((id) => fetch(`${base}/jobs/${id}`, { method: 'DELETE' })));
    await new Promise((r) => setTimeout(r, 1000));
    const idleAfter = await measure(url);

    const idleP99 = Math.max(idleBefore.p99, idleAfter.p99);
    const rows = { idleBefore, loaded, idleAfter };
    console.log(
      `\nbench/tasks: node ${process.version}, ${availableParallelism()} cores, ${workers} pool threads (nice +${values.nice}),`,
    );
    console.log(
      `${taskCount} burn tasks (${stillRunning} still running at the end of the loaded run), ${connections} connections, ${duration} s per run\n`,
    );
    console.log('run          sat. req/s   p50 ms   p99 ms   max ms   errors');
    for (const [name, r] of Object.entries(rows)) {
      const cells = [r.rps, r.p50, r.p99, r.max, r.errors].map((v, i) =>
        String(v).padStart(i === 0 ? 10 : 8),
      );
      console.log(`${name.padEnd(12)} ${cells.join(' ')}`);
    }
    console.log(`\np99 under load / idle p99: ${(loaded.p99 / idleP99).toFixed(2)} (target ≤ 2)`);
    console.log(
      JSON.stringify({
        node: process.version,
        workers,
        taskCount,
        connections,
        duration,
        stillRunning,
        ...rows,
      }),
    );
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
