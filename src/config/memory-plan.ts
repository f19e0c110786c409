/**
 * How the memory budget (RELIEF_MEMORY_LIMIT) is shared out, for the settings left unset: pool
 * threads (RELIEF_WORKERS), each thread's decoded-row cache (RELIEF_ROW_CACHE_BYTES) and the map
 * memory of GetMap (RELIEF_MAX_MAP_MEMORY). docs/deployment.md has the table this computes.
 *
 * The process and its threads cost a fixed amount (measured, see below); what is left is the
 * working memory. A third of it goes to the row caches (spread over the pool's threads), a third
 * to the maps being drawn, and a third stays free for job work (a tile decoded, statistics),
 * vector layers, sockets and the allocator's slack. Large budgets stop at the old fixed defaults
 * (256 MiB a thread, 1 GiB of maps): beyond those, more memory buys nothing.
 */
import { DEFAULT_TILE_CACHE_BYTES } from '../raster/decoded-tile-cache.ts';

const MiB = 1024 * 1024;

/**
 * RSS of an idle server with its plugins, pool warmed, less its threads: measured 173 MiB
 * (Node 20, tsx, linux/amd64: RELIEF_WORKERS 1, 2 and 8 gave 262, 304 and 573 MiB).
 */
export const PROCESS_BYTES = 180 * MiB;
/** RSS of one more idle pool thread: measured 44.5 MiB (V8 isolate, tsx, worker modules). */
export const THREAD_BYTES = 45 * MiB;
/** A cache smaller than this holds too few rows to help; it is kept even when memory is short. */
export const MIN_ROW_CACHE_BYTES = 4 * MiB;
/** One 1024 × 1024 map (16 bytes a pixel while it is drawn): less would refuse common maps. */
export const MIN_MAP_MEMORY = 16 * MiB;
/** The old fixed default of RELIEF_MAX_MAP_MEMORY. */
export const MAX_MAP_MEMORY = 1024 * MiB;

export interface MemoryPlan {
  /** Threads the pool starts: RELIEF_WORKERS + 1 (one kept for requests). */
  poolThreads: number;
  /** What the process and its idle threads cost. */
  fixedBytes: number;
  /** The budget less the fixed costs (0 if they exceed it). */
  workingBytes: number;
  rowCacheBytes: number;
  maxMapMemory: number;
}

/** The share-out of `budget` bytes for a pool of `workers` threads per lane. */
export function planMemory(budget: number, workers: number): MemoryPlan {
  const poolThreads = workers + 1;
  const fixedBytes = PROCESS_BYTES + poolThreads * THREAD_BYTES;
  const workingBytes = Math.max(0, budget - fixedBytes);
  const third = workingBytes / 3;
  return {
    poolThreads,
    fixedBytes,
    workingBytes,
    rowCacheBytes: clampMiB(third / poolThreads, MIN_ROW_CACHE_BYTES, DEFAULT_TILE_CACHE_BYTES),
    maxMapMemory: clampMiB(third, MIN_MAP_MEMORY, MAX_MAP_MEMORY),
  };
}

/**
 * The most RELIEF_WORKERS whose fixed costs leave half of `budget` as working memory (at least
 * 1): without it a memory-limited container on a many-core node would start a thread per core
 * and spend its limit on idle threads.
 */
export function workersForMemory(budget: number): number {
  return Math.max(1, Math.floor((budget / 2 - PROCESS_BYTES) / THREAD_BYTES) - 1);
}

/** Whole MiB, so the start-up log and the docs show round figures. */
function clampMiB(bytes: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(bytes / MiB) * MiB));
}
