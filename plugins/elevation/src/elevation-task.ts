/**
 * The `elevation-tiles` process: a polygon → the exact covering tiles → fetched into the cache
 * (shared with every other job) → statistics and a clipped mosaic with a hillshade preview,
 * all CPU work on the shared pool. Resumable: after a restart, tiles already in the cache are
 * not fetched again, and the checkpoint keeps what this job downloaded itself.
 */
import { setMaxListeners } from 'node:events';
import type { Feature, MultiPolygon } from 'geojson';
import {
  moduleUrl,
  TaskFailure,
  TaskSubmitError,
  type ParameterDescription,
  type TaskTypeDefinition,
} from 'relief';
import { hgtTileBounds as tileBounds } from 'relief/worker';
import { z } from 'zod';
import type { ElevationConfig } from './config.ts';
import type {
  ElevationArea,
  ElevationStatistics,
  MosaicInput,
  MosaicOutput,
  StatisticsInput,
  TileFile,
  TileId,
} from './contracts.ts';
import type { TileCache } from './fetch/tile-cache.ts';
import type { TileFetcher, TileOutcome, TileStatus } from './fetch/tile-fetcher.ts';
import type { JobFiles } from './job-files.ts';
import type { PrepareAreaInput, PrepareAreaOutput } from './input/area-worker.ts';

export const PROCESS_ID = 'elevation-tiles';

export const AREA_WORKER = moduleUrl('./input/area-worker.ts', import.meta.url);
const STATISTICS_WORKER = moduleUrl('./results/statistics-worker.ts', import.meta.url);
const MOSAIC_WORKER = moduleUrl('./results/mosaic-worker.ts', import.meta.url);

/** What the client sends, and what is stored once prepared (area normalised, tiles computed). */
export interface ElevationJobInput {
  geometry?: unknown;
  crs?: string | undefined;
  /** Repair an invalid polygon instead of refusing it. */
  repair?: boolean | undefined;
  area?: ElevationArea;
  tiles?: TileId[];
}

export interface TileReport {
  name: string;
  bounds: [number, number, number, number];
  status: TileStatus;
  reason?: string;
  size?: number;
  /** Download URL of the decompressed tile (relative to the server). */
  href?: string;
}

export interface ElevationResult {
  tiles: TileReport[];
  summary: Record<'total' | 'downloaded' | 'cached' | 'noData' | 'failed', number> & {
    bytes: number;
  };
  statistics: ElevationStatistics;
  mosaic: (MosaicOutput & { href: string; type: string }) | null;
  preview: { href: string; type: string; width: number; height: number } | null;
  footprint: Feature<MultiPolygon>;
  /** Names of the layers published for this job. */
  layers: string[];
  /** What was wrong with the polygon, when it was repaired at the client's request. */
  repairs?: string[];
}

const BOUNDS = { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 };
const COUNT = { type: 'integer', minimum: 0 };
const ELEVATION = { type: 'number', nullable: true };

/**
 * The process description of the results (docs/elevation.md, "Results"): every member of
 * ElevationResult, which the task manager checks each result against.
 */
export const ELEVATION_OUTPUTS = {
  tiles: {
    title: 'Tiles with status, size and download URL',
    schema: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'bounds', 'status'],
        properties: {
          name: { type: 'string' },
          bounds: BOUNDS,
          status: { type: 'string', enum: ['downloaded', 'cached', 'no-data', 'failed'] },
          reason: { type: 'string' },
          size: COUNT,
          href: { type: 'string', format: 'uri' },
        },
      },
    },
  },
  summary: {
    title: 'How many tiles were downloaded, cached, without data or failed, and bytes received',
    schema: {
      type: 'object',
      required: ['total', 'downloaded', 'cached', 'noData', 'failed', 'bytes'],
      properties: {
        total: COUNT,
        downloaded: COUNT,
        cached: COUNT,
        noData: COUNT,
        failed: COUNT,
        bytes: COUNT,
      },
    },
  },
  statistics: {
    title: 'Elevation statistics inside the polygon',
    description: 'Metres; min, max and mean are null when no sample inside has a value',
    schema: {
      type: 'object',
      required: ['min', 'max', 'mean', 'count', 'voidCount'],
      properties: {
        min: ELEVATION,
        max: ELEVATION,
        mean: ELEVATION,
        count: COUNT,
        voidCount: COUNT,
      },
    },
  },
  mosaic: {
    title: 'GeoTIFF mosaic clipped to the polygon',
    schema: {
      type: 'object',
      nullable: true,
      required: ['href', 'type', 'width', 'height', 'bounds', 'resolution', 'nodata'],
      properties: {
        href: { type: 'string', format: 'uri' },
        type: { type: 'string' },
        width: COUNT,
        height: COUNT,
        bounds: BOUNDS,
        resolution: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
        nodata: { type: 'number' },
      },
    },
  },
  preview: {
    title: 'PNG hillshade preview',
    schema: {
      type: 'object',
      nullable: true,
      required: ['href', 'type', 'width', 'height'],
      properties: {
        href: { type: 'string', format: 'uri' },
        type: { type: 'string' },
        width: COUNT,
        height: COUNT,
      },
    },
  },
  footprint: {
    title: 'The area the job covered, as a GeoJSON Feature (WGS84, split at the antimeridian)',
    schema: {
      type: 'object',
      contentMediaType: 'application/geo+json',
      required: ['type', 'geometry'],
      properties: {
        type: { type: 'string', enum: ['Feature'] },
        geometry: {
          type: 'object',
          required: ['type', 'coordinates'],
          properties: {
            type: { type: 'string', enum: ['MultiPolygon'] },
            coordinates: { type: 'array' },
          },
        },
      },
    },
  },
  layers: {
    title: 'Names of the map layers published for this job (its footprint and its terrain)',
    schema: { type: 'array', items: { type: 'string' } },
  },
  repairs: {
    title: 'What was wrong with the polygon, when it was repaired at the request (repair: true)',
    schema: { type: 'array', items: { type: 'string' } },
    minOccurs: 0,
  },
} satisfies Record<keyof ElevationResult, ParameterDescription>;

