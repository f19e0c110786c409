/**
 * Whether the data dir can take writes, for /ready: a small file is written and removed (a
 * read-only or vanished volume, lost permissions), the file system's free space is compared with
 * RELIEF_MIN_FREE_DISK, and the data dir lock must still be this server's. Probes may come every
 * second: a result is reused for a few seconds, and callers meanwhile share one check.
 */
import { rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type DataDirState = 'ok' | 'unwritable' | 'low-space' | 'lock-lost';

export interface DataDirStatus {
  status: DataDirState;
  /** Bytes available to the server on the data dir's file system, when it could be read. */
  freeBytes: number | null;
  /** The threshold below which the server is not ready (0: not checked). */
  minFreeBytes: number;
  /** Why the status is not 'ok'. */
  reason?: string;
}

export interface DataDirCheckOptions {
  dir: string;
  minFreeBytes: number;
  /** How long a result is reused (ms). */
  maxAgeMs?: number;
  /** The data dir lock, if any: losing it makes the data dir not this server's to write. */
  lock?: { readonly lost: boolean };
  /** Clock for the reuse window; tests pass their own. */
  now?: () => number;
}

const DEFAULT_MAX_AGE_MS = 5_000;

export class DataDirCheck {
  readonly #options: DataDirCheckOptions;
  readonly #probeFile: string;
  #last: { at: number; result: Promise<DataDirStatus> } | undefined;
  #settled: DataDirStatus | undefined;

  constructor(options: DataDirCheckOptions) {
    this.#options = options;
    // Per process: a server starting on the same dir must not remove this one's probe mid-check.
    this.#probeFile = join(options.dir, `.write-probe-${process.pid}`);
  }

  /** The data dir's state, at most `maxAgeMs` old. */
  async check(): Promise<DataDirStatus> {
    const { maxAgeMs = DEFAULT_MAX_AGE_MS, now = Date.now } = this.#options;
    const at = now();
    if (this.#last === undefined || at - this.#last.at >= maxAgeMs) {
      const result = this.#probe();
      this.#last = { at, result };
      void result.then((status) => (this.#settled = status));
    }
    return this.#withLock(await this.#last.result);
  }

  /**
   * The last finished check without waiting for a new one (undefined before the first), for
   * callers that cannot wait; a lost lock shows at once.
   */
  latest(): DataDirStatus | undefined {
    return this.#settled === undefined ? undefined : this.#withLock(this.#settled);
  }

  #withLock(result: DataDirStatus): DataDirStatus {
    if (this.#options.lock?.lost === true) {
      return { ...result, status: 'lock-lost', reason: 'another server took the data dir lock' };
    }
    return result;
  }

  async #probe(): Promise<DataDirStatus> {
    const { dir, minFreeBytes } = this.#options;
    let freeBytes: number | null = null;
    let statfsError: unknown;
    try {
      const stats = await statfs(dir);
      freeBytes = stats.bavail * stats.bsize;
    } catch (error) {
      statfsError = error;
    }
    try {
      await writeFile(this.#probeFile, 'relief write probe\n');
      await rm(this.#probeFile, { force: true });
    } catch (error) {
      // A write that failed half-way (ENOSPC) may have left the file.
      await rm(this.#probeFile, { force: true }).catch(() => undefined);
      return { status: 'unwritable', freeBytes, minFreeBytes, reason: describe(error) };
    }
    if (minFreeBytes > 0) {
      if (freeBytes === null) {
        return {
          status: 'low-space',
          freeBytes,
          minFreeBytes,
          reason: `free space unknown: ${describe(statfsError)}`,
        };
      }
      if (freeBytes < minFreeBytes) {
        return {
          status: 'low-space',
          freeBytes,
          minFreeBytes,
          reason: `${freeBytes} bytes free, below RELIEF_MIN_FREE_DISK (${minFreeBytes})`,
        };
      }
    }
    return { status: 'ok', freeBytes, minFreeBytes };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
