/**
 * SqliteJobStore on a real SQLite file: round trips of every column (JSON ones included), updates,
 * filtered and paged listing (newest first), the recovery and expiry queries, WAL mode.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJobStore } from '../../../src/tasks/sqlite-job-store.ts';
import type { JobRecord, JobStatus } from '../../../src/tasks/task-types.ts';

let dir: string;
let file: string;
let store: SqliteJobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-job-store-'));
  file = join(dir, 'jobs.db');
  store = new SqliteJobStore(file);
});

afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const T0 = '2030-01-01T00:00:00.000Z';

function newJob(id: string, overrides: Partial<Parameters<SqliteJobStore['insert']>[0]> = {}) {
  return {
    id,
    processId: 'test-process',
    input: { n: 1 },
    status: 'accepted' as JobStatus,
    priority: 0,
    group: null,
    dependsOn: [],
    progress: 0,
    message: 'Queued',
    created: T0,
    updated: T0,
    attempts: 0,
    parentId: null,
    ...overrides,
  };
}

describe('JobStore', () => {
  it('round-trips an inserted job, JSON columns included', () => {
    const input = { bbox: [1.5, 2, 3, 4], name: 'ünïcode', nested: { deep: [true, null] } };
    const inserted = store.insert(
      newJob('job-1', { input, priority: 7, group: 'g1', dependsOn: ['a', 'b'] }),
    );
    const expected: JobRecord = {
      id: 'job-1',
      processId: 'test-process',
      input,
      status: 'accepted',
      priority: 7,
      group: 'g1',
      dependsOn: ['a', 'b'],
      progress: 0,
      message: 'Queued',
      created: T0,
      started: null,
      finished: null,
      updated: T0,
      attempts: 0,
      result: undefined,
      error: null,
      checkpoint: undefined,
      cancelRequested: null,
      problem: null,
      held: false,
      parentId: null,
      awaitingSubtasks: false,
      sequence: inserted.sequence,
    };
    expect(inserted).toEqual(expected);
    expect(store.get('job-1')).toEqual(expected);
    expect(store.get('no-such-job')).toBeUndefined();
  });

  it('stores an undefined input as null', () => {
    store.insert(newJob('job-1', { input: undefined }));
    expect(store.get('job-1')?.input).toBeNull();
  });

  it('gives later inserts a larger sequence', () => {
    const a = store.insert(newJob('a'));
    const b = store.insert(newJob('b'));
    expect(b.sequence).toBeGreaterThan(a.sequence);
  });

  it('rejects a duplicate id', () => {
    store.insert(newJob('dup'));
    expect(() => store.insert(newJob('dup'))).toThrow();
  });

  it('updates the given fields only, JSON ones included, and always `updated`', () => {
    store.insert(newJob('job-1'));
    store.update('job-1', {
      status: 'running',
      started: '2030-01-01T00:00:01.000Z',
      attempts: 1,
      checkpoint: { tile: 42, done: ['x'] },
    });
    let job = store.get('job-1')!;
    expect(job).toMatchObject({
      status: 'running',
      started: '2030-01-01T00:00:01.000Z',
      attempts: 1,
      checkpoint: { tile: 42, done: ['x'] },
      message: 'Queued',
      input: { n: 1 },
      finished: null,
    });
    expect(job.updated).not.toBe(T0);
    expect(Date.parse(job.updated)).toBeGreaterThan(Date.now() - 60_000);

    store.update('job-1', {
      status: 'successful',
      progress: 100,
      result: { value: [1, 2, 3] },
      finished: '2030-01-01T00:00:02.000Z',
      updated: '2030-01-01T00:00:02.000Z',
    });
    job = store.get('job-1')!;
    expect(job).toMatchObject({
      status: 'successful',
      progress: 100,
      result: { value: [1, 2, 3] },
      finished: '2030-01-01T00:00:02.000Z',
      updated: '2030-01-01T00:00:02.000Z',
      checkpoint: { tile: 42, done: ['x'] },
    });

    // A null result stays null (a task may succeed with nothing); undefined clears the column.
    store.update('job-1', { result: null, checkpoint: undefined });
    job = store.get('job-1')!;
    expect(job.result).toBeNull();
    expect(job.checkpoint).toBeUndefined();
  });

  it('ignores fields that are not columns', () => {
    store.insert(newJob('job-1'));
    store.update('job-1', { message: 'hi', bogus: 1 } as Parameters<SqliteJobStore['update']>[1]);
    expect(store.get('job-1')?.message).toBe('hi');
  });

  describe('list', () => {
    beforeEach(() => {
      // 10 jobs: alternating processes, statuses cycling through three values.
      const statuses: JobStatus[] = ['accepted', 'running', 'successful'];
      for (let i = 0; i < 10; i++) {
        store.insert(
          newJob(`j${i}`, {
            processId: i % 2 === 0 ? 'even' : 'odd',
            status: statuses[i % 3]!,
          }),
        );
      }
    });

    const ids = (result: { jobs: JobRecord[] }) => result.jobs.map((j) => j.id);

    it('lists everything, newest first, with the total', () => {
      const result = store.list({ limit: 100, offset: 0 });
      expect(result.total).toBe(10);
      expect(ids(result)).toEqual(['j9', 'j8', 'j7', 'j6', 'j5', 'j4', 'j3', 'j2', 'j1', 'j0']);
    });

    it('pages with limit and offset; total counts all matches', () => {
      expect(store.list({ limit: 3, offset: 0 })).toMatchObject({ total: 10 });
      expect(ids(store.list({ limit: 3, offset: 0 }))).toEqual(['j9', 'j8', 'j7']);
      expect(ids(store.list({ limit: 3, offset: 3 }))).toEqual(['j6', 'j5', 'j4']);
      expect(ids(store.list({ limit: 3, offset: 9 }))).toEqual(['j0']);
      const past = store.list({ limit: 3, offset: 20 });
      expect(past).toEqual({ jobs: [], total: 10 });
    });

    it('pages at the largest safe offset without an SQLite datatype mismatch', () => {
      expect(store.list({ limit: 1000, offset: Number.MAX_SAFE_INTEGER })).toEqual({
        jobs: [],
        total: 10,
      });
    });

    it('refuses a limit or offset the routes should have refused, before SQLite sees it', () => {
      for (const limit of [0, -1, 2 ** 63, Infinity, NaN, 1.5]) {
        expect(() => store.list({ limit, offset: 0 })).toThrow(
          `job list limit must be an integer from 1 to ${Number.MAX_SAFE_INTEGER}`,
        );
      }
      for (const offset of [-1, 1e300, 2 ** 63, Infinity, NaN, 0.5]) {
        expect(() => store.list({ limit: 1, offset })).toThrow(
          `job list offset must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`,
        );
      }
    });

    it('filters by status', () => {
      const result = store.list({ status: ['running'], limit: 100, offset: 0 });
      expect(result.total).toBe(3);
      expect(ids(result)).toEqual(['j7', 'j4', 'j1']);
      const two = store.list({ status: ['accepted', 'successful'], limit: 2, offset: 1 });
      expect(two.total).toBe(7);
      expect(ids(two)).toEqual(['j8', 'j6']);
    });

    it('filters by process id', () => {
      const result = store.list({ processId: ['odd'], limit: 100, offset: 0 });
      expect(result.total).toBe(5);
      expect(ids(result)).toEqual(['j9', 'j7', 'j5', 'j3', 'j1']);
      expect(store.list({ processId: ['even', 'odd'], limit: 1, offset: 0 }).total).toBe(10);
      expect(store.list({ processId: ['none'], limit: 10, offset: 0 })).toEqual({
        jobs: [],
        total: 0,
      });
    });

    it('combines status and process filters', () => {
      const result = store.list({
        status: ['accepted'],
        processId: ['even'],
        limit: 100,
        offset: 0,
      });
      // accepted: j0, j3, j6, j9; even among them: j0, j6.
      expect(result.total).toBe(2);
      expect(ids(result)).toEqual(['j6', 'j0']);
    });

    it('treats empty filter arrays as no filter', () => {
      expect(store.list({ status: [], processId: [], limit: 100, offset: 0 }).total).toBe(10);
    });
  });

  it('unfinished() returns accepted and running jobs, oldest first', () => {
    store.insert(newJob('a', { status: 'running' }));
    store.insert(newJob('b', { status: 'successful' }));
    store.insert(newJob('c'));
    store.insert(newJob('d', { status: 'failed' }));
    store.insert(newJob('e', { status: 'dismissed' }));
    store.insert(newJob('f', { status: 'running' }));
    expect(store.unfinished().map((j) => j.id)).toEqual(['a', 'c', 'f']);
  });

  it('finishedBefore() returns finished jobs strictly older than the time', () => {
    store.insert(newJob('old'));
    store.insert(newJob('edge'));
    store.insert(newJob('new'));
    store.insert(newJob('unfinished'));
    store.update('old', { status: 'successful', finished: '2030-01-01T00:00:00.000Z' });
    store.update('edge', { status: 'failed', finished: '2030-01-01T01:00:00.000Z' });
    store.update('new', { status: 'dismissed', finished: '2030-01-01T02:00:00.000Z' });
    expect(store.finishedBefore('2030-01-01T01:00:00.000Z').map((j) => j.id)).toEqual(['old']);
    expect(store.finishedBefore('2030-01-01T01:00:00.001Z').map((j) => j.id)).toEqual([
      'old',
      'edge',
    ]);
    expect(store.finishedBefore('2099-01-01T00:00:00.000Z').map((j) => j.id)).toEqual([
      'old',
      'edge',
      'new',
    ]);
  });

  it('deletes a job; deleting a missing one is harmless', () => {
    store.insert(newJob('a'));
    store.insert(newJob('b'));
    store.delete('a');
    store.delete('a');
    expect(store.get('a')).toBeUndefined();
    expect(store.get('b')).toBeDefined();
    expect(store.list({ limit: 10, offset: 0 }).total).toBe(1);
  });

  it('keeps its data across close and reopen', () => {
    store.insert(newJob('kept', { input: { x: 1 } }));
    store.update('kept', { checkpoint: { step: 3 } });
    store.close();
    store.close();
    store = new SqliteJobStore(file);
    expect(store.get('kept')).toMatchObject({ input: { x: 1 }, checkpoint: { step: 3 } });
  });

  it('uses WAL journal mode', () => {
    store.insert(newJob('a'));
    expect(existsSync(`${file}-wal`)).toBe(true);
    const other = new Database(file, { readonly: true });
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
      // The second connection sees the committed row.
      expect(other.prepare('SELECT id FROM jobs').all()).toEqual([{ id: 'a' }]);
    } finally {
      other.close();
    }
  });

  it('adds the cancel_requested column to a data dir written before it existed, keeping its jobs', () => {
    store.close();
    const old = join(dir, 'old.db');
    const db = new Database(old);
    db.exec(`CREATE TABLE jobs (
      sequence INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, process_id TEXT NOT NULL,
      input TEXT NOT NULL, status TEXT NOT NULL, priority INTEGER NOT NULL DEFAULT 0, group_name TEXT,
      depends_on TEXT NOT NULL DEFAULT '[]', progress INTEGER NOT NULL DEFAULT 0,
      message TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, started TEXT, finished TEXT,
      updated TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, result TEXT, error TEXT,
      checkpoint TEXT)`);
    db.prepare(
      `INSERT INTO jobs (id, process_id, input, status, created, updated) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run('old-job', 'p', '{}', 'running', T0, T0);
    db.close();
    store = new SqliteJobStore(old);
    expect(store.get('old-job')).toMatchObject({ status: 'running', cancelRequested: null });
    store.update('old-job', { cancelRequested: 'Dismissed by request' });
    expect(store.get('old-job')?.cancelRequested).toBe('Dismissed by request');
  });
});