interface Checkpoint {
  downloaded: string[];
}

export interface ElevationTaskDependencies {
  config: ElevationConfig;
  cache: TileCache;
  fetcher: TileFetcher;
  files: JobFiles;
  tilesUrl: string;
  jobsUrl: string;
  publish: (jobId: string, result: Omit<ElevationResult, 'layers'>) => string[];
  unpublish: (jobId: string) => void;
}

export function elevationTask(
  deps: ElevationTaskDependencies,
): TaskTypeDefinition<ElevationJobInput, ElevationResult, Checkpoint> {
  const { config } = deps;
  return {
    id: PROCESS_ID,
    title: 'Elevation tiles for a polygon',
    description:
      'Fetches the 1°×1° SRTM tiles (skadi layout) whose interior meets the polygon, and computes elevation statistics, a GeoTIFF mosaic clipped to the polygon and a hillshade preview.',
    version: '1.0.0',
    inputSchema: z
      .object({
        geometry: z.unknown(),
        crs: z.string().max(200).optional(),
        repair: z.boolean().optional(),
      })
      .strict()
      .refine((input) => input.geometry !== undefined, {
        error:
          'geometry is required: a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection',
        path: ['geometry'],
      }),
    inputs: {
      geometry: {
        title: 'Area',
        description: 'GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection of polygons',
        schema: { type: 'object', contentMediaType: 'application/geo+json' },
      },
      crs: {
        title: 'CRS of the geometry',
        description: 'EPSG:4326 (default) or EPSG:3857',
        schema: { type: 'string', default: 'EPSG:4326' },
        minOccurs: 0,
      },
      repair: {
        title: 'Repair an invalid polygon',
        description:
          'false (default): a self-intersecting or otherwise invalid polygon is refused with a 400 saying what is wrong and where; true: it is repaired (see docs/elevation.md) and the result lists the repairs',
        schema: { type: 'boolean', default: false },
        minOccurs: 0,
      },
    },
    outputs: ELEVATION_OUTPUTS,
    jobControlOptions: ['async-execute', 'dismiss'],
    resumable: true,

    async prepare(input, { pool, signal }) {
      // The client waits for this check: interactive lane (the default), dropped if it leaves.
      const run: PoolRunner = (m, n, i) => pool.run(m, n, i, { lane: 'interactive', signal });
      const { area, tiles } = await prepareArea(run, input, config);
      if (tiles.length === 0) {
        throw new TaskSubmitError(
          'invalid-input',
          'the area covers no tile (is it empty?)',
          'geometry',
        );
      }
      return { area, tiles, ...(input.crs === undefined ? {} : { crs: input.crs }) };
    },

    async run(input, ctx) {
      // Jobs are always prepared before they are recorded; this only guards old records.
      const { area, tiles } =
        input.area !== undefined && input.tiles !== undefined
          ? { area: input.area, tiles: input.tiles }
          : await prepareArea(ctx.runOnPool, input, config);
      // A tile that cannot be fetched at all (a full disk) fails the job: the others stop too.
      const stop = new AbortController();
      const signal = AbortSignal.any([ctx.signal, stop.signal]);
      // Every tile waits on the job's signal at once: that is by design, not a listener leak.
      setMaxListeners(0, signal);
      const downloadedBefore = new Set(ctx.checkpoint?.downloaded ?? []);
      const downloaded = new Set(downloadedBefore);
      let done = 0;
      let bytes = 0;
      const total = tiles.length;
      const report = () =>
        ctx.progress(
          (done / total) * 85,
          `${done} of ${total} tiles, ${(bytes / 1e6).toFixed(1)} MB received`,
        );
      report();
      const outcomes = await Promise.all(
        tiles.map(async (tile) => {
          const outcome = await deps.fetcher
            .fetch(tile, {
              signal,
              onBytes: (delta) => {
                bytes += delta;
                report();
              },
            })
            .catch((error: unknown) => {
              stop.abort(error);
              throw error;
            });
          done++;
          if (outcome.status === 'downloaded') {
            downloaded.add(outcome.name);
            ctx.saveCheckpoint({ downloaded: [...downloaded] });
          }
          report();
          // A tile this job downloaded before a restart is now in the cache: still its download.
          return outcome.status === 'cached' && downloadedBefore.has(outcome.name)
            ? { ...outcome, status: 'downloaded' as const }
            : outcome;
        }),
      );
      const failed = outcomes.filter((o) => o.status === 'failed');
      if (failed.length === total) {
        throw new TaskFailure(`No tile could be fetched: ${describeFailures(failed)}`, {
          items: failed.map((f) => ({ item: f.name, detail: f.reason ?? 'unknown' })),
        });
      }
      const files: TileFile[] = [];
      const noDataTiles: TileId[] = [];
      for (const outcome of outcomes) {
        if (outcome.samples !== undefined) {
          files.push({
            tile: outcome.tile,
            path: deps.cache.pathOf(outcome.tile),
            samples: outcome.samples,
          });
        } else noDataTiles.push(outcome.tile);
      }

      ctx.progress(87, 'computing statistics');
      const statisticsInput: StatisticsInput = {
        tiles: files,
        area,
        noDataTiles,
      };
      const statistics = await ctx.runOnPool<ElevationStatistics>(
        STATISTICS_WORKER,
        'computeStatistics',
        statisticsInput,
      );

      ctx.progress(92, 'building the mosaic and its preview');
      const jobUrl = `${deps.jobsUrl}/${ctx.jobId}`;
      const mosaic = await deps.files.produce(
        ctx.jobId,
        ['mosaic.tif', 'preview.png'],
        ([geotiffPath, previewPath]) => {
          const mosaicInput: MosaicInput = {
            tiles: files,
            noDataTiles,
            area,
            geotiffPath: geotiffPath as string,
            previewPath: previewPath as string,
            maxSize: config.mosaicMaxSize,
            previewMaxSize: config.previewMaxSize,
          };
          return ctx.runOnPool<MosaicOutput>(MOSAIC_WORKER, 'buildMosaic', mosaicInput);
        },
      );

      const result: Omit<ElevationResult, 'layers'> = {
        tiles: outcomes.map((o) => tileReport(o, deps)),
        summary: {
          total,
          downloaded: count(outcomes, 'downloaded'),
          cached: count(outcomes, 'cached'),
          noData: count(outcomes, 'no-data'),
          failed: failed.length,
          bytes,
        },
        statistics,
        mosaic: {
          ...mosaic,
          href: `${jobUrl}/mosaic.tif`,
          type: 'image/tiff; application=geotiff',
        },
        preview: {
          href: `${jobUrl}/preview.png`,
          type: 'image/png',
          width: mosaic.previewWidth,
          height: mosaic.previewHeight,
        },
        footprint: { type: 'Feature', properties: { jobId: ctx.jobId }, geometry: area.geometry },
        ...(area.repairs === undefined ? {} : { repairs: area.repairs }),
      };
      const layers = deps.publish(ctx.jobId, result);
      if (failed.length > 0)
        ctx.log.warn({ failed: failed.map((f) => f.name) }, 'some tiles failed');
      return { ...result, layers };
    },

    async cleanup(jobId) {
      deps.unpublish(jobId);
      await deps.files.remove(jobId);
    },
  };
}

