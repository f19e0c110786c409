/**
 * The features of vector layers, for the services that query them (WFS today). A layer's data
 * is a FeatureCollection published in memory (`features`) or a GeoJSON file (`geojson`, parsed
 * once and cached, see geojson-file-cache.ts). Either way the store indexes it once (feature
 * bounding boxes, extent, schema) and hands out a VectorDataset: a view that iterates the
 * features asynchronously, in collection order, by reference, with stable ids.
 *
 * Files are parsed whole (JSON.parse); very large files would want a streaming parser or an
 * indexed format, so that neither the parse nor the parsed collection holds the server.
 *
 * Feature ids: a feature's own `id` when it is an NCName (usable as a gml:id), otherwise
 * `<layer>.<id>` with unsafe characters replaced; `<layer>.<n>` (n from 1, the position in the
 * collection) when the feature has none.
 */
import type { Feature, FeatureCollection } from 'geojson';
import type { PublishedLayer } from '../layers/layer-registry.ts';
import { FeatureIndex, type Extent } from './feature-index.ts';
import type { FeatureSchema } from './feature-schema.ts';
import { GeoJsonFileCache, type GeoJsonFileCacheOptions } from './geojson-file-cache.ts';
import { VectorSourceError } from './vector-source-error.ts';

export interface StoredFeature {
  readonly id: string;
  /** Position in the collection, from 0. */
  readonly index: number;
  readonly feature: Feature;
}

export class VectorStore {
  readonly #files: GeoJsonFileCache;
  readonly #inMemory = new WeakMap<FeatureCollection, FeatureIndex>();

  constructor(options: GeoJsonFileCacheOptions = {}) {
    this.#files = new GeoJsonFileCache(options);
  }

  /** Rejects with a VectorSourceError when the layer is not vector or its data cannot be read. */
  async dataset(layer: PublishedLayer): Promise<VectorDataset> {
    if (layer.kind !== 'vector') {
      throw new VectorSourceError(`Layer ${layer.name} is not a vector layer`);
    }
    const source = layer.source;
    switch (source.kind) {
      case 'features':
        return new VectorDataset(layer.name, this.#indexOf(source.data));
      case 'geojson':
        return new VectorDataset(layer.name, await this.#files.load(source.path));
      default:
        throw new VectorSourceError(
          `Layer ${layer.name} has a ${source.kind} source, which holds no features`,
        );
    }
  }

  #indexOf(data: FeatureCollection): FeatureIndex {
    if (data === null || typeof data !== 'object' || !Array.isArray(data.features)) {
      throw new VectorSourceError('The published data is not a FeatureCollection');
    }
    const cached = this.#inMemory.get(data);
    // A plugin that pushes features into its published collection gets a fresh index.
    if (cached !== undefined && cached.size === data.features.length) return cached;
    const index = new FeatureIndex(data);
    this.#inMemory.set(data, index);
    return index;
  }
}

const NCNAME = /^[\p{L}_][\p{L}\p{M}\p{N}_.-]*$/u;

export class VectorDataset {
  readonly layer: string;
  readonly index: FeatureIndex;

  constructor(layer: string, index: FeatureIndex) {
    this.layer = layer;
    this.index = index;
  }

  get size(): number {
    return this.index.size;
  }

  get extent(): Extent | undefined {
    return this.index.extent;
  }

  get schema(): FeatureSchema {
    return this.index.schema();
  }

  featureAt(i: number): Feature {
    const feature = this.index.features[i];
    if (feature === undefined) throw new RangeError(`No feature ${i} in ${this.layer}`);
    return feature;
  }

  idOf(i: number): string {
    const own = this.featureAt(i).id;
    if (own === undefined || own === null || own === '') return `${this.layer}.${i + 1}`;
    const text = String(own);
    return NCNAME.test(text)
      ? text
      : `${this.layer}.${text.replace(/[^\p{L}\p{M}\p{N}_.-]/gu, '_')}`;
  }

  /**
   * The features at `positions` (ascending positions keep collection order), or all of them.
   * Yields references: nothing is copied, so memory stays flat however long the iteration.
   */
  async *features(positions?: Iterable<number>): AsyncGenerator<StoredFeature> {
    if (positions === undefined) {
      for (let i = 0; i < this.size; i++) yield this.#stored(i);
    } else {
      for (const i of positions) yield this.#stored(i);
    }
  }

  /** Positions of the features with these ids, ascending. */
  positionsOf(ids: Iterable<string>): Uint32Array {
    const wanted = new Set(ids);
    const found = new Set<number>();
    if (!this.index.hasOwnIds) {
      // Positional ids: `<layer>.<n>` is looked up directly.
      const prefix = `${this.layer}.`;
      for (const id of wanted) {
        if (!id.startsWith(prefix)) continue;
        const n = Number(id.slice(prefix.length));
        if (Number.isInteger(n) && n >= 1 && n <= this.size && this.idOf(n - 1) === id) {
          found.add(n - 1);
        }
      }
    } else {
      for (let i = 0; i < this.size; i++) if (wanted.has(this.idOf(i))) found.add(i);
    }
    return Uint32Array.from(found).sort();
  }

  #stored(index: number): StoredFeature {
    return { id: this.idOf(index), index, feature: this.featureAt(index) };
  }
}
