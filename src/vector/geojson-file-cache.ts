/**
 * GeoJSON files behind `{ kind: 'geojson', path }` layers, parsed once and kept while the file is
 * unchanged: entries are keyed by path and checked against the file's mtime and size on each
 * use, so an edited file is re-read on the next request. The cache is bounded by entry count and
 * by the files' total size (a rough measure of the parsed size); a file larger than the whole
 * byte budget is served but not kept. Concurrent loads of one file share a single read.
 *
 * The file is read asynchronously but parsed with JSON.parse, which holds the event loop for the
 * length of the parse and needs the whole document in memory; very large files would want a
 * streaming parser (or a real vector format) instead.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Feature, FeatureCollection } from 'geojson';
import { FeatureIndex } from './feature-index.ts';
import { VectorSourceError } from './vector-source-error.ts';

export interface GeoJsonFileCacheOptions {
  /** Most files kept parsed at once. */
  maxEntries?: number;
  /** Most bytes of file kept parsed at once. */
  maxBytes?: number;
}

interface Entry {
  version: string;
  bytes: number;
  index: Promise<FeatureIndex>;
}

export class GeoJsonFileCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;

  constructor(options: GeoJsonFileCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 16;
    this.#maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  async load(path: string): Promise<FeatureIndex> {
    let stats;
    try {
      stats = await stat(path);
    } catch (error) {
      throw new VectorSourceError(`Cannot read ${path}`, { cause: error });
    }
    const version = `${stats.mtimeMs}:${stats.size}`;
    const cached = this.#entries.get(path);
    if (cached !== undefined && cached.version === version) {
      // Most recently used last: Map order is the eviction order.
      this.#entries.delete(path);
      this.#entries.set(path, cached);
      return cached.index;
    }
    this.#entries.delete(path);
    const index = readCollection(path).then((collection) => new FeatureIndex(collection));
    if (stats.size <= this.#maxBytes) {
      const entry = { version, bytes: stats.size, index };
      this.#entries.set(path, entry);
      // A failed read is not remembered: the next request tries again.
      index.catch(() => {
        if (this.#entries.get(path) === entry) this.#entries.delete(path);
      });
      this.#evict();
    }
    return index;
  }

  /** Paths currently held, least recently used first (for tests and diagnostics). */
  get paths(): string[] {
    return [...this.#entries.keys()];
  }

  #evict(): void {
    let bytes = 0;
    for (const entry of this.#entries.values()) bytes += entry.bytes;
    for (const [path, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && bytes <= this.#maxBytes) break;
      this.#entries.delete(path);
      bytes -= entry.bytes;
    }
  }
}

async function readCollection(path: string): Promise<FeatureCollection> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new VectorSourceError(`Cannot read GeoJSON from ${path}`, { cause: error });
  }
  const object = parsed as { type?: unknown; features?: unknown };
  if (object?.type === 'FeatureCollection' && Array.isArray(object.features)) {
    return parsed as FeatureCollection;
  }
  if (object?.type === 'Feature') {
    return { type: 'FeatureCollection', features: [parsed as Feature] };
  }
  throw new VectorSourceError(`${path} is not a GeoJSON FeatureCollection or Feature`);
}
