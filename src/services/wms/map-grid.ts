/**
 * The output grid of a map (GetMap image, GetFeatureInfo's map) and its two directions:
 * longitude/latitude to pixel coordinates (for drawing vector features and measuring distances
 * in pixels) and pixel to longitude/latitude (for the point GetFeatureInfo asks about). Plain
 * data and pure functions, so the grid travels to pool workers unchanged.
 */
import {
  latToMercatorY,
  lonToMercatorX,
  mercatorXToLon,
  mercatorYToLat,
} from '../../raster/raster-crs.ts';
import type { RasterBbox, RasterCrs } from '../../raster/raster-types.ts';

export interface MapGrid {
  crs: RasterCrs;
  /** Outer edges of the pixels, x first (metres for EPSG:3857). */
  bbox: RasterBbox;
  width: number;
  height: number;
}

/** Latitudes are clamped here so that Mercator y stays finite near the poles. */
const MAX_LATITUDE = 89.999;

/** [x, y] in pixels (0, 0 = the north-west corner of the image) of a longitude/latitude. */
export function pixelProjector(grid: MapGrid): (lon: number, lat: number) => [number, number] {
  const [minX, minY, maxX, maxY] = grid.bbox;
  const scaleX = grid.width / (maxX - minX);
  const scaleY = grid.height / (maxY - minY);
  if (grid.crs === 'EPSG:3857') {
    return (lon, lat) => [
      (lonToMercatorX(lon) - minX) * scaleX,
      (maxY - latToMercatorY(Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)))) * scaleY,
    ];
  }
  return (lon, lat) => [(lon - minX) * scaleX, (maxY - lat) * scaleY];
}

/** The longitude/latitude of a point given in pixels (fractions allowed; 0.5 = a centre). */
export function pixelToLonLat(grid: MapGrid, x: number, y: number): [number, number] {
  const [minX, minY, maxX, maxY] = grid.bbox;
  const gx = minX + (x * (maxX - minX)) / grid.width;
  const gy = maxY - (y * (maxY - minY)) / grid.height;
  return grid.crs === 'EPSG:3857' ? [mercatorXToLon(gx), mercatorYToLat(gy)] : [gx, gy];
}

/** The WGS84 [west, south, east, north] of a pixel rectangle (x0 < x1, y0 < y1 in pixels). */
export function pixelBoxToLonLat(
  grid: MapGrid,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): RasterBbox {
  // Both grids are separable and monotonic: corners suffice.
  const [west, north] = pixelToLonLat(grid, x0, y0);
  const [east, south] = pixelToLonLat(grid, x1, y1);
  return [west, south, east, north];
}
