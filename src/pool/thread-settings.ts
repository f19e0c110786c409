/**
 * Settings every pool thread reads when it starts, passed as the threads' `workerData`: module
 * state kept per thread (the decoded-row cache) is sized by the server this way, and a thread
 * piscina starts to replace a stopped one gets the same settings. Off the pool (the main thread,
 * tests calling worker functions directly) there are none, and modules use their defaults.
 */
import { workerData } from 'node:worker_threads';

export interface ThreadSettings {
  /** Bytes of decoded raster rows the thread caches (RELIEF_ROW_CACHE_BYTES). */
  rowCacheBytes?: number;
  /** Bytes a large file write leaves unflushed at most (RELIEF_WRITE_SYNC_BYTES). */
  writeSyncBytes?: number;
}

export function threadSettings(): ThreadSettings {
  return typeof workerData === 'object' && workerData !== null
    ? (workerData as ThreadSettings)
    : {};
}
