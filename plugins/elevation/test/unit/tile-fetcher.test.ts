/**
 * The tile fetcher's two steps put together, against the fake upstream and a real one-thread
 * WorkerPool: the body downloaded on the main thread, decoded on the pool, committed to the cache
 * or thrown away. Checks the reasons a bad body is retried with, that the temporary folder is
 * left empty whatever happens, and that waiting on the network does not hold the pool's thread.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerPool } from 'relief';
import { TileCache } from '../../src/fetch/tile-cache.ts';
import { TileFetcher, type TileOutcome } from '../../src/fetch/tile-fetcher.ts';
import type { Fault } from 'relief/testing';
import { FakeTileUpstream } from 'relief/testing';
import { FullDiskCache } from '../fixtures/full-disk.ts';
import { hgtSize, startTestPool } from 'relief/testing';
import { parseHgtTileName as parseTileName } from 'relief/worker';

const TILE = 'N46E007';

let upstream: FakeTileUpstream;
let pool: WorkerPool;
let dir: string;
let cache: TileCache;

beforeAll(async () => {
  upstream = await FakeTileUpstream.start({ samples: 1201 });
  pool = startTestPool();
});
afterAll(async () => {
  await pool.close();
  await upstream.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-fetcher-'));
  cache = new TileCache(join(dir, 'tiles'));
  await cache.open();
  upstream.clearFaults();
  upstream.requests.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function fetcher(attempts = 1, concurrency = 2): TileFetcher {
  return new TileFetcher({
    cache,
    pool,
    log: pino({ level: 'silent' }),
    source: upstream.url(),
    concurrency,
    attempts,
    retryBaseMs: 1,
    retryMaxMs: 5,
    timeoutMs: 10_000,
  });
}

function fetchTile(name: string, options: { attempts?: number; signal?: AbortSignal } = {}) {
  const bytes: number[] = [];
  const outcome = fetcher(options.attempts).fetch(parseTileName(name)!, {
    signal: options.signal ?? new AbortController().signal,
    onBytes: (delta) => bytes.push(delta),
  });
  return { outcome, bytes };
}

const temporaryFiles = () => readdir(join(cache.root, '.tmp'));

describe('TileFetcher', () => {
  it('downloads, decodes and caches a tile, reporting the bytes received', async () => {
    const { outcome, bytes } = fetchTile(TILE);
    expect(await outcome).toMatchObject({
      name: TILE,
      status: 'downloaded',
      size: hgtSize(1201),
      samples: 1201,
      attempts: 1,
    });
    expect(bytes.reduce((a, b) => a + b, 0)).toBe(upstream.gzip(TILE).length);
    const cached = await readFile(cache.pathOf(parseTileName(TILE)!));
    expect(cached.equals(upstream.hgt(TILE))).toBe(true);
    expect(await temporaryFiles()).toEqual([]);
  });

  const half = () => Math.floor(upstream.gzip(TILE).length / 2);
  it.each<[string, () => Fault, RegExp]>([
    [
      'a body that ends early',
      () => ({ truncate: half() }),
      /^truncated gzip: the body ended after \d+ bytes/,
    ],
    [
      'a connection dropped before the announced length',
      () => ({ truncate: half(), truncateMode: 'destroy' }),
      /^connection lost after \d+ bytes: /,
    ],
    [
      'a connection dropped mid-body with no length',
      () => ({ truncate: half(), truncateMode: 'drop' }),
      /^connection lost after \d+ bytes: /,
    ],
    ['corrupt data', () => ({ corrupt: true }), /^corrupt gzip: /],
    ['a wrong CRC', () => ({ corrupt: 'crc' }), /^corrupt gzip: incorrect data check$/],
    [
      'a wrong size',
      () => ({ wrongSize: true }),
      new RegExp(`^unexpected size ${hgtSize(1201) - 2}$`),
    ],
    [
      'a gzip bomb',
      () => ({ wrongSize: 64 * 1024 * 1024 }),
      /^unexpected size: more than 25934402 bytes/,
    ],
  ])('fails %s with its reason, caching nothing', async (_, fault, reason) => {
    upstream.fault(TILE, fault());
    const outcome = await fetchTile(TILE).outcome;
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome.reason).toMatch(reason);
    expect(existsSync(cache.pathOf(parseTileName(TILE)!))).toBe(false);
    expect(await temporaryFiles()).toEqual([]);
  });

  it('accepts a complete gzip whose connection drops before the end of a chunked body', async () => {
    upstream.fault(TILE, { truncate: upstream.gzip(TILE).length, truncateMode: 'drop' });
    expect(await fetchTile(TILE).outcome).toMatchObject({ status: 'downloaded', attempts: 1 });
  });

  it('downloads a corrupt tile again', async () => {
    upstream.fault(TILE, { corrupt: 'crc', times: 1 });
    expect(await fetchTile(TILE, { attempts: 2 }).outcome).toMatchObject({
      status: 'downloaded',
      attempts: 2,
    });
    expect(upstream.count(TILE)).toBe(2);
  });

  it('fails at once on a full disk (ENOSPC): no second attempt, nothing cached or left behind', async () => {
    const full = new FullDiskCache(cache.root);
    cache = full;
    const { outcome } = fetchTile(TILE, { attempts: 5 });
    await expect(outcome).rejects.toMatchObject({
      code: 'ENOSPC',
      message: 'ENOSPC: no space left on device, write',
    });
    expect(upstream.count(TILE)).toBe(1);
    expect(full.failedWrites).toHaveLength(1);
    expect(existsSync(cache.pathOf(parseTileName(TILE)!))).toBe(false);
    expect(await temporaryFiles()).toEqual([]);
  });

  it('marks a 404 as no data', async () => {
    upstream.fault(TILE, { status: 404 });
    expect(await fetchTile(TILE).outcome).toMatchObject({ status: 'no-data' });
    expect(await cache.lookup(parseTileName(TILE)!)).toEqual({ kind: 'no-data' });
  });

  it('holds no pool thread while it waits on the network', async () => {
    let release = () => {};
    upstream.fault(TILE, { hold: new Promise<void>((resolve) => (release = resolve)) });
    let settled: TileOutcome | undefined;
    const { outcome } = fetchTile(TILE);
    void outcome.then((value) => (settled = value));
    await expect.poll(() => upstream.count(TILE)).toBe(1);
    // The pool's only thread is free: other work runs while the download waits.
    await pool.check();
    expect(settled).toBeUndefined();
    release();
    expect(await outcome).toMatchObject({ status: 'downloaded' });
  });

  it('cancels a download in flight and leaves no temporary file', async () => {
    let release = () => {};
    upstream.fault(TILE, { hold: new Promise<void>((resolve) => (release = resolve)) });
    const controller = new AbortController();
    const { outcome } = fetchTile(TILE, { signal: controller.signal });
    await expect.poll(() => upstream.count(TILE)).toBe(1);
    expect(await temporaryFiles()).toHaveLength(1); // the body's file, opened before the request
    controller.abort(new Error('cancelled'));
    await expect(outcome).rejects.toThrow('cancelled');
    await expect.poll(temporaryFiles).toEqual([]);
    release();
  });
});
