/**
 * The layers the map services can serve. The project file (a later addition) and plugins publish
 * here; plugins may publish and withdraw layers at run time (an elevation job's footprint and
 * tiles appear when the job succeeds), and the services read the current set per request.
 */
import { EventEmitter } from 'node:events';
import type { FeatureCollection } from 'geojson';

export type LayerSource =
  /** A folder of decompressed .hgt tiles in the skadi layout (`N46/N46E007.hgt`). */
  | { kind: 'hgt-folder'; path: string }
  /** Specific .hgt files. */
  | { kind: 'hgt-files'; paths: readonly string[] }
  | { kind: 'geotiff'; path: string }
  | { kind: 'geojson'; path: string }
  | { kind: 'features'; data: FeatureCollection };

export interface LayerDefinition {
  /** Unique name, as used in LAYERS / TYPENAMES / COVERAGEID: letters, digits, `_`, `-`, `.`. */
  name: string;
  title: string;
  abstract?: string;
  kind: 'raster' | 'vector';
  source: LayerSource;
  /** [west, south, east, north] in WGS84, when known. */
  bbox?: [number, number, number, number];
  /** Default style name (e.g. `hillshade` for rasters). */
  style?: string;
  keywords?: readonly string[];
}

export interface PublishedLayer extends LayerDefinition {
  owner: string;
  published: string;
}

/** What a change listener is told: which layer, and whether it is now there or gone. */
export interface LayerChange {
  name: string;
  change: 'published' | 'unpublished';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

export class LayerRegistry {
  readonly #layers = new Map<string, PublishedLayer>();
  readonly #events = new EventEmitter();
  #revision = 0;

  publish(layer: LayerDefinition, owner = 'core'): PublishedLayer {
    if (!NAME.test(layer.name)) {
      throw new TypeError(`Layer name must match ${NAME}, got ${JSON.stringify(layer.name)}`);
    }
    const existing = this.#layers.get(layer.name);
    if (existing !== undefined && existing.owner !== owner) {
      throw new Error(`Layer ${layer.name} is already published by ${existing.owner}`);
    }
    const published: PublishedLayer = { ...layer, owner, published: new Date().toISOString() };
    this.#layers.set(layer.name, published);
    this.#changed({ name: layer.name, change: 'published' });
    return published;
  }

  unpublish(name: string, owner?: string): boolean {
    const layer = this.#layers.get(name);
    if (layer === undefined || (owner !== undefined && layer.owner !== owner)) return false;
    this.#layers.delete(name);
    this.#changed({ name, change: 'unpublished' });
    return true;
  }

  get(name: string): PublishedLayer | undefined {
    return this.#layers.get(name);
  }

  list(): PublishedLayer[] {
    return [...this.#layers.values()];
  }

  /** Increases on every change: caches of capabilities documents key on it. */
  get revision(): number {
    return this.#revision;
  }

  /** Calls `listener` after each publish (a replacement too) and unpublish. */
  onChange(listener: (change: LayerChange) => void): () => void {
    this.#events.on('change', listener);
    return () => this.#events.off('change', listener);
  }

  #changed(change: LayerChange): void {
    this.#revision++;
    this.#events.emit('change', change);
  }
}