type PoolRunner = <T>(module: URL, exportName: string, input: unknown) => Promise<T>;

async function prepareArea(
  run: PoolRunner,
  input: ElevationJobInput,
  config: ElevationConfig,
): Promise<{ area: ElevationArea; tiles: TileId[] }> {
  const request: PrepareAreaInput = {
    geometry: input.geometry,
    crs: input.crs,
    maxVertices: config.maxVertices,
    maxTiles: config.maxTiles,
    repair: input.repair === true,
    validityPairsPerEdge: config.validityPairsPerEdge,
  };
  const output = await run<PrepareAreaOutput>(AREA_WORKER, 'prepareArea', request);
  if (output.kind === 'invalid')
    throw new TaskSubmitError('invalid-input', output.message, output.locator);
  return output;
}

function tileReport(outcome: TileOutcome, deps: ElevationTaskDependencies): TileReport {
  return {
    name: outcome.name,
    bounds: tileBounds(outcome.tile),
    status: outcome.status,
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    ...(outcome.size === undefined ? {} : { size: outcome.size }),
    ...(outcome.samples === undefined
      ? {}
      : { href: `${deps.tilesUrl}/${deps.cache.relativePathOf(outcome.tile)}` }),
  };
}

function count(outcomes: TileOutcome[], status: TileStatus): number {
  return outcomes.filter((o) => o.status === status).length;
}

function describeFailures(failed: TileOutcome[]): string {
  const shown = failed.slice(0, 3).map((f) => `${f.name} (${f.reason ?? 'unknown'})`);
  return failed.length > 3 ? `${shown.join(', ')} and ${failed.length - 3} more` : shown.join(', ');
}
