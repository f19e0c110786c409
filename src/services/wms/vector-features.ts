/**
 * The features of a vector layer a request may see inside a WGS84 box, read through the shared
 * vector store (its per-feature boxes settle most features in four comparisons) and narrowed by
 * the access-control feature filter. Unreadable data becomes a NoApplicableCode answer that
 * names the layer but not its files; the cause is logged.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { PublishedLayer } from '../../layers/layer-registry.ts';
import type { RasterBbox } from '../../raster/raster-types.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import { positionsIntersecting } from '../../vector/bbox-filter.ts';
import type { VectorDataset, VectorStore } from '../../vector/vector-store.ts';
import type { MapServicesContext } from '../map-services-context.ts';

export interface FoundFeatures {
  dataset: VectorDataset;
  /** Positions in the dataset, ascending (collection order). */
  positions: number[];
}

export async function vectorDataset(
  store: VectorStore,
  ctx: RequestContext,
  layer: PublishedLayer,
): Promise<VectorDataset> {
  try {
    return await store.dataset(layer);
  } catch (error) {
    ctx.log.error({ err: error, layer: layer.name }, 'vector layer data cannot be read');
    throw new ServiceException(
      'NoApplicableCode',
      `The data of layer ${layer.name} cannot be read`,
      undefined,
      500,
      { cause: error },
    );
  }
}

/** Features whose geometry intersects `box`, in collection order, access control applied. */
export async function featuresInBox(
  context: MapServicesContext,
  store: VectorStore,
  ctx: RequestContext,
  layer: PublishedLayer,
  box: RasterBbox,
): Promise<FoundFeatures> {
  const dataset = await vectorDataset(store, ctx, layer);
  const allowed = context.accessControl.featureFilter(ctx, layer);
  const positions: number[] = [];
  for (const position of positionsIntersecting(dataset, [box[0], box[1], box[2], box[3]])) {
    if (allowed === undefined || allowed(dataset.featureAt(position))) positions.push(position);
  }
  return { dataset, positions };
}
