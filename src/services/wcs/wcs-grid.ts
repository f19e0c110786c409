/**
 * Grids of coverages: a layer's native grid (what DescribeCoverage states and GetCoverage
 * returns without scaling) and the transforms between the two CRSs GetCoverage answers in.
 * Values are exact where the grid allows it: HGT grids have 1/1200° or 1/3600° pixels, so
 * their edges and sample centres are multiples of half a pixel, and sums like
 * `west - half + half` would otherwise carry float noise into documents and GeoTIFF tags.
 */
import {
  latToMercatorY,
  lonToMercatorX,
  mercatorXToLon,
  mercatorYToLat,
  WEB_MERCATOR_EXTENT,
} from '../../raster/raster-crs.ts';
import type { RasterBbox, RasterCrs } from '../../raster/raster-types.ts';
import { nativeGrid, type RasterSourceInfo } from '../../raster/source-info.ts';

/** A regular grid: the outer edges of its pixels (x first) and its size in pixels. */
export interface GridWindow {
  crs: RasterCrs;
  bbox: RasterBbox;
  width: number;
  height: number;
}

/** The latitude of EPSG:3857's north edge (±85.0511…°). */
export const MERCATOR_MAX_LAT = mercatorYToLat(WEB_MERCATOR_EXTENT);

/**
 * `value` made exact when the pixel size is 1/n of a unit and `value` lies (within float noise)
 * on a multiple of half a pixel: then it is m / 2n, computed in one correctly rounded division.
 */
export function exact(value: number, resolution: number): number {
  const n = Math.round(1 / resolution);
  if (n < 1 || Math.abs(1 / resolution - n) > 1e-9 * n) return value;
  const m = Math.round(value * 2 * n);
  return Math.abs(value * 2 * n - m) < 1e-6 ? m / (2 * n) : value;
}

/** The whole native pixels covering `bbox` (in info.crs), with exact edges. */
export function snappedGrid(info: RasterSourceInfo, bbox: RasterBbox): GridWindow {
  const grid = nativeGrid(info, bbox);
  const [resX, resY] = info.resolution;
  const [minX, minY, maxX, maxY] = grid.bbox;
  return {
    crs: info.crs,
    bbox: [exact(minX, resX), exact(minY, resY), exact(maxX, resX), exact(maxY, resY)],
    width: grid.width,
    height: grid.height,
  };
}

/** The coverage's native grid; undefined when the source has no data (an empty folder). */
export function coverageGrid(info: RasterSourceInfo): GridWindow | undefined {
  return info.bbox === null ? undefined : snappedGrid(info, info.bbox);
}

/** Pixel size (x, y) of a grid, both positive. */
export function resolutionOf(grid: GridWindow): [number, number] {
  const [minX, minY, maxX, maxY] = grid.bbox;
  return [(maxX - minX) / grid.width, (maxY - minY) / grid.height];
}

/** The centre of the north-west pixel, x first: the origin of a GML RectifiedGrid. */
export function firstPixelCentre(grid: GridWindow): [number, number] {
  const [resX, resY] = resolutionOf(grid);
  return [exact(grid.bbox[0] + resX / 2, resX), exact(grid.bbox[3] - resY / 2, resY)];
}

/**
 * One axis's coordinate range taken from one CRS to the other. Both CRSs are separable (x
 * depends on longitude only, y on latitude only), so a bbox maps axis by axis; latitudes are
 * clamped to the Web Mercator square first.
 */
export function transformRange(
  axis: 'x' | 'y',
  range: readonly [number, number],
  from: RasterCrs,
  to: RasterCrs,
): [number, number] {
  if (from === to) return [range[0], range[1]];
  if (to === 'EPSG:3857') {
    if (axis === 'x') return [lonToMercatorX(range[0]), lonToMercatorX(range[1])];
    const clamp = (lat: number) => Math.max(-MERCATOR_MAX_LAT, Math.min(MERCATOR_MAX_LAT, lat));
    return [latToMercatorY(clamp(range[0])), latToMercatorY(clamp(range[1]))];
  }
  return axis === 'x'
    ? [mercatorXToLon(range[0]), mercatorXToLon(range[1])]
    : [mercatorYToLat(range[0]), mercatorYToLat(range[1])];
}

export function transformBbox(bbox: RasterBbox, from: RasterCrs, to: RasterCrs): RasterBbox {
  if (from === to) return bbox;
  const [minX, maxX] = transformRange('x', [bbox[0], bbox[2]], from, to);
  const [minY, maxY] = transformRange('y', [bbox[1], bbox[3]], from, to);
  return [minX, minY, maxX, maxY];
}

/** The intersection of two bboxes; undefined when they do not overlap. */
export function intersectBbox(a: RasterBbox, b: RasterBbox): RasterBbox | undefined {
  const out: RasterBbox = [
    Math.max(a[0], b[0]),
    Math.max(a[1], b[1]),
    Math.min(a[2], b[2]),
    Math.min(a[3], b[3]),
  ];
  return out[0] < out[2] && out[1] < out[3] ? out : undefined;
}
