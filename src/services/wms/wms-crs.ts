/**
 * The reference systems the WMS offers and their axis orders. WMS 1.3.0 follows the EPSG
 * definition, so EPSG:4326 coordinates (BBOX, BoundingBox) are latitude first; CRS:84 and
 * every 1.1.1 SRS are longitude first. Everything inside Relief is x (longitude, easting) first:
 * this module is the one place that swaps.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import {
  latToMercatorY,
  lonToMercatorX,
  mercatorXToLon,
  mercatorYToLat,
} from '../../raster/raster-crs.ts';
import type { RasterBbox, RasterCrs } from '../../raster/raster-types.ts';
import type { WmsVersion } from './wms-versions.ts';
import { owsDecimal } from '../ows-numbers.ts';

export type WmsCrs = 'EPSG:4326' | 'CRS:84' | 'EPSG:3857';

/** What each version lists, in capabilities order. */
export const WMS_CRS_LIST: Record<WmsVersion, readonly WmsCrs[]> = {
  '1.3.0': ['EPSG:4326', 'CRS:84', 'EPSG:3857'],
  '1.1.1': ['EPSG:4326', 'EPSG:3857'],
};

/** Spellings clients use for the same systems (old Web Mercator codes included). */
const ALIASES: Record<string, WmsCrs> = {
  'EPSG:4326': 'EPSG:4326',
  'CRS:84': 'CRS:84',
  'EPSG:3857': 'EPSG:3857',
  'EPSG:900913': 'EPSG:3857',
  'EPSG:3785': 'EPSG:3857',
  'EPSG:102100': 'EPSG:3857',
};

/** Latitudes beyond which Web Mercator is not drawn (the EPSG:3857 world square). */
export const MERCATOR_MAX_LATITUDE = 85.0511287798066;

/** `CRS` in 1.3.0, `SRS` in 1.1.1. */
export function crsParameter(version: WmsVersion): 'CRS' | 'SRS' {
  return version === '1.3.0' ? 'CRS' : 'SRS';
}

/** The grid the raster module and the renderers work on: CRS:84 is the EPSG:4326 grid. */
export function gridCrs(crs: WmsCrs): RasterCrs {
  return crs === 'EPSG:3857' ? 'EPSG:3857' : 'EPSG:4326';
}

/** True where the version writes this CRS latitude first. */
export function isLatitudeFirst(version: WmsVersion, crs: WmsCrs): boolean {
  return version === '1.3.0' && crs === 'EPSG:4326';
}

/**
 * The CRS named by the request (`CRS` in 1.3.0, `SRS` in 1.1.1; the other spelling is accepted
 * too, as QGIS Server does). InvalidCRS / InvalidSRS for a system the version does not offer.
 */
export function parseCrs(version: WmsVersion, value: string | undefined): WmsCrs {
  const parameter = crsParameter(version);
  if (value === undefined || value.trim() === '') {
    throw new ServiceException(
      'MissingParameterValue',
      `The ${parameter} parameter is required`,
      parameter,
    );
  }
  const crs = ALIASES[value.trim().toUpperCase()];
  if (crs === undefined || (version === '1.1.1' && crs === 'CRS:84')) {
    throw new ServiceException(
      version === '1.3.0' ? 'InvalidCRS' : 'InvalidSRS',
      `${parameter} ${value} is not offered; use one of ${WMS_CRS_LIST[version].join(', ')}`,
      parameter,
    );
  }
  return crs;
}

/** BBOX as the client wrote it, turned x first; InvalidParameterValue (locator BBOX) if bad. */
export function parseBbox(version: WmsVersion, crs: WmsCrs, value: string | undefined): RasterBbox {
  if (value === undefined || value.trim() === '') {
    throw new ServiceException('MissingParameterValue', 'The BBOX parameter is required', 'BBOX');
  }
  const parts = value.split(',');
  const numbers = parts.map(owsDecimal);
  if (numbers.length !== 4 || !numbers.every(Number.isFinite)) {
    throw new ServiceException(
      'InvalidParameterValue',
      'BBOX must be four numbers: minx,miny,maxx,maxy',
      'BBOX',
    );
  }
  const [a, b, c, d] = numbers as [number, number, number, number];
  if (!(a < c && b < d)) {
    throw new ServiceException(
      'InvalidParameterValue',
      'BBOX minimum values must be less than the maximum values',
      'BBOX',
    );
  }
  return isLatitudeFirst(version, crs) ? [b, a, d, c] : [a, b, c, d];
}

/** A WGS84 [west, south, east, north] in `crs`, x first (Mercator latitudes clamped). */
export function fromWgs84(box: RasterBbox, crs: WmsCrs): RasterBbox {
  if (crs !== 'EPSG:3857') return box;
  const clamp = (lat: number) =>
    Math.max(-MERCATOR_MAX_LATITUDE, Math.min(MERCATOR_MAX_LATITUDE, lat));
  return [
    lonToMercatorX(box[0]),
    latToMercatorY(clamp(box[1])),
    lonToMercatorX(box[2]),
    latToMercatorY(clamp(box[3])),
  ];
}

/** A grid bbox (x first) as WGS84 [west, south, east, north]. */
export function toWgs84(box: RasterBbox, crs: RasterCrs): RasterBbox {
  if (crs !== 'EPSG:3857') return box;
  return [
    mercatorXToLon(box[0]),
    mercatorYToLat(box[1]),
    mercatorXToLon(box[2]),
    mercatorYToLat(box[3]),
  ];
}

/** An x-first bbox in the version's axis order for this CRS, as BBOX / BoundingBox write it. */
export function inAxisOrder(version: WmsVersion, crs: WmsCrs, box: RasterBbox): RasterBbox {
  return isLatitudeFirst(version, crs) ? [box[1], box[0], box[3], box[2]] : box;
}
