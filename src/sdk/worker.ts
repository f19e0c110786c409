/**
 * `relief/worker`: the public API for code that runs on the server's worker pool (a plugin's
 * worker modules), and for any code that reads or writes terrain: HGT tile names and rows,
 * GeoTIFF writing, hillshading, moving buffers back to the main thread, and the tools (progress,
 * cancellation, stepping aside) a worker function receives. Nothing here touches the server, so
 * a worker module importing it stays small to load. Everything else under src/ is internal.
 */
export type { WorkerFunction, WorkerTools } from '../pool/pool-job.ts';
export { JobCancelledError } from '../pool/pool-job.ts';
export { transferResult } from '../pool/transfer-result.ts';
export { DirtyBytes, OverlappedFlush } from '../storage/write-sync.ts';

export {
  hgtTileBounds,
  hgtTileDir,
  hgtTileKey,
  hgtTileName,
  hgtTileOfFileName,
  isHgtTileId,
  parseHgtTileName,
  skadiPath,
} from '../raster/hgt-tile-name.ts';
export type { HgtTileId } from '../raster/hgt-tile-name.ts';
export { hgtSamplesOf, readHgtRows, readHgtTile, withOpenFile } from '../raster/hgt-tile-reader.ts';
export type { HgtSamples, HgtTile } from '../raster/hgt-tile-reader.ts';
export { HGT_ROW_BLOCK, withHgtRows } from '../raster/hgt-row-reader.ts';
export type { HgtRowReader } from '../raster/hgt-row-reader.ts';
/** The value of a void HGT sample, and of pixels without data in Relief's rasters: -32768. */
export { RASTER_NODATA as HGT_VOID, RASTER_NODATA } from '../raster/raster-types.ts';
export type { RasterBbox, RasterCrs, RasterWindow } from '../raster/raster-types.ts';

export {
  encodeGeoTiffInt16,
  openGeoTiffInt16Writer,
  writeGeoTiffInt16,
} from '../raster/geotiff-writer.ts';
export type {
  GeoTiffInt16,
  GeoTiffInt16Header,
  GeoTiffInt16Writer,
} from '../raster/geotiff-writer.ts';
export { DEFAULT_HILLSHADE, hillshade } from '../raster/hillshade.ts';
export type { HillshadeOptions } from '../raster/hillshade.ts';
