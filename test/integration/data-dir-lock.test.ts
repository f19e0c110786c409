/**
 * Two pods on one volume (issue 16, item 3): a second server on a data dir that a running server
 * holds fails start-up with a message naming the data dir and the holder; a clean shutdown frees
 * the data dir for the next server. (server-process.test.ts runs the same with two processes.)
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { createServer } from '../../src/server/create-server.ts';
import { LOCK_FILE } from '../../src/storage/data-dir-lock.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

let first: TestServer | undefined;
afterEach(async () => {
  await first?.close();
  first = undefined;
});

/** A server on `dataDir`, built without the test helper (which would make a data dir of its own). */
function createServerOn(dataDir: string) {
  const env = {
    RELIEF_DATA_DIR: dataDir,
    RELIEF_PLUGINS_PATH: join(dataDir, 'no-plugins'),
    RELIEF_WORKERS: '1',
  } as NodeJS.ProcessEnv;
  return createServer(loadConfig(env), { logger: pino({ level: 'silent' }), env });
}

describe('two pods on one volume (item 3)', () => {
  it('a second server on a held data dir fails start-up, naming the data dir and the holder', async () => {
    first = await startTestServer();
    const error = await createServerOn(first.dataDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^The data dir ${first.dataDir} is in use by another Relief server \\(pid ${process.pid} on host ${hostname()}, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); two servers on one data dir would run the same jobs twice\\.`,
      ),
    );
    expect(message).not.toContain('\n');
    // The holder goes on undisturbed.
    expect((await request(first.app.server).get('/ready')).status).toBe(200);
  });

  it('a clean shutdown frees the data dir: the next server starts on it', async () => {
    first = await startTestServer();
    const dataDir = first.dataDir;
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);
    await first.app.close();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    const next = await createServerOn(dataDir);
    try {
      await next.app.ready();
      expect((await request(next.app.server).get('/ready')).status).toBe(200);
    } finally {
      await next.app.close();
      await first.close(); // removes the data dir; closing the first app again is harmless
      first = undefined;
    }
  });
});
