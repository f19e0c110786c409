/**
 * A bound on the dirty page cache of large files that jobs write (downloaded tiles, decoded
 * tiles, mosaics). Written data sits in the page cache until the kernel writes it back, which it
 * does after 30 s or beyond a share of the *machine's* memory; a container's memory limit does
 * not move either (cgroup v1 has no per-group dirty limit at all). A job writing hundreds of
 * megabytes could thus fill its container's limit with dirty pages that cannot be reclaimed
 * before they are written, and be OOM-killed although its own heap is small. So writers count
 * their bytes and flush (fdatasync) every RELIEF_WRITE_SYNC_BYTES: at most that much per file
 * is ever dirty. The final flush before a file is committed also makes it durable: a crash
 * after the rename cannot leave a cached tile that is empty on disk.
 */
import { fdatasync } from 'node:fs';
import { promisify } from 'node:util';
import { threadSettings } from '../pool/thread-settings.ts';

export const DEFAULT_WRITE_SYNC_BYTES = 8 * 1024 * 1024;

/** Set by the server at start-up for the main thread; pool threads get it as a thread setting. */
let mainThreadBytes: number | undefined;

export function configureWriteSync(bytes: number): void {
  mainThreadBytes = bytes;
}

/** RELIEF_WRITE_SYNC_BYTES on this thread (0: never flush, leave it to the kernel). */
export function writeSyncBytes(): number {
  return threadSettings().writeSyncBytes ?? mainThreadBytes ?? DEFAULT_WRITE_SYNC_BYTES;
}

/**
 * Counts the bytes written to one file since its last flush. `add` returns true when the
 * caller should flush now (`fdatasyncSync(fd)` or `await handle.datasync()`); counting then
 * starts again from zero.
 */
export class DirtyBytes {
  #unsynced = 0;

  constructor(readonly limit: number = writeSyncBytes()) {}

  add(bytes: number): boolean {
    if (this.limit <= 0) return false;
    this.#unsynced += bytes;
    if (this.#unsynced < this.limit) return false;
    this.#unsynced = 0;
    return true;
  }
}

const fdatasyncAsync = promisify(fdatasync);

/**
 * Flushes one file every RELIEF_WRITE_SYNC_BYTES without making a CPU-bound writer (an inflate,
 * an encoder) wait for the disk each time: the flush runs on libuv's threadpool while the writer
 * produces the next bytes. At most one flush is in flight; reaching the limit again before it
 * has finished waits for it, so at most twice the limit of this file is ever dirty. Waiting for
 * each flush instead cost a 64-tile elevation job 10-15 % of its rate (docs/performance.md).
 */
export class OverlappedFlush {
  readonly #dirty: DirtyBytes;
  readonly #flush: () => Promise<void>;
  #inFlight: Promise<void> | undefined;
  /** A flush that failed (EIO, ENOSPC): thrown by the next written() or finish(). */
  #failure: { error: unknown } | undefined;

  constructor(fd: number, options: { limit?: number; flush?: (fd: number) => Promise<void> } = {}) {
    this.#dirty = new DirtyBytes(options.limit);
    const flush = options.flush ?? fdatasyncAsync;
    this.#flush = () => flush(fd);
  }

  get limit(): number {
    return this.#dirty.limit;
  }

  /**
   * Counts bytes just written. Returns a promise to await before writing more when the limit is
   * reached while the previous flush is still running (a slow disk), else undefined.
   */
  written(bytes: number): Promise<void> | undefined {
    this.#throwIfFailed();
    if (!this.#dirty.add(bytes)) return undefined;
    const previous = this.#inFlight;
    if (previous === undefined) {
      this.#start();
      return undefined;
    }
    return previous.then(() => {
      this.#throwIfFailed();
      this.#start();
    });
  }

  /** Waits for the flush in flight, then flushes what is left (limit 0: nothing is flushed). */
  async finish(): Promise<void> {
    await this.#inFlight;
    this.#throwIfFailed();
    if (this.#dirty.limit > 0) await this.#flush();
  }

  #start(): void {
    const settled = () => {
      if (this.#inFlight === flush) this.#inFlight = undefined;
    };
    const flush: Promise<void> = this.#flush().then(settled, (error: unknown) => {
      this.#failure ??= { error };
      settled();
    });
    this.#inFlight = flush;
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure.error;
  }
}
