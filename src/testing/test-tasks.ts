/**
 * A task manager without a server, for testing a task type on its own (part of `relief/testing`):
 * a real pool, a real SQLite job store in a temporary folder, the plugin-facing task API. For a
 * task whose collaborators a test replaces (a cache that fails, an upstream that stalls), which a
 * whole server with the plugin loaded would not let it reach.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { WorkerPool } from '../pool/worker-pool.ts';
import { SqliteJobStore } from '../tasks/sqlite-job-store.ts';
import { TaskManager } from '../tasks/task-manager.ts';

export interface TestTasksOptions {
  /** Jobs run at once (default 1). */
  maxConcurrent?: number;
  /** Pool threads per lane (default 1). */
  threads?: number;
}

export interface TestTasks {
  /** The same task manager a plugin gets as `relief.tasks`, plus registerType. */
  tasks: TaskManager;
  /** The pool the tasks run on; also for running a worker module directly. */
  pool: WorkerPool;
  /** A temporary folder, removed by close(): the jobs' folders and database live in it. */
  dataDir: string;
  /** Stops the tasks (waiting at most `graceMs` for running ones), the pool, and removes dataDir. */
  close(graceMs?: number): Promise<void>;
}

/**
 * A pool of the server's kind (interactive, background and io lanes, the same worker loader) for
 * running a plugin's worker modules in tests; `close()` it when done.
 */
export function startTestPool(options: { threads?: number } = {}): WorkerPool {
  return new WorkerPool({ threads: options.threads ?? 1 });
}

export async function startTestTasks(options: TestTasksOptions = {}): Promise<TestTasks> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relief-test-tasks-'));
  const pool = startTestPool(options);
  const store = new SqliteJobStore(join(dataDir, 'relief.db'));
  const tasks = new TaskManager({
    store,
    pool,
    log: pino({ level: 'silent' }),
    maxConcurrent: options.maxConcurrent ?? 1,
    jobsDir: join(dataDir, 'jobs'),
    dataDir,
    retentionSeconds: 3600,
  });
  return {
    tasks,
    pool,
    dataDir,
    async close(graceMs = 1000) {
      await tasks.shutdown(graceMs);
      store.close();
      await pool.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
