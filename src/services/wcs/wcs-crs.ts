/**
 * The CRSs and axes WCS clients name: CRS identifiers in the forms GDAL, OWSLib and QGIS send
 * (OGC http URIs, URNs, `EPSG:n`), and axis labels mapped to the grid axis they address, so
 * `Long`, `x`, `E` and the OGC axis URIs all reach the same column axis.
 */
import type { RasterCrs } from '../../raster/raster-types.ts';

/** The CRSs GetCoverage can answer in (what the raster module can read onto). */
export const WCS_CRSS: readonly RasterCrs[] = ['EPSG:4326', 'EPSG:3857'];

export const CRS_URI: Readonly<Record<RasterCrs, string>> = {
  'EPSG:4326': 'http://www.opengis.net/def/crs/EPSG/0/4326',
  'EPSG:3857': 'http://www.opengis.net/def/crs/EPSG/0/3857',
};

/**
 * Axis labels and units in the CRS's own axis order (EPSG:4326 is latitude first), as
 * gml:Envelope and the grid describe them.
 */
export const CRS_AXES: Readonly<Record<RasterCrs, { labels: [string, string]; uom: string }>> = {
  'EPSG:4326': { labels: ['Lat', 'Long'], uom: 'deg' },
  'EPSG:3857': { labels: ['X', 'Y'], uom: 'm' },
};

/** True when the CRS lists its y (northing/latitude) axis first. */
export function yFirst(crs: RasterCrs): boolean {
  return crs === 'EPSG:4326';
}

const CODES: Readonly<Record<string, RasterCrs>> = {
  '4326': 'EPSG:4326',
  CRS84: 'EPSG:4326',
  '3857': 'EPSG:3857',
  '900913': 'EPSG:3857',
  '3785': 'EPSG:3857',
};

/**
 * The CRS an identifier names, or undefined. CRS:84 is the same grid here (axis order only
 * matters for labelled subsets and BBOX, which name their axes themselves).
 */
export function parseCrs(text: string): RasterCrs | undefined {
  const value = text.trim();
  const patterns = [
    /^https?:\/\/www\.opengis\.net\/def\/crs\/(?:EPSG\/[^/]+|OGC\/[^/]+)\/([A-Za-z0-9]+)$/i,
    /^urn:ogc:def:crs:(?:EPSG|OGC):[^:]*:([A-Za-z0-9]+)$/i,
    /^(?:EPSG|CRS):([A-Za-z0-9]+)$/i,
  ];
  for (const pattern of patterns) {
    const code = pattern.exec(value)?.[1];
    if (code !== undefined) return CODES[code.toUpperCase()];
  }
  return undefined;
}

const AXIS_PREFIX = /^https?:\/\/www\.opengis\.net\/def\/axis\/OGC\/[^/]+\//i;
const X_AXES = new Set(['long', 'lon', 'longitude', 'x', 'e', 'easting', 'i']);
const Y_AXES = new Set(['lat', 'latitude', 'y', 'n', 'northing', 'j']);

/** The grid axis a label addresses: 'x' (columns) or 'y' (rows); undefined if unknown. */
export function axisOf(label: string): 'x' | 'y' | undefined {
  const name = label.trim().replace(AXIS_PREFIX, '').toLowerCase();
  if (X_AXES.has(name)) return 'x';
  if (Y_AXES.has(name)) return 'y';
  return undefined;
}
