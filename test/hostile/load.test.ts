/**
 * Bounded load: many open SSE streams, concurrent maximal elevation jobs, and slow clients (a
 * body that trickles, headers that never end, a large answer nobody reads). While each load is
 * on, /health must answer at all (no timing thresholds); once the clients leave, the server must
 * release their connections and log no error.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openConnections,
  RASTER_LAYER,
  startHostileServer,
  type HostileServer,
} from './hostile-server.ts';
import { expectHealthy, send } from './hostile-table.ts';
import { square } from './json-bodies.ts';
import { openSocket, serialise } from './raw-http.ts';

/** Large enough that a 2048² float32 coverage (16 MB) outgrows every socket buffer. */
const LARGE_IMAGE_SIZE = 2048;
const SSE_STREAMS = 200;
const SLOW_CLIENTS = 100;
/** Fewer tiles per job than the other files allow, so four maximal jobs stay quick. */
const LOAD_MAX_TILES = 4;

let target: HostileServer;
let baseline: number;

beforeAll(async () => {
  target = await startHostileServer({
    env: {
      RELIEF_MAX_IMAGE_SIZE: String(LARGE_IMAGE_SIZE),
      RELIEF_ELEVATION_MAX_TILES: String(LOAD_MAX_TILES),
    },
  });
  baseline = await openConnections(target);
});
afterAll(async () => {
  await target?.close();
});

async function submit(geometry: object): Promise<string> {
  const answer = await send(target, {
    method: 'POST',
    url: '/elevation',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(geometry),
  });
  expect(answer.status, answer.text).toBe(201);
  return (JSON.parse(answer.text) as { jobID: string }).jobID;
}

async function jobStatus(id: string, wait = 0): Promise<string> {
  const answer = await send(target, { url: `/jobs/${id}?wait=${wait}` });
  return (JSON.parse(answer.text) as { status: string }).status;
}

/** Polls until `check` holds; a bound on a loop that must end, not a timing assertion. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never: ${what}`);
}

async function expectReleased(): Promise<void> {
  await eventually(
    async () => (await openConnections(target)) <= baseline,
    'connections back to the baseline',
  );
}

function expectNoErrorLogged(): void {
  const errors = target.server.logs.filter((line) => line.level >= 50);
  expect(errors.map((line) => `${line.msg}: ${line.err?.message ?? ''}`)).toEqual([]);
}

/** Resolves with the first chunk a socket receives. */
function firstData(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    socket.once('error', reject);
  });
}

describe('bounded load', () => {
  it(`keeps answering /health with ${SSE_STREAMS} SSE streams open on a running job, and releases them`, async () => {
    // A tile that trickles keeps the job running while the streams are open.
    target.upstream.fault('N20E020', { slowBytesPerSecond: 10 });
    const job = await submit(square(20.1, 20.1, 20.2, 20.2));
    const streams: Socket[] = [];
    try {
      const opened = await Promise.all(
        Array.from({ length: SSE_STREAMS }, async () => {
          const socket = await openSocket(target.port);
          streams.push(socket);
          const first = firstData(socket);
          socket.write(
            serialise({
              method: 'GET',
              target: `/jobs/${job}/events`,
              headers: { Connection: 'keep-alive' },
            }),
          );
          return first;
        }),
      );
      for (const head of opened) {
        expect(head).toMatch(/^HTTP\/1\.1 200/);
        expect(head).toContain('text/event-stream');
      }
      await expectHealthy(target);
      expect(await jobStatus(job)).toBe('running');
    } finally {
      for (const socket of streams) socket.destroy();
    }
    await expectReleased();
    await expectHealthy(target);
    await send(target, { method: 'DELETE', url: `/jobs/${job}` });
    target.upstream.clearFaults();
    expectNoErrorLogged();
  });

  it('keeps answering /health while the maximal number of maximal elevation jobs run, and drains', async () => {
    // As many jobs as run at once (RELIEF_MAX_CONCURRENT_TASKS' default), each covering exactly
    // the largest area allowed: LOAD_MAX_TILES tiles, 2° × 2°.
    const concurrent = 4;
    const jobs = await Promise.all(
      Array.from({ length: concurrent }, (_, i) =>
        submit(square(30 + i * 0.001, 30, 32 - i * 0.001, 32)),
      ),
    );
    let checks = 0;
    while (
      (await Promise.all(jobs.map((id) => jobStatus(id)))).some(
        (s) => s === 'accepted' || s === 'running',
      )
    ) {
      await expectHealthy(target);
      checks += 1;
      await jobStatus(jobs[0] as string, 1);
    }
    expect(checks).toBeGreaterThan(0);
    for (const id of jobs) expect(await jobStatus(id)).toBe('successful');
    // Every job has ended, the dismissed one of the SSE case included: nothing runs or waits.
    const ready = async () =>
      JSON.parse((await send(target, { url: '/ready' })).text) as {
        checks: { tasks: { running: number; queued: number }; pool: { queued: number } };
      };
    await eventually(async () => (await ready()).checks.tasks.running === 0, 'no task running');
    const after = await ready();
    expect(after.checks.tasks.queued).toBe(0);
    expect(after.checks.pool.queued).toBe(0);
    expectNoErrorLogged();
  });

  it('keeps answering /health while a client trickles its body, bounds how long it may, and releases it', async () => {
    const socket = await openSocket(target.port);
    try {
      socket.write(
        'POST /elevation HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
      );
      for (let i = 0; i < 5; i += 1) {
        socket.write(' ');
        await expectHealthy(target);
      }
      // Stalled bodies must not be held forever: the HTTP server has a finite request timeout.
      expect(target.server.app.server.requestTimeout, 'requestTimeout').toBeGreaterThan(0);
    } finally {
      socket.destroy();
    }
    await expectReleased();
    expectNoErrorLogged();
  });

  it(`keeps answering /health with ${SLOW_CLIENTS} clients that never finish their headers, and releases them`, async () => {
    const sockets = await Promise.all(
      Array.from({ length: SLOW_CLIENTS }, () => openSocket(target.port)),
    );
    try {
      for (const socket of sockets)
        socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
      await expectHealthy(target);
      for (const socket of sockets) socket.write('a');
      await expectHealthy(target);
      // Headers that never end must not be waited for forever either.
      expect(target.server.app.server.headersTimeout, 'headersTimeout').toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    await expectReleased();
    expectNoErrorLogged();
  });

  it('keeps answering /health while a client never reads a 16 MB coverage, and releases it', async () => {
    const socket = await openSocket(target.port);
    try {
      const first = firstData(socket);
      socket.write(
        serialise({
          method: 'GET',
          target: `/ows?SERVICE=WCS&VERSION=1.0.0&REQUEST=GetCoverage&COVERAGE=${RASTER_LAYER}&CRS=EPSG:4326&BBOX=7,46,8,47&WIDTH=${LARGE_IMAGE_SIZE}&HEIGHT=${LARGE_IMAGE_SIZE}&FORMAT=GeoTIFF`,
        }),
      );
      expect(await first).toMatch(/^HTTP\/1\.1 200/);
      // From here on the client reads nothing: the server's writes back up.
      socket.pause();
      await expectHealthy(target);
      await expectHealthy(target);
    } finally {
      socket.destroy();
    }
    await expectReleased();
    await expectHealthy(target);
    expectNoErrorLogged();
  });
});
