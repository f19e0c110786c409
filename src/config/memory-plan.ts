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
 * What the process costs under load, without its pool threads: peak RSS 399 MiB with two pool
 * threads drawing maps (below), less 2 × 68 MiB for the threads. Idle it is about 175 MiB.
 */
export const PROCESS_BYTES = 260 * MiB;
/**
 * What one pool thread costs while it draws maps: 68 MiB, measured as the rise of the peak RSS
 * from 2 to 4 pool threads (399 → 536 MiB) under four clients asking GetMaps of up to
 * 1024 × 1024 pixels, hillshade, over nine SRTM1 tiles, with no row cache (Node 20, tsx). Idle,
 * a thread costs about 45 MiB (RSS 262, 304 and 573 MiB with RELIEF_WORKERS 1, 2 and 8).
 */
export const THREAD_BYTES = 70 * MiB;
/** A cache smaller than this holds too few rows to help; it is kept even when memory is short. */
export const MIN_ROW_CACHE_BYTES = 4 * MiB;
/** One 1024 × 1024 map (16 bytes a pixel while it is drawn): less would refuse common maps. */
export const MIN_MAP_MEMORY = 16 * MiB;
/** The old fixed default of RELIEF_MAX_MAP_MEMORY. */
export const MAX_MAP_MEMORY = 1024 * MiB;

export interface MemoryPlan {
  /** Threads the pool starts: RELIEF_WORKERS + 1 (one kept for requests). */
  poolThreads: number;
  /** What the process and its threads cost under load, before caches and maps. */
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
 * and spend its limit on threads.
 */
export function workersForMemory(budget: number): number {
  return Math.max(1, Math.floor((budget / 2 - PROCESS_BYTES) / THREAD_BYTES) - 1);
}

/** Whole MiB, so the start-up log and the docs show round figures. */
function clampMiB(bytes: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(bytes / MiB) * MiB));
}
