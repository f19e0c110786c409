/**
 * The per-thread cache of decoded raster rows, bounded in bytes, least recently used first out.
 * Each pool worker thread has one (module state persists between jobs on a thread), so repeated
 * reads of one area, e.g. neighbouring map tiles, decode nothing twice.
 *
 * The unit is a source ROW, not a whole tile: a map window at full resolution reads a few
 * hundred rows of a tile, and a zoomed-out window a handful of rows from many tiles, so caching
 * rows keeps memory proportional to what is looked at (a whole SRTM1 tile is 26 MB). Rows are
 * keyed by file path and validated against the file's version (mtime, size, inode), so a file
 * that changed is read again and its stale rows are dropped on first sight.
 *
 * Totals across threads: every thread has its own cache, so memory is up to threads × maxBytes.
 * The server sizes maxBytes from its memory budget (RELIEF_ROW_CACHE_BYTES, passed to every pool
 * thread at start: thread-settings.ts); 256 MiB where nothing says otherwise.
 */
import type { Stats } from 'node:fs';
import { threadSettings } from '../pool/thread-settings.ts';

export interface TileCacheOptions {
  /** Upper bound of the cached rows' bytes in this thread; default from the pool, else 256 MiB. */
  maxBytes?: number;
  /**
   * How long a listing of an hgt-folder is reused (ms), default 2000: which tiles exist, and so
   * which are missing, is re-checked at most this often. 0 lists the folder on every read.
   */
  listingTtlMs?: number;
}

export interface TileCacheStats {
  /** Row look-ups answered from the cache. */
  hits: number;
  /** Row look-ups that had to read the file (including rows of a file that changed). */
  misses: number;
  /** Rows dropped to stay within maxBytes. */
  evictions: number;
  /** Read operations on files (one per run of adjacent missing rows). */
  reads: number;
  bytesRead: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

/** A file whose rows are cached: its path, and a version that changes when the file does. */
export interface CachedFile {
  path: string;
  version: string;
}

/** Reads rows [first, first + count) of a file, one array per row. */
export type ReadRows = (first: number, count: number) => Int16Array[] | Promise<Int16Array[]>;

export const DEFAULT_TILE_CACHE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_LISTING_TTL_MS = 2000;
/** Rough cost of an entry beyond its values (key, map slot, typed array object). */
const ENTRY_OVERHEAD = 128;
/** Longest run of rows read at once: bounds the temporary buffer of a full-tile read. */
const MAX_RUN_ROWS = 512;

interface Entry {
  version: string;
  row: Int16Array;
  bytes: number;
}

const settings = {
  maxBytes: threadSettings().rowCacheBytes ?? DEFAULT_TILE_CACHE_BYTES,
  listingTtlMs: DEFAULT_LISTING_TTL_MS,
};
/**
 * Map order is the recency order: a hit moves its entry to the end, eviction takes the first.
 * Keys are numbers (file number × 2³² + row), cheaper to hash than strings on this hot path.
 */
const entries = new Map<number, Entry>();
/** A number for each path seen, for the keys; paths are few (the tiles and files of layers). */
const fileNumbers = new Map<string, number>();
let totalBytes = 0;
const counters = { hits: 0, misses: 0, evictions: 0, reads: 0, bytesRead: 0 };

/** Changes this thread's cache settings; a smaller maxBytes evicts at once. */
export function configureTileCache(options: TileCacheOptions): void {
  if (options.maxBytes !== undefined) {
    if (!(options.maxBytes >= 0)) throw new RangeError(`maxBytes must be >= 0`);
    settings.maxBytes = options.maxBytes;
    evictToFit();
  }
  if (options.listingTtlMs !== undefined) {
    if (!(options.listingTtlMs >= 0)) throw new RangeError(`listingTtlMs must be >= 0`);
    settings.listingTtlMs = options.listingTtlMs;
  }
}

export function tileCacheSettings(): Readonly<Required<TileCacheOptions>> {
  return settings;
}

export function tileCacheStats(): TileCacheStats {
  return { ...counters, entries: entries.size, bytes: totalBytes, maxBytes: settings.maxBytes };
}

/** Empties the cache and zeroes the counters (tests, or to free memory). */
export function clearTileCache(): void {
  entries.clear();
  fileNumbers.clear();
  totalBytes = 0;
  resetTileCacheCounters();
}

export function resetTileCacheCounters(): void {
  counters.hits = counters.misses = counters.evictions = counters.reads = counters.bytesRead = 0;
}

/** The version of a file as the cache compares it. */
export function fileVersion(stats: Stats): string {
  return `${stats.mtimeMs}:${stats.size}:${stats.ino}`;
}

/**
 * `rows` (row numbers) of `file`, from the cache where it has them at the file's version, the
 * rest read with `read` (adjacent rows in one call) and cached. Returns one array per entry of
 * `rows`, in order.
 */
export async function cachedRows(
  file: CachedFile,
  rows: readonly number[],
  read: ReadRows,
): Promise<Int16Array[]> {
  const base = fileBase(file.path);
  const found: (Int16Array | undefined)[] = rows.map((row) => lookUp(base + row, file));
  const missing: number[] = [];
  found.forEach((row, k) => {
    if (row === undefined) missing.push(k);
  });
  for (let start = 0; start < missing.length;) {
    let end = start + 1;
    while (
      end < missing.length &&
      end - start < MAX_RUN_ROWS &&
      rows[missing[end]!] === rows[missing[end - 1]!]! + 1
    ) {
      end++;
    }
    const first = rows[missing[start]!]!;
    const got = await read(first, end - start);
    counters.reads++;
    for (let k = start; k < end; k++) {
      const row = got[k - start];
      if (row === undefined) throw new Error(`${file.path}: row ${first + k - start} not read`);
      counters.bytesRead += row.byteLength;
      found[missing[k]!] = row;
      store(base + rows[missing[k]!]!, file.version, row);
    }
    start = end;
  }
  return found as Int16Array[];
}

const ROWS_PER_FILE = 2 ** 32;

/** The key of a file's row 0; row r's key is this + r. */
function fileBase(path: string): number {
  let number = fileNumbers.get(path);
  if (number === undefined) {
    number = fileNumbers.size;
    fileNumbers.set(path, number);
  }
  return number * ROWS_PER_FILE;
}

function lookUp(key: number, file: CachedFile): Int16Array | undefined {
  const entry = entries.get(key);
  if (entry === undefined || entry.version !== file.version) {
    if (entry !== undefined) remove(key, entry);
    counters.misses++;
    return undefined;
  }
  entries.delete(key);
  entries.set(key, entry);
  counters.hits++;
  return entry.row;
}

function store(key: number, version: string, row: Int16Array): void {
  const old = entries.get(key);
  if (old !== undefined) remove(key, old);
  const entry: Entry = { version, row, bytes: row.byteLength + ENTRY_OVERHEAD };
  entries.set(key, entry);
  totalBytes += entry.bytes;
  evictToFit();
}

function remove(key: number, entry: Entry): void {
  entries.delete(key);
  totalBytes -= entry.bytes;
}

function evictToFit(): void {
  while (totalBytes > settings.maxBytes) {
    const oldest = entries.entries().next();
    if (oldest.done === true) break;
    remove(oldest.value[0], oldest.value[1]);
    counters.evictions++;
  }
}
