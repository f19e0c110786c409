/**
 * WCS 2.0.1 GetCoverage (KVP): COVERAGEID, SUBSET trims and slices, SUBSETTINGCRS and
 * OUTPUTCRS, the Scaling extension, FORMAT → an Int16 GeoTIFF.
 *
 * The answer's domain is the whole native pixels the subsets select, clipped to the coverage
 * (a trim reaching beyond the coverage is cut at its edge; one wholly outside it is
 * InvalidSubsetting). A slice, `Lat(46.5)`, keeps the one native pixel containing the point, so
 * the answer is a one-pixel-thick GeoTIFF rather than a lower-dimensional coverage, which
 * GeoTIFF cannot carry. Without scaling the answer has the native resolution; scaling resizes
 * that domain (SCALEFACTOR and SCALEAXES divide the pixel counts, rounding down). In another
 * OUTPUTCRS the same domain is projected and keeps its pixel counts. An answer beyond
 * context.limits is refused with the scaling that would fit.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { RasterBbox, RasterCrs } from '../../raster/raster-types.ts';
import { MAX_WINDOW_PIXELS } from '../../raster/read-window.ts';
import type { MapServiceLimits, MapServicesContext } from '../map-services-context.ts';
import type { OperationHandler } from '../ows-service.ts';
import { coverageResponse, sizeProblem } from './wcs-coverage-response.ts';
import type { Coverage, CoverageCatalog } from './wcs-coverages.ts';
import { CRS_AXES, yFirst } from './wcs-crs.ts';
import { noSuchCoverage, wcs20Exception } from './wcs-exceptions.ts';
import {
  resolutionOf,
  snappedGrid,
  transformBbox,
  transformRange,
  type GridWindow,
} from './wcs-grid.ts';
import {
  checkFormat,
  crsParameter,
  parseSubsets,
  subsetValues,
  type Subset,
} from './wcs201-kvp.ts';
import { parseScaling, type AxisScale } from './wcs201-scaling.ts';

export function getCoverage201(
  context: MapServicesContext,
  catalog: CoverageCatalog,
): OperationHandler {
  return async ({ ctx, parameters }) => {
    const id = parameters.get('COVERAGEID')?.trim() ?? '';
    if (id === '') {
      throw new ServiceException(
        'MissingParameterValue',
        'GetCoverage needs COVERAGEID: the identifier of one coverage',
        'coverageId',
      );
    }
    checkFormat(parameters);
    const subsettingCrs = crsParameter(parameters, 'SUBSETTINGCRS');
    const outputCrs = crsParameter(parameters, 'OUTPUTCRS');
    const subsets = parseSubsets(subsetValues(parameters));
    const scaling = parseScaling(parameters);
    const coverage = await catalog.find(ctx, id);
    if (coverage === undefined) throw noSuchCoverage('2.0.1', [id]);

    const domain = subsetDomain(coverage, subsets, subsettingCrs);
    const crs = outputCrs ?? coverage.grid.crs;
    const window: GridWindow = {
      crs,
      bbox: transformBbox(domain.bbox, domain.crs, crs),
      width: scaled(domain.width, scaling?.x),
      height: scaled(domain.height, scaling?.y),
    };
    const problem = sizeProblem(context.limits, window.width, window.height);
    if (problem !== undefined) {
      throw new ServiceException(
        'InvalidParameterValue',
        `The coverage asked for would be ${problem}. ${fitAdvice(coverage, domain, context.limits)}`,
        scaling?.parameter ?? 'subset',
      );
    }
    return coverageResponse(context, ctx, { coverage, window, resampling: 'nearest' });
  };
}

/** The whole native pixels the subsets select, clipped to the coverage. */
function subsetDomain(
  coverage: Coverage,
  subsets: readonly Subset[],
  subsettingCrs: RasterCrs | undefined,
): GridWindow {
  const { grid, info } = coverage;
  const native = grid.crs;
  const [resX, resY] = resolutionOf(grid);
  const bbox: [number, number, number, number] = [...grid.bbox];
  for (const subset of subsets) {
    const [minIndex, maxIndex] = subset.axis === 'x' ? [0, 2] : [1, 3];
    const extent: [number, number] = [grid.bbox[minIndex]!, grid.bbox[maxIndex]!];
    const crs = subset.crs ?? subsettingCrs ?? native;
    const open = transformRange(subset.axis, extent, native, crs);
    const [low, high] = transformRange(
      subset.axis,
      [subset.low ?? open[0], subset.high ?? open[1]],
      crs,
      native,
    );
    const outside = subset.slice
      ? low < extent[0] || low > extent[1]
      : high <= extent[0] || low >= extent[1];
    if (outside) {
      const [first, second] = extent.map(
        (v) => transformRange(subset.axis, [v, v], native, crs)[0],
      );
      throw wcs20Exception(
        'InvalidSubsetting',
        `SUBSET ${subset.label} lies outside the coverage, which spans ${first} to ${second} on that axis`,
        subset.label,
      );
    }
    // A slice on the far edge takes the last pixel, not the one beyond it.
    const step = subset.axis === 'x' ? resX : resY;
    const clippedLow = subset.slice
      ? Math.min(low, extent[1] - step / 2)
      : Math.max(low, extent[0]);
    bbox[minIndex] = clippedLow;
    bbox[maxIndex] = subset.slice ? clippedLow : Math.min(high, extent[1]);
  }
  return snappedGrid(info, bbox as RasterBbox);
}

function scaled(pixels: number, scale: AxisScale | undefined): number {
  if (scale === undefined) return pixels;
  if ('size' in scale) return scale.size;
  return Math.max(1, Math.floor(pixels / scale.factor + 1e-9));
}

/** The scaling of `domain` that fits the limits, in the coverage's axis labels. */
function fitAdvice(coverage: Coverage, domain: GridWindow, limits: MapServiceLimits): string {
  const maxPixels = Math.min(limits.maxPixels, MAX_WINDOW_PIXELS);
  const ratio = Math.max(
    domain.width / limits.maxWidth,
    domain.height / limits.maxHeight,
    Math.sqrt((domain.width * domain.height) / maxPixels),
    1,
  );
  const width = Math.max(1, Math.floor(domain.width / ratio));
  const height = Math.max(1, Math.floor(domain.height / ratio));
  const [y, x] = yFirst(coverage.grid.crs)
    ? CRS_AXES[coverage.grid.crs].labels
    : [...CRS_AXES[coverage.grid.crs].labels].reverse();
  return (
    `Ask for a smaller SUBSET, or scale the answer down, e.g. ` +
    `SCALESIZE=${x}(${width}),${y}(${height}) or SCALEFACTOR=${Math.ceil(ratio * 100) / 100}.`
  );
}
