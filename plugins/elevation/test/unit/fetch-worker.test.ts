/**
 * The fetch worker against the fake upstream on 127.0.0.1: every result kind, gzip validation,
 * progress, and what it leaves at tempPath (the caller removes it). Runs fetchTile in-process,
 * then once through a real one-thread WorkerPool to prove it loads there and can be aborted.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../../../src/pool/worker-pool.ts';
import { workerTools } from '../../../../src/pool/pool-job.ts';
import type { FetchProgress, FetchTileInput, FetchTileOutput } from '../../src/contracts.ts';
import { fetchTile } from '../../src/fetch/fetch-worker.ts';
import { classifyStatus, parseRetryAfter } from '../../src/fetch/http-status.ts';
import { FakeUpstream } from '../fixtures/fake-upstream.ts';
import { hgtSize, parseTileName } from '../fixtures/hgt.ts';

const WORKER = new URL('../../src/fetch/fetch-worker.ts', import.meta.url);
const TILE = 'N46E007';
/** An SRTM1 tile; every other tile is SRTM3. */
const BIG = 'N47E008';

let upstream: FakeUpstream;
let dir: string;

beforeAll(async () => {
  upstream = await FakeUpstream.start({
    samples: (tile) => (tile.lat === 47 && tile.lon === 8 ? 3601 : 1201),
  });
  upstream.gzip(BIG); // generate the big tile up front, outside any test's timing
});
afterAll(() => upstream.close());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-fetch-'));
  upstream.clearFaults();
  upstream.delayMs = 0;
  upstream.requests.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function inputFor(name: string, timeoutMs = 10_000): FetchTileInput {
  return { url: upstream.tileUrl(name), tempPath: join(dir, `${name}.hgt.tmp`), timeoutMs };
}

async function run(name: string, timeoutMs?: number) {
  const input = inputFor(name, timeoutMs);
  const progress: number[] = [];
  const result = await fetchTile(
    input,
    workerTools((value) => progress.push((value as FetchProgress).bytes)),
  );
  return { input, result, progress };
}

