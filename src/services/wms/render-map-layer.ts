/**
 * One layer of a map as RGBA on the map's grid, rendered on the shared pool: raster layers by
 * the raster module in their style, vector layers by wms-worker.ts from the features the
 * request may see in the map's box. null: nothing to draw.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { PublishedLayer } from '../../layers/layer-registry.ts';
import { renderRasterOnPool } from '../../raster/raster-jobs.ts';
import { isRasterSource } from '../../raster/raster-types.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import type { VectorStore } from '../../vector/vector-store.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import type { RgbaLayer } from './image-output.ts';
import type { MapLayer } from './map-request.ts';
import { pixelBoxToLonLat, type MapGrid } from './map-grid.ts';
import { packGeometries } from './packed-geometries.ts';
import { featuresInBox } from './vector-features.ts';
import { POINT_RADIUS } from './vector-svg.ts';
import { renderVectorOnPool } from './wms-jobs.ts';

export async function renderMapLayer(
  context: MapServicesContext,
  store: VectorStore,
  ctx: RequestContext,
  { layer, style }: MapLayer,
  grid: MapGrid,
): Promise<RgbaLayer | null> {
  if (style.kind === 'vector') {
    // Features just outside the map still reach into it with their stroke or symbol.
    const pad = style.paint.strokeWidth / 2 + POINT_RADIUS + 1;
    const box = pixelBoxToLonLat(grid, -pad, -pad, grid.width + pad, grid.height + pad);
    const { dataset, positions } = await featuresInBox(context, store, ctx, layer, box);
    if (positions.length === 0) return null;
    const geometries = packGeometries(positions.map((p) => dataset.featureAt(p).geometry));
    return renderVectorOnPool(
      context.pool,
      { geometries, grid, paint: style.paint },
      { signal: ctx.signal },
    );
  }
  if (!isRasterSource(layer.source)) throw unrenderable(ctx, layer, 'not a raster source');
  try {
    return await renderRasterOnPool(
      context.pool,
      { request: { source: layer.source, ...grid }, style: style.name },
      { signal: ctx.signal },
    );
  } catch (error) {
    // Nobody waits for the map any more: not a fault of the layer.
    if (ctx.signal.aborted) throw error;
    throw unrenderable(ctx, layer, error);
  }
}

function unrenderable(ctx: RequestContext, layer: PublishedLayer, cause: unknown) {
  ctx.log.error({ err: cause, layer: layer.name }, 'raster layer cannot be rendered');
  return new ServiceException(
    'NoApplicableCode',
    `Layer ${layer.name} cannot be rendered`,
    undefined,
    500,
    { cause },
  );
}
