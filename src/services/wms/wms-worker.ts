/**
 * Pool worker functions of the WMS: drawing a vector layer (SVG built here, rasterised by sharp)
 * and finding a raster source's extent for capabilities (folder listings and file headers).
 * Loaded with require() in the pool's threads (no top-level await, no import.meta); the
 * main-thread side is wms-jobs.ts. Pixels are transferred back, not copied.
 */
import { Piscina } from 'piscina';
import sharp from 'sharp';
import type { WorkerTools } from '../../pool/pool-job.ts';
import type { RasterBbox, RasterSource } from '../../raster/raster-types.ts';
import { describeRasterSource } from '../../raster/source-info.ts';
import type { RgbaLayer } from './image-output.ts';
import type { VectorPaint } from './layer-styles.ts';
import type { MapGrid } from './map-grid.ts';
import type { PackedGeometries } from './packed-geometries.ts';
import { vectorSvg } from './vector-svg.ts';

export interface RenderVectorInput {
  /** The features' geometries, already narrowed to the map's box (packGeometries). */
  geometries: PackedGeometries;
  grid: MapGrid;
  paint: VectorPaint;
}

/** `tools` is absent in direct calls; a cancelled job stops before and after drawing the SVG. */
export async function renderVectorLayer(
  input: RenderVectorInput,
  tools?: WorkerTools,
): Promise<RgbaLayer> {
  const { grid } = input;
  tools?.throwIfCancelled();
  const svg = vectorSvg(input.geometries, grid, input.paint);
  tools?.throwIfCancelled();
  // The SVG is ours (numbers and parsed colours only), so librsvg's size limits can go.
  const { data, info } = await sharp(Buffer.from(svg), { unlimited: true })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== grid.width || info.height !== grid.height || info.channels !== 4) {
    throw new Error(`The vector layer rendered ${info.width}×${info.height}×${info.channels}`);
  }
  // sharp's buffer may not be transferable (external memory): one copy into our own.
  const rgba = new Uint8Array(data.byteLength);
  rgba.set(data);
  return transfer({ width: info.width, height: info.height, rgba }, [rgba.buffer]);
}

/** The WGS84 [west, south, east, north] of a raster source's data; null when it has none. */
export async function rasterSourceExtent(input: {
  source: RasterSource;
}): Promise<RasterBbox | null> {
  return (await describeRasterSource(input.source)).wgs84Bbox;
}

/** As in raster-worker.ts: transfer `buffers` when running in a pool thread. */
function transfer<T>(value: T, buffers: ArrayBufferLike[]): T {
  if (!Piscina.isWorkerThread) return value;
  const movable = { [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: value };
  return Piscina.move(movable as never) as T;
}