describe('fetchTile', () => {
  it.each([
    [TILE, 1201],
    [BIG, 3601],
  ] as const)('writes %s decompressed (%i samples) and reports ok', async (name, samples) => {
    const { input, result } = await run(name);
    expect(result).toEqual({
      kind: 'ok',
      compressedBytes: upstream.gzip(name).length,
      size: hgtSize(samples),
      samples,
    });
    expect((await readFile(input.tempPath)).equals(upstream.hgt(name))).toBe(true);
    expect(upstream.count(name)).toBe(1);
  });

  it('posts increasing progress at most every 64 KiB, ending at the compressed length', async () => {
    // Sent in 32 KiB slices 50 ms apart: sent whole, the body reaches a reader that is a little
    // slow (a busy machine) in a few large chunks, and the number of posts would depend on timing.
    upstream.fault(BIG, { slowBytesPerSecond: 655_360 });
    const { progress } = await run(BIG);
    const total = upstream.gzip(BIG).length;
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(total);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(total / 65_536) + 1);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]).toBeGreaterThan(progress[i - 1] ?? 0);
      if (i < progress.length - 1) {
        expect((progress[i] ?? 0) - (progress[i - 1] ?? 0)).toBeGreaterThanOrEqual(65_536);
      }
    }
  });

  it('reports 404 as not-found and writes nothing', async () => {
    upstream.fault(TILE, { status: 404 });
    const { input, result } = await run(TILE);
    expect(result).toEqual({ kind: 'not-found', status: 404 });
    expect(existsSync(input.tempPath)).toBe(false);
  });

  it.each([500, 502, 408, 429])('reports %i as retryable', async (status) => {
    upstream.fault(TILE, { status, times: 1 });
    const { input, result } = await run(TILE);
    expect(result).toEqual({ kind: 'retryable', reason: `HTTP ${status}`, status });
    expect(existsSync(input.tempPath)).toBe(false);
    // The fault was used up: the next attempt succeeds.
    expect((await run(TILE)).result.kind).toBe('ok');
    expect(upstream.count(TILE)).toBe(2);
  });

  it('passes Retry-After seconds on as retryAfterMs', async () => {
    upstream.fault(TILE, { status: 503, retryAfter: 1, times: 1 });
    const { result } = await run(TILE);
    expect(result).toEqual({
      kind: 'retryable',
      reason: 'HTTP 503',
      status: 503,
      retryAfterMs: 1000,
    });
  });

  it.each([400, 403, 410])('reports %i as fatal', async (status) => {
    upstream.fault(TILE, { status });
    const { result } = await run(TILE);
    expect(result).toEqual({ kind: 'fatal', reason: `HTTP ${status}`, status });
  });

  it('reports a body that ends cleanly but early as truncated gzip, leaving a partial file', async () => {
    const half = Math.floor(upstream.gzip(TILE).length / 2);
    upstream.fault(TILE, { truncate: half, times: 1 });
    const { input, result } = await run(TILE);
    expect(result).toMatchObject({ kind: 'retryable' });
    expect(result.kind === 'retryable' && result.reason).toMatch(
      /^truncated gzip: the body ended after \d+ bytes/,
    );
    // The worker leaves tempPath to its caller: a prefix of the tile is there.
    const partial = await readFile(input.tempPath);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(hgtSize(1201));
    expect(partial.equals(upstream.hgt(TILE).subarray(0, partial.length))).toBe(true);
    await rm(input.tempPath);
  });

  it('reports a connection dropped mid-body as retryable, leaving a partial file', async () => {
    const half = Math.floor(upstream.gzip(TILE).length / 2);
    upstream.fault(TILE, { truncate: half, truncateMode: 'destroy', times: 1 });
    const { input, result } = await run(TILE);
    expect(result.kind === 'retryable' && result.reason).toMatch(
      /^connection lost after \d+ bytes: /,
    );
    expect(existsSync(input.tempPath)).toBe(true);
    expect((await stat(input.tempPath)).size).toBeLessThan(hgtSize(1201));
    await rm(input.tempPath);
  });

  it('accepts a complete, checked gzip even if the connection drops right after it', async () => {
    upstream.fault(TILE, { truncate: upstream.gzip(TILE).length, truncateMode: 'destroy' });
    const { input, result } = await run(TILE);
    expect(result).toMatchObject({ kind: 'ok', samples: 1201 });
    expect((await readFile(input.tempPath)).equals(upstream.hgt(TILE))).toBe(true);
  });

  it.each([
    [true, /^corrupt gzip: /],
    ['crc', /^corrupt gzip: incorrect data check$/],
  ] as const)('reports corrupt data (%s) as retryable', async (corrupt, reason) => {
    upstream.fault(TILE, { corrupt });
    const { result } = await run(TILE);
    expect(result.kind === 'retryable' && result.reason).toMatch(reason);
  });

  it('reports a valid gzip of the wrong length as unexpected size', async () => {
    upstream.fault(TILE, { wrongSize: true });
    const { result } = await run(TILE);
    expect(result).toEqual({ kind: 'retryable', reason: `unexpected size ${hgtSize(1201) - 2}` });
  });

  it('stops inflating as soon as the output exceeds the largest tile', async () => {
    upstream.fault(TILE, { wrongSize: 64 * 1024 * 1024 });
    const { input, result } = await run(TILE);
    expect(result.kind === 'retryable' && result.reason).toMatch(
      /^unexpected size: more than 25934402 bytes/,
    );
    expect((await stat(input.tempPath)).size).toBeLessThanOrEqual(hgtSize(3601));
  });

  it('times out a body that trickles beyond timeoutMs', async () => {
    upstream.fault(TILE, { slowBytesPerSecond: 20_000 });
    const started = Date.now();
    const { result } = await run(TILE, 500);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.kind === 'retryable' && result.reason).toMatch(
      /^timed out after 500 ms \(\d+ bytes received\)$/,
    );
  });

  it('times out a server that does not answer', async () => {
    upstream.delayMs = 2_000;
    const { input, result } = await run(TILE, 300);
    expect(result).toEqual({
      kind: 'retryable',
      reason: 'timed out after 300 ms waiting for the response',
    });
    expect(existsSync(input.tempPath)).toBe(false);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const port = await closedPort();
    const input = { ...inputFor(TILE), url: `http://127.0.0.1:${port}/N46/N46E007.hgt.gz` };
    const result = await fetchTile(input, workerTools());
    expect(result.kind === 'retryable' && result.reason).toMatch(
      /^network error: fetch failed: .*ECONNREFUSED/,
    );
  });

  it('reports an unusable URL as fatal', async () => {
    const tools = workerTools();
    expect(await fetchTile({ ...inputFor(TILE), url: 'not a url' }, tools)).toMatchObject({
      kind: 'fatal',
    });
    expect(await fetchTile({ ...inputFor(TILE), url: 'file:///etc/hosts' }, tools)).toEqual({
      kind: 'fatal',
      reason: 'unsupported URL scheme file:',
    });
  });
});

