/**
 * Relief in a container as a platform runs it (issue 16's acceptance run): podman with a 512 MiB
 * memory limit (no swap), 1 CPU, a read-only root and an arbitrary UID (12345:0). One elevation
 * job of 18 SRTM1 tiles (3601², from a tile source on 127.0.0.1) runs while 4 clients keep
 * requesting GetMaps of up to 1024² over the same area. It records the resolved pool size and
 * memory budget from the start-up log, the job's outcome, the maps' answers (200, or 503 with
 * Retry-After when the render budget is full), whether the kernel OOM-killed anything, and the
 * peak memory: the Node process's peak RSS (VmHWM) and the container cgroup's peak usage (page
 * cache included).
 *
 *   npm run bench:container [-- --image localhost/relief:test] [--memory 512m] [--cpus 1]
 *
 * Needs podman and a built image (deploy/container/check-image.sh builds one).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { syntheticTile } from '../elevation-decode/terrain.ts';
import { freePort, sleep } from '../lib/net.ts';
import { procStatus } from '../lib/proc.ts';
import { percentile } from '../lib/stats.ts';
import { startTileUpstream } from '../lib/tile-upstream.ts';

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    image: { type: 'string', default: 'localhost/relief:test' },
    memory: { type: 'string', default: '512m' },
    cpus: { type: 'string', default: '1' },
    clients: { type: 'string', default: '4' },
    /** More environment for the container, NAME=value; repeatable. */
    env: { type: 'string', multiple: true, default: [] },
  },
});

const podman = async (...argv: string[]) => (await run('podman', argv)).stdout.trim();

/** West, south, east, north of the job: 6 × 3 one-degree tiles. */
const AREA = [7, 45, 13, 48] as const;

const upstream = await startTileUpstream(gzipSync(syntheticTile()), { delayMs: 0 });
const dataDir = await mkdtemp(join(tmpdir(), 'relief-container-'));
await chmod(dataDir, 0o2777);
const port = await freePort();
const name = `relief-bench-${process.pid}`;
const base = `http://127.0.0.1:${port}`;

await podman(
  'run',
  '-d',
  '--name',
  name,
  '--network',
  'host',
  '--memory',
  args.memory!,
  '--memory-swap',
  args.memory!,
  '--cpus',
  args.cpus!,
  '--read-only',
  '--user',
  '12345:0',
  '-v',
  `${dataDir}:/data:z`,
  '-e',
  `PORT=${port}`,
  '-e',
  'HOST=127.0.0.1',
  '-e',
  `RELIEF_ELEVATION_SOURCE=${upstream.template}`,
  '-e',
  'RELIEF_ELEVATION_MAX_TILES=100',
  args.image!,
);

const agent = new Agent({ keepAlive: true, maxSockets: 16 });
function get(path: string): Promise<{ status: number; retryAfter?: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], bytes }),
      );
    })
      .on('error', reject)
      .end();
  });
}

