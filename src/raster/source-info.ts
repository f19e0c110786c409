/**
 * What a raster source covers and at which resolution, for capabilities (bounding boxes) and WCS
 * (DescribeCoverage's grid, GetCoverage at native resolution): `describeRasterSource`, then
 * `nativeGrid` to turn a subset into the window of whole source pixels that covers it.
 */
import { statSync } from 'node:fs';
import { describeGeoTiff } from './geotiff-source.ts';
import { hgtSourceIndex } from './hgt-tile-index.ts';
import { hgtSamplesOf } from './hgt-tile-reader.ts';
import { mercatorXToLon, mercatorYToLat } from './raster-crs.ts';
import type { RasterBbox, RasterCrs, RasterSource } from './raster-types.ts';
import { RASTER_NODATA } from './raster-types.ts';

export interface RasterSourceInfo {
  /** The CRS of the source's own grid; HGT tiles are EPSG:4326. */
  crs: RasterCrs;
  /** Outer edges of the source's pixels in `crs`; null when it has no data (an empty folder). */
  bbox: RasterBbox | null;
  /** The same as [west, south, east, north] in degrees. */
  wgs84Bbox: RasterBbox | null;
  /** Pixel size (x, y) in `crs` units; for HGT, one sample step of the finest tile. */
  resolution: [number, number];
  /** The outer north-west corner of a pixel of the native grid (pixel edges lie on it). */
  origin: [number, number];
  /** What readRasterWindow returns where there is no data. */
  nodata: number;
}

export async function describeRasterSource(source: RasterSource): Promise<RasterSourceInfo> {
  if (source.kind === 'geotiff') {
    const grid = await describeGeoTiff(source.path);
    const bbox: RasterBbox = [
      grid.west,
      grid.north - grid.height * grid.resY,
      grid.west + grid.width * grid.resX,
      grid.north,
    ];
    return {
      crs: grid.crs,
      bbox,
      wgs84Bbox: grid.crs === 'EPSG:3857' ? mercatorToWgs84(bbox) : bbox,
      resolution: [grid.resX, grid.resY],
      origin: [grid.west, grid.north],
      nodata: RASTER_NODATA,
    };
  }
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  let samples = 0;
  for (const [key, path] of hgtSourceIndex(source)) {
    const size = statSync(path, { throwIfNoEntry: false })?.size;
    const tileSamples = size === undefined ? undefined : hgtSamplesOf(size);
    if (tileSamples === undefined) continue;
    samples = Math.max(samples, tileSamples);
    const lon = (key % 360) - 180;
    const lat = Math.floor(key / 360) - 90;
    west = Math.min(west, lon);
    east = Math.max(east, lon + 1);
    south = Math.min(south, lat);
    north = Math.max(north, lat + 1);
  }
  const step = 1 / ((samples || 3601) - 1);
  const half = step / 2;
  // Pixel centres on the samples: the edges lie half a step around them.
  const bbox: RasterBbox | null =
    samples === 0 ? null : [west - half, south - half, east + half, north + half];
  return {
    crs: 'EPSG:4326',
    bbox,
    wgs84Bbox: bbox,
    resolution: [step, step],
    origin: [-180 - half, 90 + half],
    nodata: RASTER_NODATA,
  };
}

/**
 * The window of whole native pixels covering `bbox` (in info.crs, x first): the bbox snapped
 * outward to the native grid, and its size in pixels. Read it with readRasterWindow in info.crs
 * and nearest resampling to get the source's own values. Not clipped to the source's bbox.
 */
export function nativeGrid(
  info: RasterSourceInfo,
  bbox: RasterBbox,
): { bbox: RasterBbox; width: number; height: number } {
  const [resX, resY] = info.resolution;
  const [originX, originY] = info.origin;
  const epsilon = 1e-6; // of a pixel: absorbs float noise in bboxes given on the pixel edges
  const first = Math.floor((bbox[0] - originX) / resX + epsilon);
  const last = Math.ceil((bbox[2] - originX) / resX - epsilon);
  const top = Math.floor((originY - bbox[3]) / resY + epsilon);
  const bottom = Math.ceil((originY - bbox[1]) / resY - epsilon);
  const width = Math.max(1, last - first);
  const height = Math.max(1, bottom - top);
  return {
    bbox: [
      originX + first * resX,
      originY - (top + height) * resY,
      originX + (first + width) * resX,
      originY - top * resY,
    ],
    width,
    height,
  };
}

function mercatorToWgs84([minX, minY, maxX, maxY]: RasterBbox): RasterBbox {
  return [mercatorXToLon(minX), mercatorYToLat(minY), mercatorXToLon(maxX), mercatorYToLat(maxY)];
}
