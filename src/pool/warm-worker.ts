/**
 * Pool worker of WorkerPool.warm: each job first holds its thread until all of them have one
 * (a barrier in shared memory), so the jobs are spread over every thread, then loads the worker
 * modules there. A module is loaded (and compiled by tsx) once per thread, which takes hundreds
 * of milliseconds; warmed at start-up, no request pays for it.
 */
import { threadId } from 'node:worker_threads';
import { loadWorkerModule } from './pool-job.ts';

export interface WarmInput {
  /** Module URLs (href) to load. */
  modules: string[];
  /** One Int32: the number of warm jobs holding a thread so far. */
  barrier: SharedArrayBuffer;
  /** How many warm jobs there are: the pool's threads. */
  parties: number;
  /** The longest a job waits for the others (a busy pool): it then loads the modules anyway. */
  waitMs: number;
}

/** Returns the thread it ran on. */
export async function loadModules(input: WarmInput): Promise<number> {
  const count = new Int32Array(input.barrier);
  Atomics.add(count, 0, 1);
  Atomics.notify(count, 0);
  const until = performance.now() + input.waitMs;
  for (;;) {
    const arrived = Atomics.load(count, 0);
    const left = until - performance.now();
    if (arrived >= input.parties || left <= 0) break;
    Atomics.wait(count, 0, arrived, left);
  }
  for (const module of input.modules) await loadWorkerModule(module);
  return threadId;
}
