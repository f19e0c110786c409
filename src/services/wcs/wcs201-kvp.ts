/**
 * The WCS 2.0.1 GetCoverage KVP parameters beyond COVERAGEID (OGC 09-147r3 and the CRS
 * extension, OGC 11-053r1): SUBSET trims and slices (`Lat(46.5,46.6)`, `Long(*,7.5)`,
 * `Lat(46.5)`, with axis URIs, quoted values and the 2.0.0 `axis,crs(…)` form), SUBSETTINGCRS,
 * OUTPUTCRS, FORMAT and MEDIATYPE. Syntax is checked here; whether values fit the coverage is
 * decided with the coverage in wcs201-get-coverage.ts. Scaling is in wcs201-scaling.ts.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { RasterCrs } from '../../raster/raster-types.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import { axisOf, parseCrs } from './wcs-crs.ts';
import { wcs20Exception } from './wcs-exceptions.ts';
import { owsDecimal } from '../ows-numbers.ts';

export interface Subset {
  axis: 'x' | 'y';
  /** The label as the client wrote it, for messages and locators. */
  label: string;
  /** A CRS given inside the subset (WCS 2.0.0 KVP); SUBSETTINGCRS otherwise. */
  crs: RasterCrs | undefined;
  /** Trim bounds (undefined: `*`, open), or for a slice both the slice point. */
  low: number | undefined;
  high: number | undefined;
  slice: boolean;
}

/**
 * Every SUBSET value. WCS 2.0 KVP repeats SUBSET once per axis (GDAL and OWSLib send
 * `SUBSET=Long(…)&SUBSET=Lat(…)`); OwsParameters keeps a repeated name's first value unless it
 * offers `getAll`, so every value is read where the parameters keep them.
 */
export function subsetValues(parameters: OwsParameters): string[] {
  const all = (parameters as OwsParameters & { getAll?(name: string): readonly string[] }).getAll;
  if (typeof all === 'function') return [...all.call(parameters, 'SUBSET')];
  const one = parameters.get('SUBSET');
  return one === undefined ? [] : [one];
}

const SUBSET =
  /^\s*([^\s,()]+)\s*(?:,\s*([^()]+?)\s*)?\(\s*([^(),]*?)\s*(?:,\s*([^(),]*?)\s*)?\)\s*$/;

export function parseSubsets(values: readonly string[]): Subset[] {
  const subsets: Subset[] = [];
  for (const value of values) {
    const match = SUBSET.exec(value);
    if (match === null) {
      throw new ServiceException(
        'InvalidEncodingSyntax',
        `SUBSET "${value}" is not axis(low,high) or axis(point), e.g. Lat(46.5,46.6)`,
        'subset',
      );
    }
    const [, label = '', crsText, first = '', second] = match;
    const axis = axisOf(label);
    if (axis === undefined) {
      throw wcs20Exception(
        'InvalidAxisLabel',
        `The coverage has no axis "${label}"; its axes are Lat and Long (or x and y)`,
        label,
      );
    }
    if (subsets.some((s) => s.axis === axis)) {
      throw wcs20Exception('InvalidSubsetting', `Axis "${label}" is subset twice`, label);
    }
    const crs = crsText === undefined ? undefined : parseCrs(crsText);
    if (crsText !== undefined && crs === undefined) {
      throw wcs20Exception(
        'SubsettingCrs-NotSupported',
        `The subsetting CRS "${crsText}" is not supported`,
        crsText,
      );
    }
    const slice = second === undefined;
    const low = bound(first, label, slice);
    const high = slice ? low : bound(second, label, false);
    if (low !== undefined && high !== undefined && low > high) {
      throw wcs20Exception(
        'InvalidSubsetting',
        `SUBSET ${label}: the lower bound ${low} is above the upper bound ${high}`,
        label,
      );
    }
    subsets.push({ axis, label, crs, low, high, slice });
  }
  return subsets;
}

function bound(text: string, label: string, slice: boolean): number | undefined {
  const value = text.replace(/^"(.*)"$/, '$1').trim();
  if (value === '*' && !slice) return undefined;
  const number = owsDecimal(value);
  if (!Number.isFinite(number)) {
    throw wcs20Exception(
      'InvalidSubsetting',
      `SUBSET ${label}: "${text}" is not a coordinate${slice ? '' : ' or *'}`,
      label,
    );
  }
  return number;
}

/** SUBSETTINGCRS or OUTPUTCRS; undefined when absent. */
export function crsParameter(
  parameters: OwsParameters,
  name: 'SUBSETTINGCRS' | 'OUTPUTCRS',
): RasterCrs | undefined {
  const text = parameters.get(name)?.trim();
  if (text === undefined || text === '') return undefined;
  const crs = parseCrs(text);
  if (crs === undefined) {
    throw wcs20Exception(
      name === 'OUTPUTCRS' ? 'OutputCrs-NotSupported' : 'SubsettingCrs-NotSupported',
      `${name} "${text}" is not supported; use http://www.opengis.net/def/crs/EPSG/0/4326 or …/3857`,
      name === 'OUTPUTCRS' ? 'outputCrs' : 'subsettingCrs',
    );
  }
  return crs;
}

const GEOTIFF_FORMATS = new Set([
  'image/tiff',
  'image/geotiff',
  'image/tiff;application=geotiff',
  'application/geotiff',
  'application/x-geotiff',
  'geotiff',
  'gtiff',
]);

/** FORMAT (default image/tiff) and MEDIATYPE: the answer is always a bare GeoTIFF. */
export function checkFormat(parameters: OwsParameters): void {
  const format = parameters.get('FORMAT')?.trim();
  if (format !== undefined && format !== '') {
    if (!GEOTIFF_FORMATS.has(format.toLowerCase().replace(/\s+/g, ''))) {
      throw new ServiceException(
        'InvalidParameterValue',
        `FORMAT "${format}" is not offered; GetCoverage answers image/tiff (GeoTIFF)`,
        'format',
      );
    }
  }
  const mediaType = parameters.get('MEDIATYPE')?.trim();
  if (mediaType !== undefined && mediaType !== '') {
    throw new ServiceException(
      'OptionNotSupported',
      `MEDIATYPE "${mediaType}" is not offered; GetCoverage answers the GeoTIFF alone`,
      'mediaType',
    );
  }
}
