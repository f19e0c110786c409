/**
 * readRasterWindow: the heights of a raster source on a regular output grid, the one data access
 * the map services need (WMS GetMap and GetFeatureInfo, WCS GetCoverage). Pure code for pool
 * workers: it reads files through the per-thread decoded-row cache (decoded-tile-cache.ts).
 *
 * Each output pixel takes the sample nearest its centre (or a bilinear blend): the pixel centres
 * are computed once per column (longitude) and once per row (latitude; the inverse Mercator for
 * EPSG:3857), then each source grid maps them to its own columns and rows, and the fill is plain
 * indexing. Pixels outside the world, outside the source or on void samples are RASTER_NODATA.
 * Not handled: windows crossing the antimeridian (longitudes beyond ±180 are nodata).
 */
export { cropMargin } from './crop-margin.ts';
import { fillFromGrid } from './grid-sampler.ts';
import { geotiffPieces } from './geotiff-source.ts';
import { hgtPieces } from './hgt-source.ts';
import { centreLatitude, groundPixelSize, pixelCentres, pixelResolution } from './raster-crs.ts';
import type { RasterBbox, RasterWindow, RasterWindowRequest } from './raster-types.ts';
import { RASTER_NODATA, isRasterSource } from './raster-types.ts';

/** Largest number of pixels (margin included) one window may have: 64 MiB of Int16. */
export const MAX_WINDOW_PIXELS = 32 * 1024 * 1024;
export const MAX_MARGIN = 16;

/**
 * The window `request` describes. Async because GeoTIFFs are read through the `geotiff`
 * package's promise API; HGT tiles are read synchronously underneath.
 */
export async function readRasterWindow(request: RasterWindowRequest): Promise<RasterWindow> {
  checkRequest(request);
  const { source, crs, bbox, resampling = 'nearest' } = request;
  const margin = request.margin ?? 0;
  const width = request.width + 2 * margin;
  const height = request.height + 2 * margin;
  const values = new Int16Array(width * height).fill(RASTER_NODATA);
  const centres = pixelCentres(crs, bbox, request.width, request.height, margin);
  const pieces =
    source.kind === 'geotiff'
      ? await geotiffPieces(source.path, centres)
      : hgtPieces(source, centres);
  for (const piece of pieces) await fillFromGrid(values, width, piece, resampling);

  const res = pixelResolution(bbox, request.width, request.height);
  const outer: RasterBbox = [
    bbox[0] - margin * res[0],
    bbox[1] - margin * res[1],
    bbox[2] + margin * res[0],
    bbox[3] + margin * res[1],
  ];
  return {
    width,
    height,
    values,
    nodata: RASTER_NODATA,
    bbox: outer,
    crs,
    margin,
    pixelSizeMetres: groundPixelSize(crs, res, centreLatitude(crs, bbox)),
  };
}

/**
 * The request for the single pixel (column, row) of a `request` grid, e.g. for GetFeatureInfo's
 * I and J: read it with readRasterWindow and take values[0].
 */
export function pixelRequest(
  request: RasterWindowRequest,
  column: number,
  row: number,
): RasterWindowRequest {
  const [minX, , , maxY] = request.bbox;
  const [resX, resY] = pixelResolution(request.bbox, request.width, request.height);
  const { margin: _margin, ...rest } = request;
  return {
    ...rest,
    bbox: [
      minX + column * resX,
      maxY - (row + 1) * resY,
      minX + (column + 1) * resX,
      maxY - row * resY,
    ],
    width: 1,
    height: 1,
  };
}

function checkRequest(request: RasterWindowRequest): void {
  const { source, crs, bbox, width, height, margin = 0, resampling = 'nearest' } = request;
  if (typeof source !== 'object' || source === null || !isRasterSource(source)) {
    const kind = (source as { kind?: unknown } | null)?.kind;
    throw new TypeError(`Not a raster source: ${JSON.stringify(kind)}`);
  }
  if (crs !== 'EPSG:4326' && crs !== 'EPSG:3857') {
    throw new RangeError(`Unsupported raster CRS ${String(crs)}: use EPSG:4326 or EPSG:3857`);
  }
  if (
    !Array.isArray(bbox) ||
    bbox.length !== 4 ||
    !bbox.every(Number.isFinite) ||
    !(bbox[0] < bbox[2] && bbox[1] < bbox[3])
  ) {
    throw new RangeError(
      `bbox must be [minX, minY, maxX, maxY] with min < max, got ${JSON.stringify(bbox)}`,
    );
  }
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
  if (!Number.isInteger(margin) || margin < 0 || margin > MAX_MARGIN) {
    throw new RangeError(`margin must be an integer in [0, ${MAX_MARGIN}], got ${margin}`);
  }
  if ((width + 2 * margin) * (height + 2 * margin) > MAX_WINDOW_PIXELS) {
    throw new RangeError(
      `A window of ${width}×${height} pixels is larger than ${MAX_WINDOW_PIXELS}`,
    );
  }
  if (resampling !== 'nearest' && resampling !== 'bilinear') {
    throw new RangeError(`resampling must be nearest or bilinear, got ${String(resampling)}`);
  }
}
