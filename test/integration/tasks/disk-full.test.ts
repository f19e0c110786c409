/**
 * Storage faults invisible (issue 16, item 6), for any task: a job that meets a full or
 * read-only file system fails with a message that says so and names the data dir, not with
 * "internal error"; a pool thread's error (which loses its code on the way) is recognised too.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkerPool } from '../../../src/pool/worker-pool.ts';
import { SqliteJobStore } from '../../../src/tasks/sqlite-job-store.ts';
import { TaskFailure } from '../../../src/tasks/task-errors.ts';
import { TaskManager } from '../../../src/tasks/task-manager.ts';
import type { TaskRunContext } from '../../../src/tasks/task-types.ts';

const WRITE = new URL('../../fixtures/workers/write-worker.ts', import.meta.url);

let pool: WorkerPool;
let dataDir: string;
let store: SqliteJobStore;
let manager: TaskManager;

const fsError = (code: string) =>
  Object.assign(new Error(`${code}: something went wrong, write`), { code });

type Behaviour = (context: TaskRunContext) => Promise<unknown>;

/** What each job does, by its input. */
const behaviours: Record<string, Behaviour> = {
  enospc: () => Promise.reject(fsError('ENOSPC')),
  erofs: () => Promise.reject(fsError('EROFS')),
  eacces: () => Promise.reject(fsError('EACCES')),
  taskFailure: () => Promise.reject(new TaskFailure('my own words', { cause: fsError('ENOSPC') })),
  devFull: (context) => context.runOnPool(WRITE, 'writeTo', { path: '/dev/full' }),
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'relief-disk-full-'));
  pool = new WorkerPool({ threads: 1 });
  store = new SqliteJobStore(join(dataDir, 'relief.db'));
  manager = new TaskManager({
    store,
    pool,
    log: pino({ level: 'silent' }),
    maxConcurrent: 2,
    jobsDir: join(dataDir, 'jobs'),
    dataDir,
    retentionSeconds: 3600,
  });
  manager.registerType({
    id: 'write',
    title: 'Write',
    version: '1.0.0',
    inputSchema: z.enum(Object.keys(behaviours) as [string, ...string[]]),
    inputs: {},
    outputs: {},
    resumable: false,
    run: (input, context) => (behaviours[input as string] as Behaviour)(context),
  });
  await manager.start();
});

afterAll(async () => {
  await manager?.shutdown(1000);
  store?.close();
  await pool?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function errorOf(behaviour: string): Promise<string | null> {
  const job = manager.submit('write', behaviour);
  const final = await manager.waitForFinal(job.id, 15_000);
  expect(final?.status).toBe('failed');
  return final?.error ?? null;
}

describe('a job that meets a full or read-only disk', () => {
  it('fails with "disk full", naming the data dir (ENOSPC)', async () => {
    expect(await errorOf('enospc')).toBe(
      `disk full: no space left on the file system of the data dir ${dataDir} (ENOSPC); free some space or enlarge the volume, then submit the job again`,
    );
  });

  it.skipIf(!existsSync('/dev/full'))(
    'fails with "disk full" when a pool thread meets a real ENOSPC (/dev/full)',
    async () => {
      expect(await errorOf('devFull')).toMatch(
        /^disk full: no space left on the file system of the data dir /,
      );
    },
  );

  it('fails with "read-only" on a read-only file system (EROFS)', async () => {
    expect(await errorOf('erofs')).toMatch(
      new RegExp(
        `^data dir read-only: the file system of the data dir ${dataDir} is mounted read-only`,
      ),
    );
  });

  it('keeps a TaskFailure’s own message, and other errors internal', async () => {
    expect(await errorOf('taskFailure')).toBe('my own words');
    expect(await errorOf('eacces')).toMatch(
      /^Write failed because of an internal error; the server log has the details \(job [0-9a-f-]{36}\)$/,
    );
  });
});
