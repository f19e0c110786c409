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
