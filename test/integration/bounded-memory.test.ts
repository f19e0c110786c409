/**
 * Issue 16, item 1 (OOM-killed at 512 MiB), through a running server: the decoded-row cache of
 * every pool thread is sized from RELIEF_MEMORY_LIMIT, and GetMaps beyond the map memory wait in
 * a bounded queue; one that finds it full, or waits too long, gets 503 with Retry-After and an
 * OGC exception report (never an image, whatever EXCEPTIONS says), and the server serves maps
 * again once the load is gone.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rasterCacheStatsOnPool } from '../../src/raster/raster-jobs.ts';
import { holdPoolThread } from '../helpers/hold-pool-thread.ts';
import { publishFlatElevation } from '../helpers/flat-elevation-layer.ts';
import { attr, first, parseXml, text } from '../helpers/parse-xml.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const MiB = 1024 ** 2;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      // One thread a lane (two in the pool), 512 MiB: 18 MiB of rows a thread.
      RELIEF_MEMORY_LIMIT: '512Mi',
      // Room for one 256 × 256 map (1 MiB) while compositing; one more may wait, for 1 s.
      RELIEF_MAX_MAP_MEMORY: '1Mi',
      RELIEF_MAX_MAP_QUEUE: '1',
      RELIEF_MAP_QUEUE_TIMEOUT: '1',
    },
  });
  await publishFlatElevation(server);
});

afterAll(async () => {
  await server?.close();
});

const MAP =
  'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=elevation&STYLES=&CRS=EPSG:4326' +
  '&BBOX=46.2,8.2,46.8,8.8&WIDTH=256&HEIGHT=256&FORMAT=image/png';

function getMap(query = MAP) {
  return request(server.app.server).get(`/ows?${query}`).set('Host', 'maps.example.org');
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** The 503's exception report: code and text. */
function busyReport(response: request.Response) {
  expect(response.status, response.text).toBe(503);
  expect(response.headers['retry-after']).toBe('5');
  expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
  const doc = parseXml(response.text);
  expect(doc.name).toBe('ServiceExceptionReport');
  const exception = first(doc.root, 'ServiceException');
  return { code: attr(exception, 'code'), text: text(exception) };
}

describe('the row cache', () => {
  it('is sized from RELIEF_MEMORY_LIMIT in every pool thread', async () => {
    const stats = await Promise.all([0, 1, 2].map(() => rasterCacheStatsOnPool(server.pool)));
    for (const { maxBytes } of stats) expect(maxBytes).toBe(18 * MiB);
  });
});

describe('GetMap admission', () => {
  it('refuses maps beyond the queue or its wait with 503 and Retry-After, then serves again', async () => {
    // Hold the request lane's one thread: the first map takes the map memory and queues for it.
    const thread = await holdPoolThread(server.pool);
    const admitted = getMap().then((response) => response);
    await until(() => server.pool.stats.lanes.interactive.queued === 1);
    // Two more: one waits in the queue (RELIEF_MAX_MAP_QUEUE=1), the other is refused at once.
    // Which one arrives first is up to the network; the one left waiting times out after 1 s.
    const settled: request.Response[] = [];
    const extra = [getMap(), getMap(`${MAP}&EXCEPTIONS=INIMAGE`)].map((pending) =>
      pending.then((response) => {
        settled.push(response);
        return response;
      }),
    );
    await until(() => settled.length === 1);
    expect(busyReport(settled[0]!)).toEqual({
      code: 'NoApplicableCode',
      text: 'The server is busy: the queue for map memory is full (1 waiting); try again in 5 s',
    });
    // The pool is still held, so the waiting one runs out of time.
    await Promise.all(extra);
    expect(busyReport(settled[1]!)).toEqual({
      code: 'NoApplicableCode',
      text: 'The server is busy: the map waited 1 s for map memory; try again in 5 s',
    });
    expect(server.pool.stats.lanes.interactive.queued).toBe(1);

    await thread.release();
    const first = await admitted;
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('image/png');
    const after = await getMap();
    expect(after.status).toBe(200);
    expect(after.headers['retry-after']).toBeUndefined();
    // Load, not a fault: a warning each, without a stack, and no error lines.
    const warnings = server.logs.filter((line) => line.level === 40 && line.retryAfter === 5);
    expect(warnings).toHaveLength(2);
    expect(server.logs.filter((line) => line.level >= 50)).toEqual([]);
  });
});
