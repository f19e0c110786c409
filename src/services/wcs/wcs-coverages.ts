/**
 * The coverages WCS offers: the raster layers of the LayerRegistry this request may read, each
 * with its native grid. Access control is asked through `readable` only, so capabilities,
 * DescribeCoverage and GetCoverage agree on what a client sees. A layer without data (an empty
 * tile folder) has no grid to describe and is not offered until tiles arrive.
 */
import type { PublishedLayer } from '../../layers/layer-registry.ts';
import type { RasterSource } from '../../raster/raster-types.ts';
import { isRasterSource } from '../../raster/raster-types.ts';
import { describeRasterSource, type RasterSourceInfo } from '../../raster/source-info.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import { coverageGrid, type GridWindow } from './wcs-grid.ts';

export type RasterLayer = PublishedLayer & { source: RasterSource };

export interface Coverage {
  /** The CoverageId (WCS 2.0) or coverage name (WCS 1.0): the layer name. */
  id: string;
  layer: RasterLayer;
  info: RasterSourceInfo;
  /** The native grid of the whole coverage. */
  grid: GridWindow;
}

export function isRasterLayer(layer: PublishedLayer): layer is RasterLayer {
  return layer.kind === 'raster' && isRasterSource(layer.source);
}

export class CoverageCatalog {
  readonly #context: MapServicesContext;

  constructor(context: MapServicesContext) {
    this.#context = context;
  }

  /** Every coverage the request may read, in publication order; unreadable sources are logged. */
  async list(ctx: RequestContext): Promise<Coverage[]> {
    const layers = this.#context.accessControl.readable(
      ctx,
      this.#context.layers.list().filter(isRasterLayer),
    ) as RasterLayer[];
    const coverages = await Promise.all(
      layers.map(async (layer) => {
        try {
          return await describe(layer);
        } catch (err) {
          ctx.log.warn({ err, layer: layer.name }, 'raster layer cannot be described; not offered');
          return undefined;
        }
      }),
    );
    return coverages.filter((c): c is Coverage => c !== undefined);
  }

  /** The coverage named `id`, or undefined when it is unknown, hidden or has no data. */
  async find(ctx: RequestContext, id: string): Promise<Coverage | undefined> {
    const layer = this.#context.layers.get(id);
    if (layer === undefined || !isRasterLayer(layer)) return undefined;
    if (this.#context.accessControl.readable(ctx, [layer]).length === 0) return undefined;
    return describe(layer);
  }
}

async function describe(layer: RasterLayer): Promise<Coverage | undefined> {
  const info = await describeRasterSource(layer.source);
  const grid = coverageGrid(info);
  return grid === undefined ? undefined : { id: layer.name, layer, info, grid };
}
