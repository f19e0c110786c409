/**
 * Gets tiles into the cache for any number of jobs at once:
 * - a cached tile (or a known no-data cell) is answered without a request;
 * - concurrent requests for one tile share a single download (jobs overlapping in space fetch
 *   each tile once); the download is aborted only when every job waiting for it has given up;
 * - at most `concurrency` downloads are in flight toward the source, across all jobs;
 * - each attempt runs on the worker pool (stream, gunzip with pako, validate, write a temp file);
 *   the temp file belongs to this (main) thread, which renames it into the cache or removes it;
 * - network errors, timeouts, 5xx and corrupt or truncated bodies are retried with exponential
 *   backoff and jitter, honouring Retry-After; a 404 marks the cell as having no data.
 */
import type { FastifyBaseLogger } from 'fastify';
import PQueue from 'p-queue';
import type { WorkerPool } from 'relief';
import type {
  FetchProgress,
  FetchTileInput,
  FetchTileOutput,
  HgtSamples,
  TileId,
} from '../contracts.ts';
import { tileDir, tileName } from '../tiles/tile-id.ts';
import { abortableSleep, backoffDelay } from './backoff.ts';
import type { TileCache } from './tile-cache.ts';

const FETCH_WORKER = new URL('./fetch-worker.ts', import.meta.url);

export type TileStatus = 'downloaded' | 'cached' | 'no-data' | 'failed';

export interface TileOutcome {
  tile: TileId;
  name: string;
  status: TileStatus;
  /** Decompressed file size in bytes, for tiles on disk. */
  size?: number;
  samples?: HgtSamples;
  /** Why a tile failed. */
  reason?: string;
  /** Download attempts made for this outcome (0 when answered from the cache). */
  attempts: number;
}

export interface TileFetcherOptions {
  cache: TileCache;
  pool: WorkerPool;
  log: FastifyBaseLogger;
  source: string;
  concurrency: number;
  attempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
}

interface SharedDownload {
  promise: Promise<TileOutcome>;
  controller: AbortController;
  waiters: number;
  listeners: Set<(bytes: number) => void>;
}

export class TileFetcher {
  readonly #options: TileFetcherOptions;
  readonly #queue: PQueue;
  readonly #inflight = new Map<string, SharedDownload>();

  constructor(options: TileFetcherOptions) {
    this.#options = options;
    this.#queue = new PQueue({ concurrency: options.concurrency });
  }

  urlOf(tile: TileId): string {
    return this.#options.source
      .replaceAll('{dir}', tileDir(tile))
      .replaceAll('{name}', tileName(tile));
  }

  /** Resolves with the tile's outcome; rejects only when `signal` aborts. */
  async fetch(
    tile: TileId,
    options: { signal: AbortSignal; onBytes?: (bytes: number) => void },
  ): Promise<TileOutcome> {
    const name = tileName(tile);
    const cached = await this.#options.cache.lookup(tile);
    if (cached.kind === 'tile') {
      return {
        tile,
        name,
        status: 'cached',
        size: cached.size,
        samples: cached.samples,
        attempts: 0,
      };
    }
    if (cached.kind === 'no-data') return { tile, name, status: 'no-data', attempts: 0 };
    options.signal.throwIfAborted();

    let shared = this.#inflight.get(name);
    if (shared === undefined) {
      const created: SharedDownload = {
        controller: new AbortController(),
        waiters: 0,
        listeners: new Set(),
        promise: Promise.resolve({ tile, name, status: 'failed', attempts: 0 }),
      };
      created.promise = this.#download(tile, created).finally(() => this.#inflight.delete(name));
      // Waiters may all have left (aborted) before it settles: its rejection is expected then.
      created.promise.catch(() => undefined);
      this.#inflight.set(name, created);
      shared = created;
    }
    const download = shared;
    download.waiters++;
    if (options.onBytes !== undefined) download.listeners.add(options.onBytes);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(options.signal.reason as Error);
      options.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([download.promise, aborted]);
    } finally {
      options.signal.removeEventListener('abort', onAbort as () => void);
      if (options.onBytes !== undefined) download.listeners.delete(options.onBytes);
      download.waiters--;
      // The last job to give up cancels the download; others keep it going.
      if (download.waiters === 0 && options.signal.aborted)
        download.controller.abort(options.signal.reason);
    }
  }

  async #download(tile: TileId, shared: SharedDownload): Promise<TileOutcome> {
    const { cache, log, attempts: maxAttempts } = this.#options;
    const name = tileName(tile);
    const signal = shared.controller.signal;
    const url = this.urlOf(tile);
    let lastReason = 'no attempt made';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const result = await this.#queue.add(() => this.#attempt(tile, url, shared), { signal });
      if (result.kind === 'ok') {
        return {
          tile,
          name,
          status: 'downloaded',
          size: result.size,
          samples: result.samples,
          attempts: attempt,
        };
      }
      if (result.kind === 'not-found') {
        await cache.markNoData(tile);
        return { tile, name, status: 'no-data', attempts: attempt };
      }
      lastReason = result.reason;
      if (result.kind === 'fatal') break;
      if (attempt < maxAttempts) {
        const delay = backoffDelay(attempt, {
          baseMs: this.#options.retryBaseMs,
          maxMs: this.#options.retryMaxMs,
          retryAfterMs: result.retryAfterMs,
        });
        log.warn(
          { tile: name, attempt, reason: result.reason, retryInMs: delay },
          'tile download failed; retrying',
        );
        await abortableSleep(delay, signal);
      }
    }
    log.error({ tile: name, reason: lastReason }, 'tile download failed');
    return { tile, name, status: 'failed', reason: lastReason, attempts: maxAttempts };
  }

  /** One attempt: the worker writes a temp file, which this thread commits or removes. */
  async #attempt(tile: TileId, url: string, shared: SharedDownload): Promise<FetchTileOutput> {
    const { cache, pool, timeoutMs } = this.#options;
    const tempPath = cache.tempPath(tile);
    let reported = 0;
    const input: FetchTileInput = { url, tempPath, timeoutMs };
    try {
      const result = await pool.run<FetchTileOutput>(FETCH_WORKER, 'fetchTile', input, {
        signal: shared.controller.signal,
        onProgress: (value) => {
          const { bytes } = value as FetchProgress;
          const delta = bytes - reported;
          reported = bytes;
          if (delta > 0) for (const listener of shared.listeners) listener(delta);
        },
      });
      if (result.kind === 'ok') await cache.commit(tempPath, tile);
      else await cache.discard(tempPath);
      return result;
    } catch (error) {
      await cache.discard(tempPath);
      if (shared.controller.signal.aborted) throw error;
      // The worker itself died (not an abort): worth another attempt.
      return { kind: 'retryable', reason: `worker failed: ${(error as Error).message}` };
    }
  }
}
