/**
 * Storage faults invisible (issue 16, item 6): a tile whose download meets a full disk (ENOSPC)
 * is not retried as a download failure; the job fails at once with "disk full", naming the data
 * dir, after exactly one request to the upstream for that tile. The job runs on a real task
 * manager and pool, with the plugin's task wired to a tile cache whose writes fail.
 */
import { join } from 'node:path';
import pino from 'pino';
import { FakeTileUpstream, startTestTasks, type TestTasks } from 'relief/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elevationConfigSchema } from '../src/config.ts';
import { elevationTask, PROCESS_ID } from '../src/elevation-task.ts';
import { TileFetcher } from '../src/fetch/tile-fetcher.ts';
import { JobFiles } from '../src/job-files.ts';
import { FullDiskCache } from './fixtures/full-disk.ts';

const FULL_TILE = 'N46E007';
const ATTEMPTS = 5;

let upstream: FakeTileUpstream;
let harness: TestTasks;
let dataDir: string;
let cache: FullDiskCache;

beforeAll(async () => {
  upstream = await FakeTileUpstream.start({ samples: 1201 });
  harness = await startTestTasks();
  const { pool, tasks } = harness;
  dataDir = harness.dataDir;
  const log = pino({ level: 'silent' });
  const config = elevationConfigSchema.parse({
    source: upstream.url(),
    attempts: ATTEMPTS,
    retryBaseMs: 1,
    retryMaxMs: 5,
  });
  // Only one of the job's two tiles meets the full disk: that alone must fail the job.
  cache = new FullDiskCache(join(dataDir, 'elevation', 'tiles'), (path) =>
    path.includes(`/${FULL_TILE}.`),
  );
  await cache.open();
  const fetcher = new TileFetcher({ ...config, cache, pool, log });
  tasks.registerType(
    elevationTask({
      config,
      cache,
      fetcher,
      files: new JobFiles(join(dataDir, 'elevation', 'jobs')),
      tilesUrl: '/elevation/tiles',
      jobsUrl: '/elevation/jobs',
      publish: () => [],
      unpublish: () => undefined,
    }),
  );
  await tasks.start();
});

afterAll(async () => {
  await harness?.close();
  await upstream?.close();
});

describe('a job on a full disk', () => {
  it('fails at once with "disk full" naming the data dir, after one request for the tile', async () => {
    const job = await harness.tasks.execute(PROCESS_ID, {
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [7.2, 46.2],
            [8.8, 46.2],
            [8.8, 46.8],
            [7.2, 46.8],
            [7.2, 46.2],
          ],
        ],
      },
    });
    expect(job.input).toMatchObject({
      tiles: [
        { lat: 46, lon: 7 },
        { lat: 46, lon: 8 },
      ],
    });
    const final = await harness.tasks.waitForFinal(job.id, 30_000);
    expect(final?.status).toBe('failed');
    expect(final?.error).toBe(
      `disk full: no space left on the file system of the data dir ${dataDir} (ENOSPC); free some space or enlarge the volume, then submit the job again`,
    );
    expect(upstream.count(FULL_TILE)).toBe(1);
    expect(cache.failedWrites).toHaveLength(1);
  });
});