describe('HTTP status rules', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads Retry-After as seconds or an HTTP-date, ignoring anything else', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('classifies statuses', () => {
    expect(classifyStatus(200, null, now)).toBeUndefined();
    expect(classifyStatus(429, 'Thu, 01 Jan 2026 00:00:02 GMT', now)).toEqual({
      kind: 'retryable',
      reason: 'HTTP 429',
      status: 429,
      retryAfterMs: 2_000,
    });
    expect(classifyStatus(404, '5', now)).toEqual({ kind: 'not-found', status: 404 });
    expect(classifyStatus(304, null, now)).toMatchObject({ kind: 'fatal', status: 304 });
  });
});

describe('fetchTile in the worker pool', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = new WorkerPool({ threads: 1 });
  });
  afterAll(() => pool.close());

  it('loads in a worker thread and posts progress to the main thread', async () => {
    const input = inputFor(TILE);
    const progress: number[] = [];
    const result = await pool.run<FetchTileOutput>(WORKER, 'fetchTile', input, {
      onProgress: (value) => progress.push((value as FetchProgress).bytes),
    });
    expect(result).toMatchObject({ kind: 'ok', samples: 1201 });
    expect(progress.at(-1)).toBe(upstream.gzip(TILE).length);
    expect((await readFile(input.tempPath)).equals(upstream.hgt(TILE))).toBe(true);
  });

  it('aborts promptly mid-download; the caller removes the partial file', async () => {
    upstream.fault(BIG, { slowBytesPerSecond: 200_000 }); // about 2 s for the whole body
    const input = inputFor(BIG);
    const controller = new AbortController();
    let abortedAt = 0;
    const job = pool.run<FetchTileOutput>(WORKER, 'fetchTile', input, {
      signal: controller.signal,
      onProgress: () => {
        if (abortedAt !== 0) return;
        abortedAt = Date.now();
        controller.abort();
      },
    });
    await expect(job).rejects.toThrow();
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    // Give a terminated worker time to write anything it still would; then only the partial
    // temp file is there, and removing it is all the cleanup there is.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await readdir(dir)).toEqual([`${BIG}.hgt.tmp`]);
    expect((await stat(input.tempPath)).size).toBeLessThan(hgtSize(3601));
    await rm(input.tempPath);
    expect(await readdir(dir)).toEqual([]);
    // The pool replaced the terminated worker.
    upstream.clearFaults();
    const again = await pool.run<FetchTileOutput>(WORKER, 'fetchTile', inputFor('N45E006'));
    expect(again).toMatchObject({ kind: 'ok' });
  });
});

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// parseTileName is what the fake upstream accepts; a quick check keeps the fixture honest.
it('parses tile names', () => {
  expect(parseTileName('N46E007')).toEqual({ lat: 46, lon: 7 });
  expect(parseTileName('S01W180')).toEqual({ lat: -1, lon: -180 });
  expect(parseTileName('N90E000')).toBeUndefined();
});
