/** The main-thread side of the WMS pool workers: typed calls, each one job on the shared pool. */
import type { RunOptions, WorkerPool } from '../../pool/worker-pool.ts';
import type { RasterBbox, RasterSource } from '../../raster/raster-types.ts';
import type { RenderMapImageInput, RenderMapImageResult } from './map-image-worker.ts';
import { packedBuffers } from './packed-geometries.ts';
import { moduleUrl } from '../../server/module-url.ts';

export const WMS_WORKER = moduleUrl('./wms-worker.ts', import.meta.url);
export const MAP_IMAGE_WORKER = moduleUrl('./map-image-worker.ts', import.meta.url);

/** The vector layers' packed geometries are transferred: unusable in `input` afterwards. */
export function renderMapImageOnPool(
  pool: WorkerPool,
  input: RenderMapImageInput,
  options: Omit<RunOptions, 'transferList'> = {},
): Promise<RenderMapImageResult> {
  const transferList = input.layers.flatMap((layer) =>
    layer.kind === 'vector' ? packedBuffers(layer.geometries) : [],
  );
  return pool.run(MAP_IMAGE_WORKER, 'renderMapImage', input, { ...options, transferList });
}

export function rasterExtentOnPool(
  pool: WorkerPool,
  source: RasterSource,
): Promise<RasterBbox | null> {
  return pool.run(WMS_WORKER, 'rasterSourceExtent', { source });
}
