/**
 * The shapes the raster module exchanges: which source to read, the grid to read it onto, and the
 * Int16 window that comes back. Everything here is plain structured-cloneable data, so requests
 * and windows travel to and from pool workers unchanged.
 */
import type { LayerSource } from '../layers/layer-registry.ts';

/** The value of pixels without data: outside the source, in a missing tile, or void. */
export const RASTER_NODATA = -32768;

/**
 * The CRS of an output grid. 'EPSG:4326': a regular longitude/latitude grid (degrees).
 * 'EPSG:3857': a regular Web Mercator grid (metres); each row's latitude is the inverse Mercator
 * of its y. CRS:84 is the same grid as EPSG:4326 here (see RasterBbox for axis order).
 */
export type RasterCrs = 'EPSG:4326' | 'EPSG:3857';

/**
 * [minX, minY, maxX, maxY] in the CRS's x/y order: west longitude, south latitude, east
 * longitude, north latitude for EPSG:4326; metres for EPSG:3857. Always x (easting) first: the
 * lat/lon axis order of WMS 1.3.0 EPSG:4326 BBOX and WCS subsets is the service's to swap.
 */
export type RasterBbox = readonly [number, number, number, number];

/** The layer sources this module reads. */
export type RasterSource = Extract<LayerSource, { kind: 'hgt-folder' | 'hgt-files' | 'geotiff' }>;

export function isRasterSource(source: LayerSource): source is RasterSource {
  return source.kind === 'hgt-folder' || source.kind === 'hgt-files' || source.kind === 'geotiff';
}

/**
 * How a pixel gets its value from the source samples. 'nearest': the sample nearest the pixel
 * centre. 'bilinear': the four samples around it, weighted by distance; voids among them are
 * left out (weights renormalised), and the pixel is nodata whenever its nearest sample is, so
 * both methods give the same nodata mask.
 */
export type Resampling = 'nearest' | 'bilinear';

export interface RasterWindowRequest {
  source: RasterSource;
  crs: RasterCrs;
  /** The outer edges of the window's pixels, x first (see RasterBbox). */
  bbox: RasterBbox;
  /** Pixels across and down the bbox. */
  width: number;
  height: number;
  /** Default 'nearest'. */
  resampling?: Resampling;
  /**
   * Extra pixels read on every side, at the same pixel size (default 0): hillshading needs the
   * neighbours of the edge pixels, so adjacent map tiles shade seamlessly with `margin: 1`.
   */
  margin?: number;
}

/**
 * Heights on a regular grid. `values` has width × height pixels INCLUDING the margin, and
 * `bbox` is their outer edges (the requested bbox grown by `margin` pixels on every side); the
 * requested pixel (column, row) is at values[(row + margin) · width + column + margin].
 */
export interface RasterWindow {
  width: number;
  height: number;
  /** Row-major, row 0 = north; metres, RASTER_NODATA where there is no data. */
  values: Int16Array;
  nodata: number;
  bbox: RasterBbox;
  crs: RasterCrs;
  /** Border pixels on every side beyond the requested window. */
  margin: number;
  /**
   * Ground size of a pixel in metres (x, y) at the latitude of the window's centre, on the mean
   * Earth sphere; for z-factors. hillshade.ts computes its own per-row sizes from the grid.
   */
  pixelSizeMetres: [number, number];
}
