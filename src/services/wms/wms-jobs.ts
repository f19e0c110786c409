/** The main-thread side of wms-worker.ts: typed calls, each one job on the shared pool. */
import type { RunOptions, WorkerPool } from '../../pool/worker-pool.ts';
import type { RasterBbox, RasterSource } from '../../raster/raster-types.ts';
import type { RgbaLayer } from './image-output.ts';
import { packedBuffers } from './packed-geometries.ts';
import type { RenderVectorInput } from './wms-worker.ts';

export const WMS_WORKER = new URL('./wms-worker.ts', import.meta.url);

/** The packed geometries are transferred: `input.geometries` is unusable afterwards. */
export function renderVectorOnPool(
  pool: WorkerPool,
  input: RenderVectorInput,
  options: Omit<RunOptions, 'transferList'> = {},
): Promise<RgbaLayer> {
  return pool.run(WMS_WORKER, 'renderVectorLayer', input, {
    ...options,
    transferList: packedBuffers(input.geometries),
  });
}

export function rasterExtentOnPool(
  pool: WorkerPool,
  source: RasterSource,
): Promise<RasterBbox | null> {
  return pool.run(WMS_WORKER, 'rasterSourceExtent', { source });
}
