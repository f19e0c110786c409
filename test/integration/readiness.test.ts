/**
 * Readiness that tells the truth (issue 16, items 4 and 6): a plugin that failed to load, an
 * unwritable data dir, or one short of free space make `/ready` answer 503 with the reason in
 * `checks`, while `/health` (liveness) stays 200: restarting would not fix any of them.
 */
import { rename, rm, statfs, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const SHIPPED_PLUGINS = fileURLToPath(new URL('../../plugins/', import.meta.url));

const POLYGON = {
  type: 'Polygon',
  coordinates: [
    [
      [7.1, 46.1],
      [7.4, 46.1],
      [7.4, 46.4],
      [7.1, 46.1],
    ],
  ],
};

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function probes(target: TestServer) {
  const [health, ready] = await Promise.all([
    request(target.app.server).get('/health'),
    request(target.app.server).get('/ready'),
  ]);
  return { health, ready };
}

describe('a healthy server', () => {
  it('is ready, and reports its data dir as writable with the free space', async () => {
    server = await startTestServer({ pluginsPath: [SHIPPED_PLUGINS] });
    const { ready } = await probes(server);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.checks.plugins).toEqual({ status: 'loaded', loaded: 2, failed: 0 });
    expect(ready.body.checks.dataDir).toMatchObject({
      status: 'ok',
      minFreeBytes: 256 * 1024 * 1024,
    });
    expect(ready.body.checks.dataDir.freeBytes).toBeGreaterThan(0);
  });
});

describe('broken plugin config rolls out green (item 4)', () => {
  it('RELIEF_ELEVATION_SOURCE=not-a-url: not ready, naming the plugin and its error; still alive', async () => {
    server = await startTestServer({
      pluginsPath: [SHIPPED_PLUGINS],
      env: { RELIEF_ELEVATION_SOURCE: 'not-a-url' },
    });
    const { health, ready } = await probes(server);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('not-ready');
    expect(ready.body.checks.plugins).toEqual({
      status: 'failed',
      loaded: 1,
      failed: 1,
      failures: [
        {
          name: 'elevation',
          error:
            'invalid config plugins.elevation.source: must be an http(s) URL template containing {name} (and usually {dir})',
        },
      ],
    });
    // What a rollout gated on readiness no longer lets through:
    expect((await request(server.app.server).post('/elevation').send({})).status).toBe(404);
  });
});

describe('storage faults invisible (item 6)', () => {
  it('a data dir short of RELIEF_MIN_FREE_DISK: not ready, with the free space and the threshold', async () => {
    const threshold = 2 ** 50; // 1 PiB: more than this disk has
    server = await startTestServer({ env: { RELIEF_MIN_FREE_DISK: String(threshold) } });
    const { health, ready } = await probes(server);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(503);
    const stats = await statfs(server.dataDir);
    const { dataDir } = ready.body.checks as { dataDir: { freeBytes: number } };
    // Other processes write meanwhile: the free space is the disk's, give or take.
    expect(Math.abs(dataDir.freeBytes - stats.bavail * stats.bsize)).toBeLessThan(2 ** 30);
    expect(dataDir).toEqual({
      status: 'low-space',
      freeBytes: dataDir.freeBytes,
      minFreeBytes: threshold,
      reason: `${dataDir.freeBytes} bytes free, below RELIEF_MIN_FREE_DISK (${threshold})`,
    });
  });

  it('a data dir short of RELIEF_MIN_FREE_DISK: new jobs get 507 and nothing is recorded', async () => {
    server = await startTestServer({
      pluginsPath: [SHIPPED_PLUGINS],
      env: { RELIEF_MIN_FREE_DISK: String(2 ** 50) },
    });
    const elevation = await request(server.app.server).post('/elevation').send(POLYGON);
    expect(elevation.status).toBe(507);
    expect(elevation.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(elevation.body).toMatchObject({
      status: 507,
      detail: 'Not enough free disk space for a new job; try again later',
    });
    const process = await request(server.app.server)
      .post('/processes/elevation-tiles/execution')
      .send({ inputs: { geometry: POLYGON } });
    expect(process.status).toBe(507);
    expect(process.body).toMatchObject({ status: 507 });
    // The answer says nothing of the disk (sizes, paths): that is for /ready and the log.
    const bodies = JSON.stringify([elevation.body, process.body]);
    expect(bodies).not.toMatch(/bytes|RELIEF_/);
    expect(bodies).not.toContain(server.dataDir);
    const jobs = await request(server.app.server).get('/jobs');
    expect(jobs.body.jobs).toEqual([]);
  });

  it('an unwritable data dir: not ready, with the error; new jobs get 503', async () => {
    server = await startTestServer({ pluginsPath: [SHIPPED_PLUGINS] });
    // The volume under the data dir is replaced by something no one can write into (root
    // included, unlike a chmod): a file where the folder was.
    const dir = server.dataDir;
    await rename(dir, `${dir}.moved`);
    await writeFile(dir, 'not a folder');
    try {
      const { health, ready } = await probes(server);
      expect(health.status).toBe(200);
      expect(ready.status).toBe(503);
      // And a job, which could not keep its files, is refused rather than failed later.
      const execute = await request(server.app.server).post('/elevation').send(POLYGON);
      expect({ status: execute.status, detail: execute.body.detail }).toEqual({
        status: 503,
        detail: 'The server cannot store a new job now; try again later',
      });
      expect(ready.body.checks.dataDir).toMatchObject({
        status: 'unwritable',
        reason: expect.stringMatching(
          new RegExp(`^ENOTDIR: not a directory, open '${dir}/\\.write-probe-\\d+'$`),
        ),
      });
    } finally {
      await rm(dir);
      await rename(`${dir}.moved`, dir);
    }
  });
});
