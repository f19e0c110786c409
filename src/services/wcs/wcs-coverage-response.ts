/**
 * The GetCoverage answer both WCS versions share: the grid a request resolved to, read and
 * written as an Int16 GeoTIFF in one pool job (nodata -32768 in the GDAL_NODATA tag), offered
 * to and taken from the plugins' image caches when any are registered. The cache key holds
 * the layer's publication time, so a republished layer never answers from an old entry, and
 * the request's access-control key, so clients with different rights never share one.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { RasterBbox, Resampling } from '../../raster/raster-types.ts';
import { encodeGeoTiffOnPool } from '../../raster/raster-jobs.ts';
import { MAX_WINDOW_PIXELS } from '../../raster/read-window.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import { cacheKey, throughCacheFilters } from '../filter-cache.ts';
import { requestPixels } from '../map-budget.ts';
import type { MapServiceLimits, MapServicesContext } from '../map-services-context.ts';
import type { OwsResult } from '../ows-service.ts';
import type { Coverage } from './wcs-coverages.ts';
import type { GridWindow } from './wcs-grid.ts';

export const GEOTIFF_CONTENT_TYPE = 'image/tiff';

export interface CoverageOutput {
  coverage: Coverage;
  /** The output grid: CRS, outer pixel edges (x first) and size. */
  window: GridWindow;
  resampling: Resampling;
}

/**
 * Why an output of this size cannot be made, or undefined when it can: the configured limits
 * (RELIEF_MAX_IMAGE_SIZE and RELIEF_MAX_MAP_PIXELS) and what one raster window may hold.
 */
export function sizeProblem(
  limits: MapServiceLimits,
  width: number,
  height: number,
): string | undefined {
  if (width > limits.maxWidth || height > limits.maxHeight) {
    return `${width}×${height} pixels, more than the largest output of ${limits.maxWidth}×${limits.maxHeight}`;
  }
  if (requestPixels(width, height, 1) > limits.maxPixels) {
    return `${width}×${height} pixels, more than the ${limits.maxPixels} pixels one request may take (RELIEF_MAX_MAP_PIXELS)`;
  }
  if (width * height > MAX_WINDOW_PIXELS) {
    return `${width}×${height} pixels, more than the ${MAX_WINDOW_PIXELS} pixels one request may read`;
  }
  return undefined;
}

export async function coverageResponse(
  context: MapServicesContext,
  ctx: RequestContext,
  output: CoverageOutput,
): Promise<OwsResult> {
  const { coverage, window, resampling } = output;
  const [minX, minY, maxX, maxY] = window.bbox;
  if (!(minX < maxX && minY < maxY)) {
    // Only a domain wholly beyond EPSG:3857's world square (latitudes past ±85.05°) gets here.
    throw new ServiceException(
      'InvalidParameterValue',
      `The area asked for has no extent in ${window.crs}`,
      'outputCrs',
    );
  }
  const headers = { 'content-disposition': `inline; filename="${coverage.id}.tif"` };
  const answer = await throughCacheFilters(
    context,
    ctx,
    'image',
    () => coverageCacheKey(context, ctx, output),
    async () => {
      const bytes = await encodeGeoTiffOnPool(
        context.pool,
        {
          request: {
            source: coverage.layer.source,
            crs: window.crs,
            bbox: window.bbox,
            width: window.width,
            height: window.height,
            resampling,
          },
        },
        { signal: ctx.signal },
      );
      const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return { body, contentType: GEOTIFF_CONTENT_TYPE };
    },
  );
  return { ...answer, headers };
}

function coverageCacheKey(
  context: MapServicesContext,
  ctx: RequestContext,
  output: CoverageOutput,
): string {
  const { coverage, window, resampling } = output;
  const bbox: RasterBbox = window.bbox;
  return cacheKey(context, ctx, {
    service: 'WCS',
    operation: 'GetCoverage',
    coverage: coverage.id,
    published: coverage.layer.published,
    crs: window.crs,
    bbox,
    size: [window.width, window.height],
    resampling,
    format: GEOTIFF_CONTENT_TYPE,
  });
}
