/**
 * The main-thread side of raster-worker.ts: typed calls that run the raster work on the shared
 * pool, for the WMS and WCS services. Each call is one pool job.
 */
import type { RunOptions, WorkerPool } from '../pool/worker-pool.ts';
import type { TileCacheStats } from './decoded-tile-cache.ts';
import type {
  EncodeGeoTiffInput,
  ReadWindowInput,
  RenderRasterInput,
  RenderRasterOutput,
} from './raster-worker.ts';
import type { RasterWindow } from './raster-types.ts';
import { moduleUrl } from '../server/module-url.ts';

export const RASTER_WORKER = moduleUrl('./raster-worker.ts', import.meta.url);

/** The map's pixels in a style, RGBA (GetMap); encode them with sharp to PNG or JPEG. */
export function renderRasterOnPool(
  pool: WorkerPool,
  input: RenderRasterInput,
  options?: RunOptions,
): Promise<RenderRasterOutput> {
  return pool.run(RASTER_WORKER, 'renderRasterRGBA', input, options);
}

/** The heights of a window (GetFeatureInfo: a 1×1 window from pixelRequest). */
export function readWindowOnPool(
  pool: WorkerPool,
  input: ReadWindowInput,
  options?: RunOptions,
): Promise<RasterWindow> {
  return pool.run(RASTER_WORKER, 'readWindow', input, options);
}

/** An Int16 GeoTIFF of a window, the whole file (GetCoverage). */
export function encodeGeoTiffOnPool(
  pool: WorkerPool,
  input: EncodeGeoTiffInput,
  options?: RunOptions,
): Promise<Uint8Array> {
  return pool.run(RASTER_WORKER, 'encodeGeoTiff', input, options);
}

/** The cache counters of whichever pool thread runs the job (each thread has its own cache). */
export function rasterCacheStatsOnPool(pool: WorkerPool): Promise<TileCacheStats> {
  return pool.run(RASTER_WORKER, 'rasterCacheStats', {});
}
