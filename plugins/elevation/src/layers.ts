/**
 * What the elevation plugin shows on the map services: the tile cache as one raster layer
 * (`elevation`), and for each successful job its footprint (vector) and its mosaic (raster).
 * Job layers appear when the job succeeds and go when it is removed or expires.
 */
import type { PluginApi } from 'relief';
import type { ElevationResult } from './elevation-task.ts';

export function jobLayerNames(jobId: string): { footprint: string; mosaic: string } {
  return { footprint: `elevation-job-${jobId}-footprint`, mosaic: `elevation-job-${jobId}-dem` };
}

export function publishCacheLayer(relief: PluginApi, cacheRoot: string): void {
  relief.layers.publish({
    name: 'elevation',
    title: 'Elevation (SRTM tile cache)',
    abstract: 'Every terrain tile fetched so far, in metres above sea level',
    kind: 'raster',
    source: { kind: 'hgt-folder', path: cacheRoot },
    style: 'hillshade',
    keywords: ['elevation', 'SRTM', 'DEM'],
  });
}

export function publishJobLayers(
  relief: PluginApi,
  jobId: string,
  result: Omit<ElevationResult, 'layers'>,
  mosaicPath: string,
): string[] {
  const names = jobLayerNames(jobId);
  const [west, south, east, north] = result.mosaic?.bounds ?? [-180, -90, 180, 90];
  relief.layers.publish({
    name: names.footprint,
    title: `Elevation job ${jobId}: area`,
    kind: 'vector',
    source: { kind: 'features', data: { type: 'FeatureCollection', features: [result.footprint] } },
    bbox: [west, south, east, north],
  });
  if (result.mosaic !== null) {
    relief.layers.publish({
      name: names.mosaic,
      title: `Elevation job ${jobId}: terrain`,
      kind: 'raster',
      source: { kind: 'geotiff', path: mosaicPath },
      bbox: [west, south, east, north],
      style: 'hillshade',
    });
  }
  return Object.values(names).filter((name) => relief.layers.get(name) !== undefined);
}

export function unpublishJobLayers(relief: PluginApi, jobId: string): void {
  for (const name of Object.values(jobLayerNames(jobId))) relief.layers.unpublish(name);
}
