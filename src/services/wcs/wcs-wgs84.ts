/** The WGS84 extent capabilities list for a coverage: its grid's edges, clamped to the world. */
import type { RasterBbox } from '../../raster/raster-types.ts';
import type { Coverage } from './wcs-coverages.ts';
import { transformBbox } from './wcs-grid.ts';

export function wgs84Extent(coverage: Coverage): RasterBbox {
  const [west, south, east, north] = transformBbox(
    coverage.grid.bbox,
    coverage.grid.crs,
    'EPSG:4326',
  );
  return [Math.max(-180, west), Math.max(-90, south), Math.min(180, east), Math.min(90, north)];
}
