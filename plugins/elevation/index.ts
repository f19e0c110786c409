/**
 * The elevation plugin: a client POSTs a polygon; the exact covering 1°×1° terrain tiles are
 * fetched and decoded on the worker pool in the background, with progress and cancellation;
 * the results are the tiles, statistics, a clipped GeoTIFF mosaic, a hillshade preview and
 * map layers. See docs/elevation.md.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { definePlugin, redactUrl } from 'relief';
import { elevationConfigSchema } from './src/config.ts';
import {
  AREA_WORKER,
  elevationTask,
  PROCESS_ID,
  type ElevationResult,
} from './src/elevation-task.ts';
import { TileCache } from './src/fetch/tile-cache.ts';
import { DECODE_WORKER, TileFetcher } from './src/fetch/tile-fetcher.ts';
import { JobFiles } from './src/job-files.ts';
import { publishCacheLayer, publishJobLayers, unpublishJobLayers } from './src/layers.ts';
import { elevationRoutes } from './src/routes.ts';

export default definePlugin({
  configSchema: elevationConfigSchema,
  async register(relief) {
    const { config } = relief;
    // POST /elevation checks the polygon on the pool; every job decodes tiles there.
    relief.warmWorkers(AREA_WORKER, DECODE_WORKER);
    const cache = new TileCache(join(relief.dataDir, 'tiles'));
    await cache.open();
    const jobsRoot = join(relief.dataDir, 'jobs');
    await mkdir(jobsRoot, { recursive: true }); // served statically from the start
    const files = new JobFiles(jobsRoot);
    const fetcher = new TileFetcher({
      cache,
      pool: relief.pool,
      log: relief.log,
      source: config.source,
      concurrency: config.concurrency,
      attempts: config.attempts,
      retryBaseMs: config.retryBaseMs,
      retryMaxMs: config.retryMaxMs,
      timeoutMs: config.timeoutMs,
    });

    relief.registerTaskType(
      elevationTask({
        config,
        cache,
        fetcher,
        files,
        tilesUrl: '/elevation/tiles',
        jobsUrl: '/elevation/jobs',
        publish: (jobId, result) =>
          publishJobLayers(relief, jobId, result, join(files.folder(jobId), 'mosaic.tif')),
        unpublish: (jobId) => unpublishJobLayers(relief, jobId),
      }),
    );
    relief.registerRoutes(elevationRoutes(relief, { tilesRoot: cache.root, jobsRoot }));

    publishCacheLayer(relief, cache.root);
    // Jobs that succeeded before a restart keep their layers.
    const done = relief.tasks.list({
      processId: [PROCESS_ID],
      status: ['successful'],
      limit: 10_000,
      offset: 0,
    });
    for (const job of done.jobs) {
      const result = job.result as ElevationResult | undefined;
      if (result !== undefined)
        publishJobLayers(relief, job.id, result, join(files.folder(job.id), 'mosaic.tif'));
    }
    relief.log.info(
      { source: redactUrl(config.source), cache: cache.root },
      'elevation plugin ready',
    );
  },
});
