/**
 * WCS 1.0.0 GetCoverage (KVP): COVERAGE, CRS, BBOX (minx,miny,maxx,maxy in the CRS, x first:
 * lon,lat for EPSG:4326), WIDTH/HEIGHT or RESX/RESY, FORMAT, and optionally RESPONSE_CRS and
 * INTERPOLATION → an Int16 GeoTIFF. BBOX is the outer edges of the answer's pixels, which is
 * how GDAL's WCS 1.0 driver asks; unlike 2.0.1 the grid is the client's, not snapped to the
 * native one, and pixels beyond the coverage are nodata. CRS, BBOX (the standard's
 * alternative, TIME, is not offered), FORMAT and a size (WIDTH and HEIGHT, or RESX and RESY)
 * are mandatory in 1.0.0 (Table 9): a missing one is MissingParameterValue with its name as
 * locator. Numbers are decimals (WIDTH whole digits): 0x10, Infinity, NaN or 1e400 are refused.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { RasterBbox, RasterCrs, Resampling } from '../../raster/raster-types.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import { owsDecimal, owsWholeNumber } from '../ows-numbers.ts';
import type { OperationHandler } from '../ows-service.ts';
import { WCS_100_INTERPOLATIONS } from './wcs100-describe-coverage.ts';
import { coverageResponse, sizeProblem } from './wcs-coverage-response.ts';
import type { CoverageCatalog } from './wcs-coverages.ts';
import { parseCrs } from './wcs-crs.ts';
import { noSuchCoverage } from './wcs-exceptions.ts';
import { transformBbox, type GridWindow } from './wcs-grid.ts';

const FORMATS = new Set([
  'geotiff',
  'gtiff',
  'tiff',
  'image/tiff',
  'image/geotiff',
  'application/geotiff',
  'application/x-geotiff',
]);

export function getCoverage100(
  context: MapServicesContext,
  catalog: CoverageCatalog,
): OperationHandler {
  return async ({ ctx, parameters }) => {
    const id = parameters.get('COVERAGE')?.trim() ?? '';
    if (id === '') {
      throw new ServiceException(
        'MissingParameterValue',
        'GetCoverage needs COVERAGE: the name of one coverage',
        'COVERAGE',
      );
    }
    checkFormat(parameters.get('FORMAT'));
    const resampling = interpolation(parameters.get('INTERPOLATION'));
    const crs = crsOf(parameters, 'CRS') ?? missing('CRS', 'the CRS of BBOX, e.g. EPSG:4326');
    const responseCrs = crsOf(parameters, 'RESPONSE_CRS');
    const bbox =
      bboxOf(parameters.get('BBOX')) ?? missing('BBOX', 'minx,miny,maxx,maxy in the CRS');
    const outputCrs = responseCrs ?? crs;
    const outputBbox = transformBbox(bbox, crs, outputCrs);
    const [width, height, locator] = sizeOf(parameters, outputBbox);
    const coverage = await catalog.find(ctx, id);
    if (coverage === undefined) throw noSuchCoverage('1.0.0', [id]);
    const problem = sizeProblem(context.limits, width, height);
    if (problem !== undefined) {
      throw new ServiceException(
        'InvalidParameterValue',
        `The coverage asked for would be ${problem}; ask for fewer pixels (WIDTH and HEIGHT, or larger RESX and RESY)`,
        locator,
      );
    }
    const window: GridWindow = { crs: outputCrs, bbox: outputBbox, width, height };
    return coverageResponse(context, ctx, { coverage, window, resampling });
  };
}

function missing(name: string, what: string): never {
  throw new ServiceException('MissingParameterValue', `GetCoverage needs ${name}: ${what}`, name);
}

function checkFormat(format: string | undefined): void {
  if (format === undefined || format.trim() === '') {
    throw new ServiceException(
      'MissingParameterValue',
      'GetCoverage needs FORMAT; the coverages are offered as GeoTIFF',
      'FORMAT',
    );
  }
  if (!FORMATS.has(format.trim().toLowerCase())) {
    throw new ServiceException(
      'InvalidFormat',
      `FORMAT "${format}" is not offered; use GeoTIFF`,
      'FORMAT',
    );
  }
}

function interpolation(value: string | undefined): Resampling {
  if (value === undefined || value.trim() === '') return 'nearest';
  const methods: Readonly<Record<string, Resampling | undefined>> = WCS_100_INTERPOLATIONS;
  const resampling = methods[value.trim().toLowerCase()];
  if (resampling === undefined) {
    throw new ServiceException(
      'InvalidParameterValue',
      `INTERPOLATION "${value}" is not offered; use ${Object.keys(WCS_100_INTERPOLATIONS).join(' or ')}`,
      'INTERPOLATION',
    );
  }
  return resampling;
}

function crsOf(parameters: OwsParameters, name: 'CRS' | 'RESPONSE_CRS'): RasterCrs | undefined {
  const text = parameters.get(name)?.trim();
  if (text === undefined || text === '') return undefined;
  const crs = parseCrs(text);
  if (crs === undefined) {
    throw new ServiceException(
      'InvalidParameterValue',
      `${name} "${text}" is not offered; use EPSG:4326 or EPSG:3857`,
      name,
    );
  }
  return crs;
}

function bboxOf(text: string | undefined): RasterBbox | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const values = text.split(',').map(owsDecimal);
  const [minX = NaN, minY = NaN, maxX = NaN, maxY = NaN] = values;
  if (values.length !== 4 || !values.every(Number.isFinite) || minX >= maxX || minY >= maxY) {
    throw new ServiceException(
      'InvalidParameterValue',
      `BBOX "${text}" is not minx,miny,maxx,maxy with min < max`,
      'BBOX',
    );
  }
  return [minX, minY, maxX, maxY];
}

/** WIDTH and HEIGHT, else RESX and RESY over the bbox; one pair is mandatory. */
function sizeOf(parameters: OwsParameters, bbox: RasterBbox): [number, number, string] {
  if (parameters.has('WIDTH') || parameters.has('HEIGHT')) {
    return [count(parameters, 'WIDTH'), count(parameters, 'HEIGHT'), 'WIDTH'];
  }
  if (parameters.has('RESX') || parameters.has('RESY')) {
    const span = (name: 'RESX' | 'RESY', extent: number) => {
      const res = owsDecimal(parameters.get(name));
      if (!Number.isFinite(res) || res <= 0) {
        throw new ServiceException(
          'InvalidParameterValue',
          `${name} must be a pixel size above 0, in the units of the response CRS`,
          name,
        );
      }
      return Math.max(1, Math.round(extent / res));
    };
    return [span('RESX', bbox[2] - bbox[0]), span('RESY', bbox[3] - bbox[1]), 'RESX'];
  }
  return missing('WIDTH', 'the size of the answer, as WIDTH and HEIGHT or RESX and RESY');
}

function count(parameters: OwsParameters, name: 'WIDTH' | 'HEIGHT'): number {
  const text = parameters.get(name);
  const value = owsWholeNumber(text);
  if (!(value >= 1)) {
    throw new ServiceException(
      'InvalidParameterValue',
      `${name} must be a whole number of pixels above 0 (WIDTH and HEIGHT go together)`,
      name,
    );
  }
  return value;
}
