/**
 * The main thread's part of drawing a map's layers: what map-image-worker.ts needs for each
 * layer. Raster layers go as their source and style; vector layers as the geometries of the
 * features the request may see in (and just around) the map, packed into transferable arrays.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { PublishedLayer } from '../../layers/layer-registry.ts';
import { isRasterSource } from '../../raster/raster-types.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import type { VectorStore } from '../../vector/vector-store.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import type { MapImageLayer } from './map-image-worker.ts';
import type { MapLayer } from './map-request.ts';
import { pixelBoxToLonLat, type MapGrid } from './map-grid.ts';
import { packGeometries } from './packed-geometries.ts';
import { featuresInBox } from './vector-features.ts';
import { POINT_RADIUS } from './vector-svg.ts';

export async function mapImageLayer(
  context: MapServicesContext,
  store: VectorStore,
  ctx: RequestContext,
  { layer, style }: MapLayer,
  grid: MapGrid,
): Promise<MapImageLayer> {
  if (style.kind === 'vector') {
    // Features just outside the map still reach into it with their stroke or symbol.
    const pad = style.paint.strokeWidth / 2 + POINT_RADIUS + 1;
    const box = pixelBoxToLonLat(grid, -pad, -pad, grid.width + pad, grid.height + pad);
    const { dataset, positions } = await featuresInBox(context, store, ctx, layer, box);
    const geometries = packGeometries(positions.map((p) => dataset.featureAt(p).geometry));
    return { kind: 'vector', geometries, paint: style.paint };
  }
  if (!isRasterSource(layer.source)) {
    throw unrenderableLayer(ctx, layer, 'not a raster source');
  }
  return { kind: 'raster', source: layer.source, style: style.name };
}

/** A layer whose data cannot be read: logged with the cause, a 500 for the client. */
export function unrenderableLayer(
  ctx: RequestContext,
  layer: PublishedLayer,
  cause: unknown,
): ServiceException {
  ctx.log.error({ err: cause, layer: layer.name }, 'raster layer cannot be rendered');
  return new ServiceException(
    'NoApplicableCode',
    `Layer ${layer.name} cannot be rendered`,
    undefined,
    500,
    { cause },
  );
}
