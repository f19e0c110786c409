/**
 * The elevation plugin end to end through HTTP, against a fake tile upstream on 127.0.0.1 with
 * injected faults: tile sets, caching, shared downloads, retries, cancellation, results.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from 'relief/testing';
import { FakeTileUpstream } from 'relief/testing';
import { defaultHeightAt, sampleLatLon } from 'relief/testing';

const PLUGINS = fileURLToPath(new URL('../../', import.meta.url));

let upstream: FakeTileUpstream;
let server: TestServer;
const http = () => request(server.app.server);

const square = (west: number, south: number, east: number, north: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [west, south],
      [east, south],
      [east, north],
      [west, north],
      [west, south],
    ],
  ],
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    RELIEF_ELEVATION_SOURCE: upstream.url(),
    RELIEF_ELEVATION_RETRY_BASE_MS: '5',
    RELIEF_ELEVATION_RETRY_MAX_MS: '50',
    RELIEF_ELEVATION_MAX_TILES: '50',
    RELIEF_ELEVATION_TIMEOUT_MS: '5000',
    RELIEF_WORKERS: '2',
    ...extra,
  };
}

async function submit(geometry: unknown, query = ''): Promise<string> {
  const response = await http()
    .post(`/elevation${query}`)
    .send(geometry as object);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  expect(response.headers.location).toMatch(/\/jobs\/[0-9a-f-]{36}$/);
  return response.body.jobID as string;
}

async function finished(jobId: string, target = server) {
  const response = await request(target.app.server).get(`/jobs/${jobId}?wait=30`);
  return response.body as { status: string; message: string; progress: number; error?: unknown };
}

interface Results {
  tiles: Array<{
    name: string;
    status: string;
    size?: number;
    href?: string;
    reason?: string;
    bounds: number[];
  }>;
  summary: Record<string, number>;
  statistics: { min: number; max: number; mean: number; count: number; voidCount: number };
  mosaic: {
    href: string;
    width: number;
    height: number;
    bounds: number[];
    resolution: number[];
    nodata: number;
  };
  preview: { href: string; width: number; height: number };
  layers: string[];
  repairs?: string[];
  footprint: { geometry: { coordinates: unknown[] } };
}

const results = async (jobId: string) =>
  (await http().get(`/jobs/${jobId}/results`)).body as Results;

beforeAll(async () => {
  upstream = await FakeTileUpstream.start({ samples: 1201 });
  server = await startTestServer({ pluginsPath: [PLUGINS], env: env() });
});

afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

afterEach(() => {
  upstream.clearFaults();
  upstream.delayMs = 0;
});

describe('a job', () => {
  it('fetches exactly the covering tiles and serves tiles, statistics, mosaic and preview', async () => {
    const jobId = await submit(square(7, 46, 9, 48));
    expect(await finished(jobId)).toMatchObject({ status: 'successful', progress: 100 });
    const r = await results(jobId);
    expect(r.tiles.map((t) => t.name)).toEqual(['N46E007', 'N46E008', 'N47E007', 'N47E008']);
    expect(r.tiles.every((t) => t.status === 'downloaded' && t.size === 1201 * 1201 * 2)).toBe(
      true,
    );
    expect(r.tiles[0]?.bounds).toEqual([7, 46, 8, 47]);
    expect(r.summary).toMatchObject({ total: 4, downloaded: 4, cached: 0, noData: 0, failed: 0 });
    expect(upstream.count()).toBe(4);

    // Statistics against the generated terrain: every sample of the four tiles is inside.
    let min = Infinity;
    let max = -Infinity;
    for (const tile of [
      { lat: 46, lon: 7 },
      { lat: 46, lon: 8 },
      { lat: 47, lon: 7 },
      { lat: 47, lon: 8 },
    ]) {
      for (let row = 0; row < 1201; row += 1) {
        for (let col = 0; col < 1201; col += 1) {
          const [lat, lon] = sampleLatLon(tile, 1201, row, col);
          const h = defaultHeightAt(lat, lon);
          if (h < min) min = h;
          if (h > max) max = h;
        }
      }
    }
    expect(r.statistics.min).toBe(min);
    expect(r.statistics.max).toBe(max);
    expect(r.statistics.voidCount).toBe(0);
    expect(r.statistics.count).toBeGreaterThan(4 * 1200 * 1200 - 1);

    // Tiles: downloadable, with ETag and Range; the bytes are the upstream's, decompressed.
    // Links are absolute, on the host the client reached (or RELIEF_PUBLIC_URL), like every
    // other link of the API; the task wrote them as paths from the root.
    const origin = String.raw`^http://127\.0\.0\.1:\d+`;
    expect(r.tiles[0]?.href).toMatch(new RegExp(`${origin}/elevation/tiles/N46/N46E007\\.hgt$`));
    const href = new URL(r.tiles[0]?.href as string).pathname;
    const whole = await http().get(href).buffer(true);
    expect(whole.status).toBe(200);
    expect(whole.headers.etag).toBeTruthy();
    expect(Buffer.compare(whole.body as Buffer, upstream.hgt('N46E007'))).toBe(0);
    const ranged = await http().get(href).set('range', 'bytes=0-1').buffer(true);
    expect(ranged.status).toBe(206);
    expect((ranged.body as Buffer).readInt16BE(0)).toBe(defaultHeightAt(47, 7));
    const notModified = await http()
      .get(href)
      .set('if-none-match', whole.headers.etag as string);
    expect(notModified.status).toBe(304);

    // Mosaic and preview.
    expect(r.mosaic.href).toMatch(new RegExp(`${origin}/elevation/jobs/${jobId}/mosaic\\.tif$`));
    const tif = await http().get(new URL(r.mosaic.href).pathname).buffer(true);
    expect(tif.status).toBe(200);
    expect(tif.headers['content-type']).toMatch(/^image\/tiff/);
    expect((tif.body as Buffer).subarray(0, 2).toString('latin1')).toMatch(/II|MM/);
    const png = await http().get(new URL(r.preview.href).pathname).buffer(true);
    const meta = await sharp(png.body as Buffer).metadata();
    expect(meta.format).toBe('png');
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(1024);

    // Issue 13: every member of the results is an output the process declares.
    const { outputs } = (await http().get('/processes/elevation-tiles')).body as {
      outputs: Record<string, { minOccurs?: number }>;
    };
    expect(Object.keys(r).filter((key) => !(key in outputs))).toEqual([]);
    expect(Object.keys(outputs).filter((key) => !(key in r))).toEqual(['repairs']);
    expect(outputs.repairs?.minOccurs).toBe(0);

    // Layers for the map services.
    expect(r.layers).toEqual([`elevation-job-${jobId}-footprint`, `elevation-job-${jobId}-dem`]);
    expect(server.layers.get(`elevation-job-${jobId}-footprint`)?.kind).toBe('vector');
    expect(server.layers.get('elevation')?.source).toMatchObject({ kind: 'hgt-folder' });
  });

  it('reuses cached tiles and reports them as cached', async () => {
    const before = upstream.count();
    const jobId = await submit(square(7.2, 46.2, 8.8, 46.8));
    expect((await finished(jobId)).status).toBe('successful');
    const r = await results(jobId);
    expect(r.tiles.map((t) => [t.name, t.status])).toEqual([
      ['N46E007', 'cached'],
      ['N46E008', 'cached'],
    ]);
    expect(upstream.count()).toBe(before);
  });

  it('fetches a tile once for two concurrent jobs that need it', async () => {
    upstream.delayMs = 200;
    const a = submit(square(20.1, 10.1, 21.9, 10.9));
    const b = submit(square(20.5, 10.5, 21.5, 10.7));
    const [jobA, jobB] = await Promise.all([a, b]);
    expect((await finished(jobA)).status).toBe('successful');
    expect((await finished(jobB)).status).toBe('successful');
    expect(upstream.count('N10E020')).toBe(1);
    expect(upstream.count('N10E021')).toBe(1);
  });

  it('retries server errors with backoff, then succeeds', async () => {
    upstream
      .fault('N30E030', { status: 500, times: 2 })
      .fault('N30E030', { status: 503, retryAfter: 0, times: 1 });
    const jobId = await submit(square(30.2, 30.2, 30.8, 30.8));
    expect((await finished(jobId)).status).toBe('successful');
    expect((await results(jobId)).tiles[0]).toMatchObject({
      name: 'N30E030',
      status: 'downloaded',
    });
    expect(upstream.count('N30E030')).toBe(4);
  });

  it('retries a truncated gzip and never caches a partial tile', async () => {
    upstream.fault('N31E030', { truncate: 5000, times: 1 });
    const ok = await submit(square(30.2, 31.2, 30.8, 31.8));
    expect((await finished(ok)).status).toBe('successful');
    expect(upstream.count('N31E030')).toBe(2);

    upstream.fault('N32E030', { truncate: 5000, times: 100 });
    upstream.fault('N32E031', { status: 404 });
    const partial = await submit(square(30.2, 32.2, 31.8, 32.8));
    expect((await finished(partial)).status).toBe('successful');
    const r = await results(partial);
    expect(r.tiles.find((t) => t.name === 'N32E030')).toMatchObject({ status: 'failed' });
    expect(r.tiles.find((t) => t.name === 'N32E030')?.reason).toMatch(/truncated|gzip/i);
    expect(r.tiles.find((t) => t.name === 'N32E031')).toMatchObject({ status: 'no-data' });
    expect(r.summary).toMatchObject({ failed: 1, noData: 1 });
    expect(r.statistics.count).toBe(0);
    expect(r.statistics.voidCount).toBeGreaterThan(0);
    const tiles = join(server.dataDir, 'elevation', 'tiles');
    expect(existsSync(join(tiles, 'N32', 'N32E030.hgt'))).toBe(false);
    expect(await readdir(join(tiles, '.tmp'))).toEqual([]);
    expect((await http().get('/elevation/tiles/N32/N32E030.hgt')).status).toBe(404);
  });

  it('fails clearly when no tile can be fetched', async () => {
    upstream.fault('N33E030', { status: 400, times: 10 });
    const jobId = await submit(square(30.2, 33.2, 30.8, 33.8));
    const status = await finished(jobId);
    expect(status.status).toBe('failed');
    expect(status.message).toMatch(/No tile could be fetched: N33E030/);
    // Each failed tile is an item of the job's structured error.
    expect(status.error).toMatchObject({
      type: 'urn:relief:job-problem:failed',
      items: [{ item: 'N33E030', detail: expect.stringContaining('400') }],
    });
  });

  it('cancels mid-download at once and leaves no partial files', async () => {
    upstream
      .fault('N40E040', { slowBytesPerSecond: 20_000 })
      .fault('N40E041', { slowBytesPerSecond: 20_000 });
    const jobId = await submit(square(40.2, 40.2, 41.8, 40.8));
    await expect
      .poll(() => upstream.count('N40E040') + upstream.count('N40E041'), { timeout: 5000 })
      .toBe(2);
    const tmp = join(server.dataDir, 'elevation', 'tiles', '.tmp');
    await expect
      .poll(async () => (await readdir(tmp)).length, { timeout: 5000 })
      .toBeGreaterThan(0);
    const dismissed = await http().delete(`/jobs/${jobId}`);
    expect(dismissed.body.status).toBe('dismissed');
    await expect.poll(async () => (await readdir(tmp)).length, { timeout: 2000 }).toBe(0);
    expect(existsSync(join(server.dataDir, 'elevation', 'tiles', 'N40', 'N40E040.hgt'))).toBe(
      false,
    );
  });
});

describe('input', () => {
  it('accepts the same area through the process API, in EPSG:3857', async () => {
    const x = (lon: number) => (lon * 20037508.342789244) / 180;
    const y = (lat: number) => Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) * 6378137;
    const created = await http()
      .post('/processes/elevation-tiles/execution')
      .send({ inputs: { geometry: square(x(7.1), y(46.1), x(7.9), y(46.9)), crs: 'EPSG:3857' } });
    expect(created.status).toBe(201);
    expect((await finished(created.body.jobID as string)).status).toBe('successful');
    expect((await results(created.body.jobID as string)).tiles.map((t) => t.name)).toEqual([
      'N46E007',
    ]);
  });

  it('rejects bad input with a 400 problem and stores nothing', async () => {
    const before = (await http().get('/jobs')).body.numberMatched as number;
    const cases: Array<[unknown, string, RegExp]> = [
      [{ type: 'Point', coordinates: [7, 46] }, '', /polygon/i],
      [
        {
          type: 'Polygon',
          coordinates: [
            [
              [7, 46],
              [8, 46],
              [8, 47],
              [7, 46.5],
            ],
          ],
        },
        '',
        /closed/i,
      ],
      [
        {
          type: 'Polygon',
          coordinates: [
            [
              [7, 46],
              [8, 46],
              [7, 46],
            ],
          ],
        },
        '',
        /ring/i,
      ],
      [
        {
          type: 'Polygon',
          coordinates: [
            [
              [7, 95],
              [8, 95],
              [8, 96],
              [7, 95],
            ],
          ],
        },
        '',
        /range|latitude/i,
      ],
      [square(0, 0, 20, 20), '', /more than 50 tiles/],
      [square(7, 46, 8, 47), '?crs=EPSG:2056', /crs|EPSG:2056/i],
    ];
    for (const [body, query, message] of cases) {
      const response = await http()
        .post(`/elevation${query}`)
        .send(body as object);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.type).toBe('application/problem+json');
      expect(response.body.detail).toMatch(message);
    }
    const notJson = await http()
      .post('/elevation')
      .set('content-type', 'application/json')
      .send('{ nope');
    expect(notJson.status).toBe(400);
    const tooLarge = await http()
      .post('/elevation')
      .set('content-type', 'application/geo+json')
      .send(
        JSON.stringify({
          type: 'Polygon',
          coordinates: [[[7, 46]]],
          padding: 'x'.repeat(6 * 1024 * 1024),
        }),
      );
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.type).toBe('application/problem+json');
    expect((await http().get('/jobs')).body.numberMatched).toBe(before);
  });
});

describe('polygon validity', () => {
  const bowtie = {
    type: 'Polygon',
    coordinates: [
      [
        [50.2, 20.2],
        [51.8, 21.8],
        [51.8, 20.2],
        [50.2, 21.8],
        [50.2, 20.2],
      ],
    ],
  };

  it('refuses a self-intersecting (bowtie) polygon with a 400 naming where, and stores nothing', async () => {
    const before = (await http().get('/jobs')).body.numberMatched as number;
    for (const [path, body] of [
      ['/elevation', bowtie],
      ['/processes/elevation-tiles/execution', { inputs: { geometry: bowtie } }],
    ] as const) {
      const response = await http().post(path).send(body);
      expect(response.status).toBe(400);
      expect(response.type).toBe('application/problem+json');
      expect(response.body.detail).toBe(
        'ring 0 has a self-intersection at 51,21: two of its edges cross (an invalid polygon; send repair=true to have it repaired)',
      );
      expect(response.body.locator).toMatch(/coordinates\[0\]$/);
    }
    const outsideHole = {
      type: 'Polygon',
      coordinates: [square(7, 46, 8, 47).coordinates[0], square(9, 46, 9.5, 46.5).coordinates[0]],
    };
    const hole = await http().post('/elevation').send(outsideHole);
    expect(hole.status).toBe(400);
    expect(hole.body.detail).toMatch(/^ring 1 is a hole outside its shell \(ring 0\)/);
    expect((await http().get('/jobs')).body.numberMatched).toBe(before);
  });

  it('repairs a bowtie only with repair=true, says so, and fetches the tiles of the repaired area', async () => {
    const created = await http().post('/elevation?repair=true').send(bowtie);
    expect(created.status).toBe(201);
    expect(created.body.repairs).toEqual([
      'ring 0 has a self-intersection at 51,21: two of its edges cross',
    ]);
    const jobId = created.body.jobID as string;
    expect((await finished(jobId)).status).toBe('successful');
    const result = await results(jobId);
    expect(result.repairs).toEqual(created.body.repairs);
    // Two triangles meeting at 51,21: each covers two of the four cells.
    expect(result.tiles.map((t) => t.name).sort()).toEqual([
      'N20E050',
      'N20E051',
      'N21E050',
      'N21E051',
    ]);
    expect(result.footprint.geometry.coordinates).toHaveLength(2);

    const viaProcess = await http()
      .post('/processes/elevation-tiles/execution')
      .send({ inputs: { geometry: bowtie, repair: true } });
    expect(viaProcess.status).toBe(201);
    expect((await finished(viaProcess.body.jobID as string)).status).toBe('successful');
    expect((await results(viaProcess.body.jobID as string)).repairs).toEqual(created.body.repairs);
    expect((await http().post('/elevation?repair=yes').send(bowtie)).status).toBe(400);
  });
});

describe('restart', () => {
  it('resumes an interrupted job without refetching the tiles it already has', async () => {
    const dataEnv = env();
    const first = await startTestServer({ pluginsPath: [PLUGINS], env: dataEnv });
    upstream.fault('N50E051', { slowBytesPerSecond: 30_000 });
    const created = await request(first.app.server)
      .post('/elevation')
      .send(square(50.2, 50.2, 51.8, 50.8));
    const jobId = created.body.jobID as string;
    await expect
      .poll(
        async () =>
          ((await request(first.app.server).get(`/jobs/${jobId}`)).body as { message: string })
            .message,
        {
          timeout: 10_000,
        },
      )
      .toMatch(/^1 of 2 tiles/);
    // The slow tile's request must have reached the upstream before the interruption: one tile
    // done does not say the other one's fetch has started (it did not, once, on Node 24).
    await expect.poll(() => upstream.count('N50E051'), { timeout: 10_000 }).toBe(1);
    const dataDir = first.dataDir;
    await first.app.close(); // SIGTERM-like: running tasks are interrupted, records kept
    upstream.clearFaults();
    const second = await startTestServer({
      pluginsPath: [PLUGINS],
      env: { ...dataEnv, RELIEF_DATA_DIR: dataDir },
    });
    try {
      const status = await finished(jobId, second);
      expect(status.status).toBe('successful');
      const r = (await request(second.app.server).get(`/jobs/${jobId}/results`)).body as Results;
      expect(r.tiles.map((t) => [t.name, t.status])).toEqual([
        ['N50E050', 'downloaded'],
        ['N50E051', 'downloaded'],
      ]);
      expect(upstream.count('N50E050')).toBe(1);
      expect(upstream.count('N50E051')).toBe(2);
    } finally {
      await second.close();
    }
  });
});
