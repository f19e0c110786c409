/**
 * The plain KVP parameters of a feature query, read and checked one by one: SRSNAME, BBOX,
 * RESOURCEID/FEATUREID, PROPERTYNAME lists, counts and RESULTTYPE. Each failure is an OGC
 * exception that names the parameter.
 */
import type { Extent } from '../../vector/feature-index.ts';
import { ServiceException } from '../../errors/service-exception.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import { owsDecimal } from '../ows-numbers.ts';
import { boxToWgs84, DEFAULT_CRS, parseCrs, type Crs } from './wfs-crs.ts';
import { parseGroups, splitList } from './wfs-feature-types.ts';
import type { BoxCondition } from './wfs-filter.ts';

export function readCrs(srsName: string | undefined): Crs {
  if (srsName === undefined || srsName.trim() === '') return DEFAULT_CRS;
  const crs = parseCrs(srsName);
  if (crs === undefined) {
    throw new ServiceException(
      'InvalidParameterValue',
      `SRSNAME ${srsName} is not supported; use urn:ogc:def:crs:EPSG::4326 or urn:ogc:def:crs:EPSG::3857`,
      'srsName',
    );
  }
  return crs;
}

/** BBOX=a,b,c,d[,crs]: four numbers in the axis order of the CRS (default: lat,lon). */
export function readBbox(value: string): BoxCondition {
  const parts = value.split(',').map((part) => part.trim());
  const numbers = parts.slice(0, 4).map(owsDecimal);
  if ((parts.length !== 4 && parts.length !== 5) || !numbers.every(Number.isFinite)) {
    throw new ServiceException(
      'InvalidParameterValue',
      'BBOX must be four numbers optionally followed by a CRS: minx,miny,maxx,maxy[,crs]',
      'BBOX',
    );
  }
  const crsName = parts[4];
  const crs = crsName === undefined ? DEFAULT_CRS : parseCrs(crsName);
  if (crs === undefined) {
    throw new ServiceException(
      'InvalidParameterValue',
      `The BBOX CRS ${crsName} is not supported`,
      'BBOX',
    );
  }
  return { crs, values: numbers as [number, number, number, number] };
}

export function checkedBox(crs: Crs, values: BoxCondition['values']): Extent {
  const extent = boxToWgs84(crs, values);
  const [west, south, east, north] = extent;
  if (!(west <= east && south <= north)) {
    const order = crs.northFirst ? 'minlat,minlon,maxlat,maxlon' : 'minx,miny,maxx,maxy';
    throw new ServiceException(
      'InvalidParameterValue',
      `The BBOX minimum exceeds its maximum; in ${crs.name} the order is ${order}`,
      'BBOX',
    );
  }
  return extent;
}

export function readIds(parameters: OwsParameters): string[] | undefined {
  const value = parameters.get('RESOURCEID') ?? parameters.get('FEATUREID');
  return value === undefined ? undefined : splitList(value);
}

export function readPropertyGroups(
  value: string | undefined,
  queries: number,
): string[][] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let groups;
  try {
    groups = parseGroups(value);
  } catch (error) {
    throw new ServiceException('InvalidParameterValue', (error as Error).message, 'PROPERTYNAME');
  }
  if (groups.length !== 1 && groups.length !== queries) {
    throw new ServiceException(
      'InvalidParameterValue',
      `PROPERTYNAME has ${groups.length} lists for ${queries} types`,
      'PROPERTYNAME',
    );
  }
  return groups;
}

export function readCardinal(
  parameters: OwsParameters,
  names: readonly string[],
): number | undefined {
  for (const name of names) {
    const value = parameters.get(name);
    if (value === undefined || value.trim() === '') continue;
    const number = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(number)) {
      throw new ServiceException(
        'InvalidParameterValue',
        `${name} must be a non-negative integer`,
        name,
      );
    }
    return number;
  }
  return undefined;
}

export function readResultType(value: string | undefined): boolean {
  if (value === undefined || value === '' || value.toLowerCase() === 'results') return false;
  if (value.toLowerCase() === 'hits') return true;
  throw new ServiceException(
    'InvalidParameterValue',
    'RESULTTYPE must be results or hits',
    'resultType',
  );
}