try {
  const deadline = Date.now() + 60_000;
  while ((await get('/ready').catch(() => ({ status: 0 }))).status !== 200) {
    if (Date.now() > deadline) throw new Error(`not ready:\n${await podman('logs', name)}`);
    await sleep(250);
  }
  const pid = Number(await podman('inspect', name, '--format', '{{.State.Pid}}'));
  const startLog = await podman('logs', name);
  const configuration = startLog.split('\n').find((line) => line.includes('"configuration"'));
  const settings = configuration ? JSON.parse(configuration).settings : {};
  const pick = (key: string) => settings[key] ?? { value: 'n/a' };

  // The job.
  const ring = [
    [AREA[0], AREA[1]],
    [AREA[2], AREA[1]],
    [AREA[2], AREA[3]],
    [AREA[0], AREA[3]],
    [AREA[0], AREA[1]],
  ];
  const started = performance.now();
  const created = await fetch(`${base}/elevation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'Polygon', coordinates: [ring] }),
  });
  if (created.status !== 201)
    throw new Error(`POST /elevation: ${created.status} ${await created.text()}`);
  const { jobID } = (await created.json()) as { jobID: string };

  // GetMaps over the job's area until the job ends, each client one request at a time.
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const answers = new Map<string, number>();
  const latencies: number[] = [];
  let retryAfterMissing = 0;
  let jobDone = false;
  const client = async () => {
    while (!jobDone) {
      const size = [256, 512, 768, 1024][Math.floor(random() * 4)]!;
      const span = 0.05 + random() * 1.5;
      const x = AREA[0] + random() * (AREA[2] - AREA[0] - span);
      const y = AREA[1] + random() * (AREA[3] - AREA[1] - span);
      const style = random() < 0.5 ? 'hillshade' : '';
      const t = performance.now();
      const answer = await get(
        `/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=elevation&STYLES=${style}&CRS=EPSG:4326&BBOX=${y},${x},${y + span},${x + span}&WIDTH=${size}&HEIGHT=${size}&FORMAT=image/png`,
      ).catch(() => ({ status: -1, bytes: 0, retryAfter: undefined }));
      latencies.push(performance.now() - t);
      answers.set(String(answer.status), (answers.get(String(answer.status)) ?? 0) + 1);
      if (answer.status === 503 && answer.retryAfter === undefined) retryAfterMissing++;
      if (answer.status === 503) await sleep(200);
    }
  };
  // Sampled while it runs: a process the kernel kills leaves no peak to read afterwards.
  let sampledPeak = 0;
  let sampledCgroupPeak = 0;
  /** Anonymous memory only (heaps, buffers): RSS also counts the mapped files (node, libraries). */
  let peakAnon = 0;
  let samples = 0;
  const anonSeries: number[] = [];
  const memoryCgroup = /^\d+:memory:(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1];
  /**
   * The cgroup's memory.stat (v1): the largest value of each field, and the last sample, which
   * after a kill shows what filled the limit (anonymous memory, tmpfs, dirty or writeback pages).
   */
  const statPeaks = new Map<string, number>();
  let lastStat = new Map<string, number>();
  const sampler = setInterval(() => {
    try {
      if (memoryCgroup !== undefined) {
        const dir = `/sys/fs/cgroup/memory${memoryCgroup}`;
        const usage = readFileSync(`${dir}/memory.max_usage_in_bytes`, 'utf8');
        sampledCgroupPeak = Math.max(sampledCgroupPeak, Number(usage));
        lastStat = cgroupStat(readFileSync(`${dir}/memory.stat`, 'utf8'));
        for (const [key, value] of lastStat)
          statPeaks.set(key, Math.max(statPeaks.get(key) ?? 0, value));
      }
      const status = procStatus(pid);
      if (status.VmHWM !== undefined) sampledPeak = Math.max(sampledPeak, status.VmHWM * 1024);
      if (status.RssAnon !== undefined) {
        peakAnon = Math.max(peakAnon, status.RssAnon * 1024);
        // Every 5 s: whether the anonymous memory levels off or keeps growing with the load.
        if (++samples % 50 === 0) anonSeries.push(status.RssAnon * 1024);
      }
    } catch {
      clearInterval(sampler); // the process is gone
    }
  }, 100);
  const clients = Array.from({ length: Number(args.clients) }, client);
  let job: { status: string; message?: string } = { status: 'unknown' };
  for (;;) {
    const response = await fetch(`${base}/jobs/${jobID}?wait=30`).catch(() => undefined);
    if (response === undefined) break; // the server is gone
    job = (await response.json()) as typeof job;
    if (!['accepted', 'running'].includes(job.status)) break;
  }
  jobDone = true;
  await Promise.all(clients);
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;

  const state = JSON.parse(await podman('inspect', name, '--format', '{{json .State}}')) as {
    Running: boolean;
    OOMKilled: boolean;
    ExitCode: number;
  };
  const peakRss = state.Running ? procStatus(pid).VmHWM! * 1024 : sampledPeak;
  const cgroupPeak = state.Running
    ? Number(
        await podman('exec', name, 'cat', '/sys/fs/cgroup/memory/memory.max_usage_in_bytes').catch(
          () => podman('exec', name, 'cat', '/sys/fs/cgroup/memory.peak'),
        ),
      )
    : sampledCgroupPeak;
  latencies.sort((a, b) => a - b);
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

  console.log(`podman ${await podman('--version')}, image ${args.image}`);
  console.log(
    `limits: --memory ${args.memory} (no swap) --cpus ${args.cpus} --read-only --user 12345:0`,
  );
  console.log(`resolved: workers ${JSON.stringify(pick('workers'))}`);
  for (const key of ['memoryLimit', 'maxMapMemory'])
    console.log(`resolved: ${key} ${JSON.stringify(pick(key))}`);
  console.log(
    `job: ${job.status}${job.message ? ` (${job.message})` : ''}, 18 tiles of 3601², ${seconds.toFixed(1)} s, ${upstream.served} tiles served`,
  );
  console.log(
    `GetMaps (${args.clients} clients, 256²–1024²): ${[...answers].map(([s, n]) => `${n}× ${s}`).join(', ')}; p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p99 ${percentile(latencies, 0.99).toFixed(0)} ms; 503 without Retry-After: ${retryAfterMissing}`,
  );
  console.log(
    `container: running ${state.Running}, OOM-killed ${state.OOMKilled}, exit ${state.ExitCode}`,
  );
  console.log(
    `peak memory: Node process RSS (VmHWM) ${mib(peakRss)}, of it anonymous (sampled every 0.1 s) ${mib(peakAnon)}, cgroup peak usage ${mib(cgroupPeak)} (page cache included)`,
  );
  const fields = ['rss', 'cache', 'shmem', 'mapped_file', 'dirty', 'writeback'];
  const show = (stat: Map<string, number>) =>
    fields.map((key) => `${key} ${mib(stat.get(key) ?? 0)}`).join(', ');
  console.log(
    `anonymous memory every 5 s: ${anonSeries.map((b) => (b / 2 ** 20).toFixed(0)).join(' ')} MiB`,
  );
  if (statPeaks.size > 0) {
    console.log(`cgroup memory.stat, largest of each: ${show(statPeaks)}`);
    console.log(`cgroup memory.stat, last sample: ${show(lastStat)}`);
  }
  const ok =
    state.Running && !state.OOMKilled && job.status === 'successful' && retryAfterMissing === 0;
  console.log(ok ? 'PASS' : 'FAIL');
  process.exitCode = ok ? 0 : 1;
} finally {
  agent.destroy();
  await podman('rm', '-f', name).catch(() => '');
  await upstream.close();
  await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
}

/** `memory.stat` lines ("rss 123") as a map; v1 names. */
function cgroupStat(text: string): Map<string, number> {
  const stat = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.split(' ');
    if (key !== undefined && value !== undefined) stat.set(key, Number(value));
  }
  return stat;
}
