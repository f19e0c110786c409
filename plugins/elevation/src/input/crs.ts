/**
 * The coordinate reference systems an area may be given in, by any of their usual names (the
 * `crs` request parameter or a legacy GeoJSON `crs` member), and the spherical Mercator inverse.
 *
 * EPSG:4326 is taken in lon/lat order whatever the spelling, as GeoJSON mandates (the URN form
 * officially has lat/lon order, but GeoJSON writers do not follow it).
 */
import { AreaError } from './area-error.ts';

export type CrsKind = 'wgs84' | 'web-mercator';

/** Half the extent of EPSG:3857 in metres (π × R). */
export const MERCATOR_MAX = 20037508.3427892;
const EARTH_RADIUS = 6378137;
const DEGREES = 180 / Math.PI;

const EPSG_CODES: Record<string, CrsKind> = {
  '4326': 'wgs84',
  '3857': 'web-mercator',
  '3785': 'web-mercator',
  '900913': 'web-mercator',
  '102100': 'web-mercator',
  '102113': 'web-mercator',
};

/** Patterns whose first group is an EPSG (or ESRI) code. */
const CODE_PATTERNS = [
  /^(?:EPSG|ESRI):(\d+)$/i,
  /^urn:ogc:def:crs:(?:EPSG|ESRI):[\d.]*:(\d+)$/i,
  /^https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/[\d.]+\/(\d+)$/i,
  /^https?:\/\/www\.opengis\.net\/gml\/srs\/epsg\.xml#(\d+)$/i,
];
const CRS84_PATTERNS = [
  /^(?:OGC:)?CRS:?84$/i,
  /^urn:ogc:def:crs:OGC:[\d.]*:CRS:?84$/i,
  /^https?:\/\/www\.opengis\.net\/def\/crs\/OGC\/[\d.]+\/CRS:?84$/i,
];

const SUPPORTED = 'use EPSG:4326 (CRS:84) or EPSG:3857';

/** The kind of a CRS name, or undefined when it is not one we support. */
export function crsKind(name: string): CrsKind | undefined {
  const trimmed = name.trim();
  if (CRS84_PATTERNS.some((pattern) => pattern.test(trimmed))) return 'wgs84';
  for (const pattern of CODE_PATTERNS) {
    const code = pattern.exec(trimmed)?.[1];
    if (code !== undefined) return EPSG_CODES[String(Number(code))];
  }
  return undefined;
}

/** Resolves a CRS name, or throws an AreaError at `locator`. */
export function resolveCrs(name: string, locator: string): CrsKind {
  const kind = crsKind(name);
  if (kind === undefined) throw new AreaError(`unsupported CRS "${name}": ${SUPPORTED}`, locator);
  return kind;
}

/**
 * The CRS named by a legacy (2008) GeoJSON `crs` member: `{"type": "name", "properties":
 * {"name": "EPSG:3857"}}`, or the older `{"type": "EPSG", "properties": {"code": 3857}}`.
 */
export function resolveCrsMember(member: unknown, locator: string): CrsKind {
  const { type, properties } = isRecord(member) ? member : {};
  const props = isRecord(properties) ? properties : {};
  if (type === 'name' && typeof props['name'] === 'string') {
    return resolveCrs(props['name'], `${locator}.properties.name`);
  }
  if (type === 'EPSG' && (typeof props['code'] === 'number' || typeof props['code'] === 'string')) {
    return resolveCrs(`EPSG:${props['code']}`, `${locator}.properties.code`);
  }
  if (type === 'link') {
    throw new AreaError(`linked CRS definitions are not supported: ${SUPPORTED}`, locator);
  }
  throw new AreaError(
    'the crs member must be {"type": "name", "properties": {"name": "EPSG:4326"}}',
    locator,
  );
}

/** Spherical Mercator (EPSG:3857) metres to WGS84 degrees [lon, lat]. */
export function mercatorToWgs84(x: number, y: number): [number, number] {
  return [(x / EARTH_RADIUS) * DEGREES, Math.atan(Math.sinh(y / EARTH_RADIUS)) * DEGREES];
}

/** WGS84 degrees to spherical Mercator metres (the forward transform, for tests and checks). */
export function wgs84ToMercator(lon: number, lat: number): [number, number] {
  const phi = lat / DEGREES;
  return [(lon / DEGREES) * EARTH_RADIUS, Math.atanh(Math.sin(phi)) * EARTH_RADIUS];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
