/**
 * The Scaling extension's GetCoverage parameters (OGC 12-039): SCALEFACTOR=f, SCALEAXES=
 * Long(f),Lat(f), SCALESIZE=Long(w),Lat(h) and SCALEEXTENT=Long(lo:hi),Lat(lo:hi) (grid
 * coordinates, both ends included). One of them per request; an axis not named keeps its size.
 * A factor divides the pixel count (2 halves it).
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import { axisOf } from './wcs-crs.ts';
import { wcs20Exception } from './wcs-exceptions.ts';
import { owsDecimal, owsWholeNumber } from '../ows-numbers.ts';

export type AxisScale = { size: number } | { factor: number };

export interface Scaling {
  /** The scaling parameter used, for locators. */
  parameter: string;
  x?: AxisScale;
  y?: AxisScale;
}

const SCALING_PARAMETERS = ['SCALEFACTOR', 'SCALEAXES', 'SCALESIZE', 'SCALEEXTENT'] as const;
const AXIS_VALUE = /\s*([^\s,()]+)\s*\(\s*([^()]*?)\s*\)\s*(?:,|$)/y;

/** The scaling the request asks for; undefined without a scaling parameter. */
export function parseScaling(parameters: OwsParameters): Scaling | undefined {
  const given = SCALING_PARAMETERS.filter((name) => parameters.has(name));
  if (given.length > 1) {
    throw new ServiceException(
      'InvalidParameterValue',
      `Give one of ${given.join(' and ')}, not both`,
      given[1],
    );
  }
  const parameter = given[0];
  if (parameter === undefined) return undefined;
  const text = parameters.get(parameter) ?? '';
  if (parameter === 'SCALEFACTOR') {
    const factor = positive(text, parameter);
    return { parameter, x: { factor }, y: { factor } };
  }
  const scaling: Scaling = { parameter };
  AXIS_VALUE.lastIndex = 0;
  let consumed = 0;
  for (let match = AXIS_VALUE.exec(text); match !== null; match = AXIS_VALUE.exec(text)) {
    consumed = AXIS_VALUE.lastIndex;
    const [, label = '', value = ''] = match;
    const axis = axisOf(label);
    if (axis === undefined) {
      throw wcs20Exception(
        'ScaleAxisUndefined',
        `${parameter}: the coverage has no axis "${label}"; its axes are Long and Lat`,
        label,
      );
    }
    scaling[axis] = axisScale(parameter, value, label);
    if (consumed >= text.length) break;
  }
  if (consumed < text.length || (scaling.x === undefined && scaling.y === undefined)) {
    throw new ServiceException(
      'InvalidEncodingSyntax',
      `${parameter} "${text}" is not a list like Long(512),Lat(512)`,
      parameter,
    );
  }
  return scaling;
}

function axisScale(parameter: string, value: string, label: string): AxisScale {
  if (parameter === 'SCALEAXES') return { factor: positive(value, label) };
  if (parameter === 'SCALESIZE') {
    const size = owsWholeNumber(value);
    if (!Number.isInteger(size) || size < 1) {
      throw wcs20Exception(
        'InvalidScaleFactor',
        `SCALESIZE ${label}: "${value}" is not a whole number of pixels`,
        label,
      );
    }
    return { size };
  }
  // SCALEEXTENT: low:high in grid coordinates, both included.
  const [low, high, extra] = value.split(':').map((part) => owsDecimal(part));
  if (
    low === undefined ||
    high === undefined ||
    extra !== undefined ||
    !Number.isInteger(low) ||
    !Number.isInteger(high) ||
    high < low
  ) {
    throw wcs20Exception(
      'InvalidExtent',
      `SCALEEXTENT ${label}: "${value}" is not low:high with low ≤ high`,
      label,
    );
  }
  return { size: high - low + 1 };
}

function positive(text: string, locator: string): number {
  const factor = owsDecimal(text);
  if (!Number.isFinite(factor) || factor <= 0) {
    throw wcs20Exception(
      'InvalidScaleFactor',
      `The scale factor "${text}" is not a number above 0`,
      locator,
    );
  }
  return factor;
}
