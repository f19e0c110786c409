/**
 * Pool worker functions of the map services: reading windows, rendering them to RGBA and
 * encoding them as GeoTIFF, each in one job so heights never cross threads needlessly. Loaded
 * with require() in the pool's threads (no top-level await, no import.meta); the per-thread
 * decoded-row cache makes repeated jobs on a thread cheap. The main-thread side is
 * raster-jobs.ts. Large results are transferred to the main thread, not copied.
 */
import type { WorkerTools } from '../pool/pool-job.ts';
import type { TileCacheOptions, TileCacheStats } from './decoded-tile-cache.ts';
import { configureTileCache, tileCacheStats } from './decoded-tile-cache.ts';
import { encodeGeoTiffInt16, geoTiffFromWindow } from './geotiff-writer.ts';
import type { RasterWindow, RasterWindowRequest } from './raster-types.ts';
import { readRasterWindow } from './read-window.ts';
import type { RasterStyle, RasterStyleName } from './styles.ts';
import { renderRaster, styleMargin } from './styles.ts';
import { transferResult } from '../pool/transfer-result.ts';

/** Every input may carry cache settings: applied to the thread's cache before the job. */
interface WithCache {
  cache?: TileCacheOptions;
}

export interface RenderRasterInput extends WithCache {
  /** The map's grid; its `margin` is ignored (the style decides: 1 for hillshade). */
  request: RasterWindowRequest;
  style: RasterStyle | RasterStyleName;
}

export interface RenderRasterOutput {
  width: number;
  height: number;
  /** width × height × 4 bytes, RGBA, row 0 = north; nodata is transparent. */
  rgba: Uint8Array;
}

export interface ReadWindowInput extends WithCache {
  request: RasterWindowRequest;
}

export interface EncodeGeoTiffInput extends WithCache {
  /** Read at this grid and written as an Int16 GeoTIFF (the margin, if any, is cropped). */
  request: RasterWindowRequest;
}

// `tools` is absent in direct calls (tests); a cancelled job stops between reading and drawing.
export async function renderRasterRGBA(
  input: RenderRasterInput,
  tools?: WorkerTools,
): Promise<RenderRasterOutput> {
  applyCache(input);
  tools?.throwIfCancelled();
  const window = await readRasterWindow({ ...input.request, margin: styleMargin(input.style) });
  tools?.throwIfCancelled();
  const image = renderRaster(window, input.style);
  const rgba = new Uint8Array(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength);
  return transferResult({ width: image.width, height: image.height, rgba }, [rgba.buffer]);
}

export async function readWindow(
  input: ReadWindowInput,
  tools?: WorkerTools,
): Promise<RasterWindow> {
  applyCache(input);
  tools?.throwIfCancelled();
  const window = await readRasterWindow(input.request);
  return transferResult(window, [window.values.buffer]);
}

export async function encodeGeoTiff(
  input: EncodeGeoTiffInput,
  tools?: WorkerTools,
): Promise<Uint8Array> {
  applyCache(input);
  tools?.throwIfCancelled();
  const window = await readRasterWindow(input.request);
  tools?.throwIfCancelled();
  const bytes = encodeGeoTiffInt16(geoTiffFromWindow(window));
  return transferResult(bytes, [bytes.buffer]);
}

/** This thread's cache counters (each pool thread has its own cache). */
export function rasterCacheStats(input: WithCache = {}): TileCacheStats {
  applyCache(input);
  return tileCacheStats();
}

function applyCache(input: WithCache): void {
  if (input.cache !== undefined) configureTileCache(input.cache);
}
