/**
 * Pool worker function of the WMS capabilities: a raster source's extent (folder listings and
 * file headers). Loaded with require() in the pool's threads; the main-thread side is
 * wms-jobs.ts. Maps are drawn by map-image-worker.ts.
 */
import type { RasterBbox, RasterSource } from '../../raster/raster-types.ts';
import { describeRasterSource } from '../../raster/source-info.ts';

/** The WGS84 [west, south, east, north] of a raster source's data; null when it has none. */
export async function rasterSourceExtent(input: {
  source: RasterSource;
}): Promise<RasterBbox | null> {
  return (await describeRasterSource(input.source)).wgs84Bbox;
}
