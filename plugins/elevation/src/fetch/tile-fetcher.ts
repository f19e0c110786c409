/**
 * Gets tiles into the cache for any number of jobs at once:
 * - a cached tile (or a known no-data cell) is answered without a request;
 * - concurrent requests for one tile share a single download (jobs overlapping in space fetch
 *   each tile once); the download is aborted only when every job waiting for it has given up;
 * - an attempt is two steps: the body streams into a temporary .hgt.gz on the pool's io thread
 *   (download-worker.ts, lane 'io': no CPU thread, and no socket buffers for the event loop's
 *   GC), then ONE pool job inflates and checks it into a temporary .hgt (decode-worker.ts).
 *   Waiting on the network thus never holds a CPU thread, and the CPU threads only see bounded
 *   work (lane 'background', so maps go first);
 * - at most `concurrency` downloads are in flight toward the source, across all jobs; decodes
 *   are limited by the pool, and at most `concurrency` + pool threads tiles are between
 *   download and decoded at once, which bounds the temporary files when decoding is the
 *   bottleneck (a fast upstream);
 * - both temporary files belong to this (main) thread, which renames the .hgt into the cache or
 *   removes it, and always removes the .hgt.gz: aborting a decode terminates its worker
 *   mid-write, and a cancelled download may leave its file behind;
 * - network errors, timeouts, 5xx and corrupt or truncated bodies are retried with exponential
 *   backoff and jitter, honouring Retry-After; a 404 marks the cell as having no data;
 * - a full or read-only disk (ENOSPC, EDQUOT, EROFS) is never retried: the fetch rejects with
 *   that error at once, and the job fails with a message that says so (not "internal error").
 */
import type { FastifyBaseLogger } from 'fastify';
import PQueue from 'p-queue';
import { isStorageFailure, moduleUrl, redactText, type WorkerPool } from 'relief';
import { hgtTileDir as tileDir, hgtTileName as tileName } from 'relief/worker';
import type {
  DecodeTileInput,
  DecodeTileOutput,
  DownloadTileInput,
  DownloadTileOutput,
  FetchTileOutput,
  HgtSamples,
  TileId,
} from '../contracts.ts';
import { abortableSleep, backoffDelay } from './backoff.ts';
import { fileError } from './download-worker.ts';
import type { TileCache } from './tile-cache.ts';

export const DECODE_WORKER = moduleUrl('./decode-worker.ts', import.meta.url);
export const DOWNLOAD_WORKER = moduleUrl('./download-worker.ts', import.meta.url);

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
  /** Downloads in flight. */
  readonly #downloads: PQueue;
  /** Attempts between the start of their download and the end of their decode. */
  readonly #attempts: PQueue;
  readonly #inflight = new Map<string, SharedDownload>();

  constructor(options: TileFetcherOptions) {
    this.#options = options;
    this.#downloads = new PQueue({ concurrency: options.concurrency });
    this.#attempts = new PQueue({
      concurrency: options.concurrency + options.pool.stats.maxThreads,
    });
  }

  urlOf(tile: TileId): string {
    return this.#options.source
      .replaceAll('{dir}', tileDir(tile))
      .replaceAll('{name}', tileName(tile));
  }

  /**
   * Resolves with the tile's outcome; rejects when `signal` aborts, or with the file-system
   * error when the disk is full or read-only.
   */
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
      const result = await this.#attempts.add(() => this.#attempt(tile, url, shared), { signal });
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
      // Reasons reach the log, the job's results and its failure message; an error may quote
      // the URL, and the source's may hold a password or a signature.
      lastReason = redactText(result.reason);
      if (result.kind === 'fatal') break;
      if (attempt < maxAttempts) {
        const delay = backoffDelay(attempt, {
          baseMs: this.#options.retryBaseMs,
          maxMs: this.#options.retryMaxMs,
          retryAfterMs: result.retryAfterMs,
        });
        log.warn(
          { tile: name, attempt, reason: lastReason, retryInMs: delay },
          'tile download failed; retrying',
        );
        await abortableSleep(delay, signal);
      }
    }
    log.error({ tile: name, reason: lastReason }, 'tile download failed');
    return { tile, name, status: 'failed', reason: lastReason, attempts: maxAttempts };
  }

  /** One attempt: download the body here, decode it on the pool, commit or remove the files. */
  async #attempt(tile: TileId, url: string, shared: SharedDownload): Promise<FetchTileOutput> {
    const { cache, pool, timeoutMs } = this.#options;
    const signal = shared.controller.signal;
    const gzipPath = cache.partPath(tile);
    const hgtPath = cache.tempPath(tile);
    let reported = 0;
    let step = 'download';
    try {
      const download: DownloadTileInput = { url, path: gzipPath, timeoutMs };
      const received = await this.#downloads.add(
        () =>
          pool.run<DownloadTileOutput>(DOWNLOAD_WORKER, 'downloadTileJob', download, {
            lane: 'io',
            signal,
            onProgress: (bytes) => {
              const delta = (bytes as number) - reported;
              reported = bytes as number;
              if (delta > 0) for (const listener of shared.listeners) listener(delta);
            },
          }),
        { signal },
      );
      if (received.kind === 'file-error') throw fileError(received.error);
      if (received.kind !== 'received') return received;
      step = 'worker';
      const input: DecodeTileInput = { gzipPath, hgtPath };
      const decoded = await pool.run<DecodeTileOutput>(DECODE_WORKER, 'decodeTile', input, {
        signal,
        lane: 'background',
      });
      if (decoded.kind !== 'ok') {
        // A body cut off with no length to check it against: the cut is the likelier story.
        return received.interrupted === undefined
          ? decoded
          : { kind: 'retryable', reason: received.interrupted };
      }
      await cache.commit(hgtPath, tile);
      return { ...decoded, compressedBytes: received.bytes };
    } catch (error) {
      if (signal.aborted) throw error;
      // No later attempt will find more room: fail now, with the real reason.
      if (isStorageFailure(error)) throw error;
      // A local file error, or the worker itself died (not an abort): worth another attempt.
      return { kind: 'retryable', reason: `${step} failed: ${(error as Error).message}` };
    } finally {
      // After a commit the .hgt is gone from the temporary folder: removing it is a no-op.
      await Promise.all([cache.discard(gzipPath), cache.discard(hgtPath)]);
    }
  }
}
