/**
 * What capabilities say about each layer: names, texts, styles with their legend sizes and the
 * WGS84 extent, from the layer's own `bbox` when it has one, else from its data: a vector
 * layer's feature extent (vector store), a raster source's tiles or file header (read on the
 * pool). Extents are remembered per published layer object, so republishing refreshes them.
 * Data that cannot be read is logged and the layer listed with the world's extent.
 */
import type { PublishedLayer } from '../../layers/layer-registry.ts';
import { isRasterSource, type RasterBbox } from '../../raster/raster-types.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import type { VectorStore } from '../../vector/vector-store.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import { resolveLayerStyle, styleNames, styleTitle } from './layer-styles.ts';
import { legendSize } from './legend.ts';
import { rasterExtentOnPool } from './wms-jobs.ts';

export interface WmsLayerSummary {
  name: string;
  title: string;
  abstract: string | undefined;
  keywords: readonly string[];
  /** [west, south, east, north]. */
  wgs84: RasterBbox;
  styles: Array<{ name: string; title: string; legend: { width: number; height: number } }>;
}

const WORLD: RasterBbox = [-180, -90, 180, 90];

export class LayerSummaries {
  readonly #extents = new WeakMap<PublishedLayer, Promise<RasterBbox>>();
  readonly #context: MapServicesContext;
  readonly #store: VectorStore;

  constructor(context: MapServicesContext, store: VectorStore) {
    this.#context = context;
    this.#store = store;
  }

  async of(ctx: RequestContext, layers: readonly PublishedLayer[]): Promise<WmsLayerSummary[]> {
    return Promise.all(
      layers.map(async (layer) => ({
        name: layer.name,
        title: layer.title,
        abstract: layer.abstract,
        keywords: layer.keywords ?? [],
        wgs84: await this.#extent(ctx, layer),
        styles: styleNames(layer).map((name) => ({
          name,
          title: styleTitle(name),
          legend: legendSize(resolveLayerStyle(layer, name, 'STYLE')),
        })),
      })),
    );
  }

  #extent(ctx: RequestContext, layer: PublishedLayer): Promise<RasterBbox> {
    if (layer.bbox !== undefined) return Promise.resolve(clampToWorld(layer.bbox));
    let extent = this.#extents.get(layer);
    if (extent === undefined) {
      extent = this.#dataExtent(layer).then(clampToWorld, (error: unknown) => {
        ctx.log.warn(
          { err: error, layer: layer.name },
          'layer extent unknown; listed as the world',
        );
        return WORLD;
      });
      this.#extents.set(layer, extent);
    }
    return extent;
  }

  async #dataExtent(layer: PublishedLayer): Promise<RasterBbox> {
    if (layer.kind === 'vector') {
      return (await this.#store.dataset(layer)).extent ?? WORLD;
    }
    if (!isRasterSource(layer.source)) return WORLD;
    return (await rasterExtentOnPool(this.#context.pool, layer.source)) ?? WORLD;
  }
}

/** Sources may reach half a sample beyond ±180°/±90°; capabilities' schemas do not. */
function clampToWorld([west, south, east, north]: RasterBbox): RasterBbox {
  const clamp = (value: number, limit: number) => Math.max(-limit, Math.min(limit, value));
  return [clamp(west, 180), clamp(south, 90), clamp(east, 180), clamp(north, 90)];
}
