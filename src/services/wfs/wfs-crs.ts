/**
 * The CRSs the WFS serves features in, and the axis order each spelling implies. Features are
 * stored in WGS84 longitude/latitude; WGS84 (EPSG:4326) is every feature type's default CRS and
 * Web Mercator (EPSG:3857) the one other, projected on the fly.
 *
 * Axis order follows the spelling, as GeoServer and GDAL read it:
 * - `urn:ogc:def:crs:EPSG::4326` (and `urn:x-ogc:…`, `http://www.opengis.net/def/crs/EPSG/0/4326`):
 *   latitude, longitude, as EPSG defines the CRS. This is the advertised DefaultCRS/DefaultSRS,
 *   so it also applies to a BBOX without a CRS and to GML written without SRSNAME.
 * - `EPSG:4326`, `http://www.opengis.net/gml/srs/epsg.xml#4326`, `CRS:84` and the OGC CRS84
 *   URIs: longitude, latitude.
 * - EPSG:3857 in any spelling: easting, northing.
 * GeoJSON is always written longitude/latitude (or easting/northing), whatever the spelling.
 */
import type { Position } from 'geojson';
import type { Extent } from '../../vector/feature-index.ts';

export interface Crs {
  readonly epsg: 4326 | 3857;
  /** True when the first axis is north (latitude). */
  readonly northFirst: boolean;
  /** The srsName to write: the spelling the client used, or the default URN. */
  readonly name: string;
}

export const WGS84_URN = 'urn:ogc:def:crs:EPSG::4326';
export const WEB_MERCATOR_URN = 'urn:ogc:def:crs:EPSG::3857';
export const DEFAULT_CRS: Crs = { epsg: 4326, northFirst: true, name: WGS84_URN };

const URN = /^urn:(?:x-)?ogc:def:crs:EPSG:[\d.]*:(\d+)$/i;
const OGC_URL = /^https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/[^/]+\/(\d+)$/i;
const SHORT = /^EPSG:(\d+)$/i;
const GML_URL = /^https?:\/\/www\.opengis\.net\/gml\/srs\/epsg\.xml#(\d+)$/i;
const CRS84 = [
  /^CRS:84$/i,
  /^urn:ogc:def:crs:OGC:[\d.]*:CRS84$/i,
  /^https?:\/\/www\.opengis\.net\/def\/crs\/OGC\/[^/]+\/CRS84$/i,
];

/** The CRS a name denotes, or undefined when it is not one this server serves. */
export function parseCrs(text: string): Crs | undefined {
  const name = text.trim();
  if (CRS84.some((pattern) => pattern.test(name))) return { epsg: 4326, northFirst: false, name };
  for (const [pattern, epsgOrder] of [
    [URN, true],
    [OGC_URL, true],
    [SHORT, false],
    [GML_URL, false],
  ] as const) {
    const code = pattern.exec(name)?.[1];
    if (code === undefined) continue;
    if (code === '4326') return { epsg: 4326, northFirst: epsgOrder, name };
    if (code === '3857' || code === '900913') return { epsg: 3857, northFirst: false, name };
    return undefined;
  }
  return undefined;
}

const EARTH_RADIUS = 6378137;
const MAX_MERCATOR_LATITUDE = 85.0511287798066;

/** A WGS84 position in `crs`, axes in the CRS's own order (x east / y north; no swap). */
export function project(crs: Crs, position: Position): [number, number] {
  const lon = position[0] as number;
  const lat = position[1] as number;
  if (crs.epsg === 4326) return [lon, lat];
  const clamped = Math.max(-MAX_MERCATOR_LATITUDE, Math.min(MAX_MERCATOR_LATITUDE, lat));
  return [
    (lon * Math.PI * EARTH_RADIUS) / 180,
    Math.log(Math.tan(Math.PI / 4 + (clamped * Math.PI) / 360)) * EARTH_RADIUS,
  ];
}

/**
 * A box given in `crs` as the four BBOX numbers in that spelling's axis order, as a WGS84
 * [west, south, east, north]. Mercator maps boxes to boxes, so the corners suffice.
 */
export function boxToWgs84(crs: Crs, values: readonly [number, number, number, number]): Extent {
  const [a, b, c, d] = values;
  const [west, south, east, north] = crs.northFirst ? [b, a, d, c] : [a, b, c, d];
  if (crs.epsg === 4326) return [west, south, east, north];
  const lon = (x: number) => (x * 180) / (Math.PI * EARTH_RADIUS);
  const lat = (y: number) => (Math.atan(Math.exp(y / EARTH_RADIUS)) * 360) / Math.PI - 90;
  return [lon(west), lat(south), lon(east), lat(north)];
}
