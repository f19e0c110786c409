/**
 * The maths of the two output grids: Web Mercator to and from longitude/latitude, the pixel
 * centres of a window (per column and per row, since both CRSs are separable: x depends on the
 * longitude only, y on the latitude only), and the ground size of pixels.
 */
import type { RasterBbox, RasterCrs } from './raster-types.ts';

/** The sphere radius of EPSG:3857 (the WGS84 semi-major axis). */
export const WEB_MERCATOR_RADIUS = 6_378_137;
/** x and y of EPSG:3857 span ±this (the world square: latitude ±85.0511°). */
export const WEB_MERCATOR_EXTENT = Math.PI * WEB_MERCATOR_RADIUS;
/** Ground distances are measured on the mean Earth sphere (IUGG R1). */
export const MEAN_EARTH_RADIUS = 6_371_008.8;
const METRES_PER_DEGREE = (MEAN_EARTH_RADIUS * Math.PI) / 180;
const DEGREES = 180 / Math.PI;

export function mercatorXToLon(x: number): number {
  return (x / WEB_MERCATOR_RADIUS) * DEGREES;
}

export function mercatorYToLat(y: number): number {
  return (2 * Math.atan(Math.exp(y / WEB_MERCATOR_RADIUS)) - Math.PI / 2) * DEGREES;
}

export function lonToMercatorX(lon: number): number {
  return (lon / DEGREES) * WEB_MERCATOR_RADIUS;
}

/** ±Infinity at the poles. */
export function latToMercatorY(lat: number): number {
  return Math.log(Math.tan(Math.PI / 4 + lat / DEGREES / 2)) * WEB_MERCATOR_RADIUS;
}

export interface PixelCentres {
  /** Longitude of each column's pixel centres, west to east. */
  lons: Float64Array;
  /** Latitude of each row's pixel centres, north to south. */
  lats: Float64Array;
}

/**
 * Pixel centres of a grid of `width` × `height` pixels over `bbox`, grown by `margin` pixels on
 * every side (so `width + 2·margin` columns).
 */
export function pixelCentres(
  crs: RasterCrs,
  bbox: RasterBbox,
  width: number,
  height: number,
  margin = 0,
): PixelCentres {
  const [minX, minY, maxX, maxY] = bbox;
  const resX = (maxX - minX) / width;
  const resY = (maxY - minY) / height;
  const lons = new Float64Array(width + 2 * margin);
  const lats = new Float64Array(height + 2 * margin);
  const mercator = crs === 'EPSG:3857';
  for (let i = 0; i < lons.length; i++) {
    const x = minX + (i - margin + 0.5) * resX;
    lons[i] = mercator ? mercatorXToLon(x) : x;
  }
  for (let j = 0; j < lats.length; j++) {
    const y = maxY - (j - margin + 0.5) * resY;
    lats[j] = mercator ? mercatorYToLat(y) : y;
  }
  return { lons, lats };
}

/**
 * Ground size in metres (x, y) of a pixel of `res` CRS units (x, y) at `lat`. A Web Mercator
 * pixel's ground size is its projected size times cos(lat) (conformal: the same on both axes).
 */
export function groundPixelSize(
  crs: RasterCrs,
  res: [number, number],
  lat: number,
): [number, number] {
  const cos = Math.cos(lat / DEGREES);
  if (crs === 'EPSG:3857') {
    const scale = (cos * MEAN_EARTH_RADIUS) / WEB_MERCATOR_RADIUS;
    return [res[0] * scale, res[1] * scale];
  }
  return [res[0] * METRES_PER_DEGREE * cos, res[1] * METRES_PER_DEGREE];
}

/** Pixel size in CRS units (x, y) of a grid. */
export function pixelResolution(bbox: RasterBbox, width: number, height: number): [number, number] {
  return [(bbox[2] - bbox[0]) / width, (bbox[3] - bbox[1]) / height];
}

/** The latitude of the bbox's centre (the inverse Mercator of the centre y for EPSG:3857). */
export function centreLatitude(crs: RasterCrs, bbox: RasterBbox): number {
  const y = (bbox[1] + bbox[3]) / 2;
  return crs === 'EPSG:3857' ? mercatorYToLat(y) : y;
}
