/**
 * The worker pool's lanes and cancelling with real threads (issue 9): interactive work submitted
 * while background work fills its threads starts at once on the pool's extra thread, and before
 * the background work queued earlier; background work never holds every thread; a cooperative abort
 * stops the worker at its next check and keeps its thread. Proved by what the jobs record in
 * shared memory (test/fixtures/workers/latch-worker.ts), never by timing.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool, type RunOptions } from '../../src/pool/worker-pool.ts';
import { board } from '../fixtures/workers/latch-worker.ts';

const LATCH_WORKER = new URL('../fixtures/workers/latch-worker.ts', import.meta.url);

let pool: WorkerPool | undefined;
/** Every latch board of the test, opened after it so a failed test cannot hang the pool. */
const boards: Array<{ memory: SharedArrayBuffer; jobs: number }> = [];

afterEach(async () => {
  for (const { memory, jobs } of boards.splice(0)) {
    for (let id = 0; id < jobs; id++) release(memory, id);
  }
  await pool?.close();
  pool = undefined;
});

function newBoard(jobs: number): SharedArrayBuffer {
  const memory = new SharedArrayBuffer(board.bytes(jobs));
  boards.push({ memory, jobs });
  return memory;
}

interface Latched {
  /** Settles with the job. */
  done: Promise<number>;
  /** Resolves when the job holds its thread. */
  started: Promise<void>;
}

function latched(
  target: WorkerPool,
  memory: SharedArrayBuffer,
  id: number,
  lane: RunOptions['lane'],
): Latched {
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const done = target.run<number>(
    LATCH_WORKER,
    'latched',
    { id, background: lane === 'background', memory },
    { lane, onProgress: () => started() },
  );
  return { done, started: startedPromise };
}

function release(memory: SharedArrayBuffer, id: number): void {
  const shared = new Int32Array(memory);
  Atomics.store(shared, board.latch(id), 1);
  Atomics.notify(shared, board.latch(id));
}

/** Start ranks by job id: 0 for a job that has not started. */
function ranks(memory: SharedArrayBuffer, jobs: number): number[] {
  const shared = new Int32Array(memory);
  return Array.from({ length: jobs }, (_, id) => Atomics.load(shared, board.rank(id)));
}

describe('worker pool lanes (2 threads)', () => {
  it('starts interactive work before queued background work, on a thread background work cannot take', async () => {
    pool = new WorkerPool({ threads: 2 });
    const memory = newBoard(6);
    const [B1, B2, B3, B4, I1, I2] = [0, 1, 2, 3, 4, 5] as const;

    // No request: background work takes both of its threads.
    const b1 = latched(pool, memory, B1, 'background');
    const b2 = latched(pool, memory, B2, 'background');
    await Promise.all([b1.started, b2.started]);
    const b3 = latched(pool, memory, B3, 'background');
    const b4 = latched(pool, memory, B4, 'background');
    // A request starts at once, on the pool's third thread, while b3 and b4 wait.
    const i1 = latched(pool, memory, I1, 'interactive');
    await i1.started;
    expect(pool.stats.lanes).toEqual({
      interactive: { queued: 0, running: 1 },
      background: { queued: 2, running: 2 },
    });
    // The pool is full (three jobs): the next request queues, and goes before b3 and b4.
    const i2 = latched(pool, memory, I2, 'interactive');
    expect(pool.stats.lanes.interactive).toEqual({ queued: 1, running: 1 });
    release(memory, B1);
    await b1.done;
    await i2.started;
    expect(ranks(memory, 6).slice(2)).toEqual([0, 0, 3, 4]);

    for (const id of [I1, I2, B2]) release(memory, id);
    await Promise.all([i1.done, i2.done, b2.done]);
    await Promise.all([b3.started, b4.started]);
    release(memory, B3);
    release(memory, B4);
    await Promise.all([b3.done, b4.done]);

    const shared = new Int32Array(memory);
    // Background work never ran on more than its two threads.
    const atStart = (id: number) => Atomics.load(shared, board.backgroundAtStart(id));
    expect(Math.max(...[B1, B2, B3, B4].map(atStart))).toBe(2);
    expect(pool.stats.maxThreads).toBe(3);
  });

  it('drops queued work whose signal aborts: it never reaches a thread', async () => {
    pool = new WorkerPool({ threads: 2 });
    const memory = newBoard(3);
    const first = latched(pool, memory, 0, 'interactive');
    const second = latched(pool, memory, 1, 'interactive');
    await Promise.all([first.started, second.started]);
    const controller = new AbortController();
    const dropped = pool.run(
      LATCH_WORKER,
      'latched',
      { id: 2, background: false, memory },
      { signal: controller.signal },
    );
    expect(pool.stats.lanes.interactive).toEqual({ queued: 1, running: 2 });
    controller.abort();
    await expect(dropped).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.stats.lanes.interactive).toEqual({ queued: 0, running: 2 });
    release(memory, 0);
    release(memory, 1);
    await Promise.all([first.done, second.done]);
    // The pool answers the next job; the dropped one never started.
    expect(await pool.run(LATCH_WORKER, 'whichThread', null)).toBeGreaterThan(0);
    expect(ranks(memory, 3)[2]).toBe(0);
  });
});

describe('abort modes of running work (1 thread)', () => {
  async function spinning(target: WorkerPool, options: RunOptions) {
    const memory = new SharedArrayBuffer(12);
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const run = target.run(
      LATCH_WORKER,
      'spinUntilCancelled',
      { memory },
      { ...options, onProgress: () => started() },
    );
    await startedPromise;
    return { run, shared: new Int32Array(memory) };
  }

  it('cooperative: the caller is answered at once, the worker stops at its next check and keeps its thread', async () => {
    pool = new WorkerPool({ threads: 1 });
    const thread = await pool.run<number>(LATCH_WORKER, 'whichThread', null);
    const controller = new AbortController();
    const { run, shared } = await spinning(pool, {
      signal: controller.signal,
      abort: 'cooperative',
    });
    // It really spins: its loop has turned (checking the flag each time) before the abort.
    await expect.poll(() => Atomics.load(shared, 0), { timeout: 15_000 }).toBeGreaterThan(0);
    const reason = new Error('client gone');
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    // The next job waits for the spinning one to stop, then runs on the same thread.
    expect(await pool.run(LATCH_WORKER, 'whichThread', null)).toBe(thread);
    expect(Atomics.load(shared, 2)).toBe(1);
    expect(Atomics.load(shared, 1)).toBe(thread);
  });

  it('is the default for interactive work', async () => {
    pool = new WorkerPool({ threads: 1 });
    const thread = await pool.run<number>(LATCH_WORKER, 'whichThread', null);
    const controller = new AbortController();
    const { run, shared } = await spinning(pool, { signal: controller.signal });
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(await pool.run(LATCH_WORKER, 'whichThread', null)).toBe(thread);
    expect(Atomics.load(shared, 2)).toBe(1);
  });

  it('terminate (the default for background work): the thread is stopped and replaced', async () => {
    pool = new WorkerPool({ threads: 1 });
    const thread = await pool.run<number>(LATCH_WORKER, 'whichThread', null);
    const controller = new AbortController();
    const { run, shared } = await spinning(pool, {
      signal: controller.signal,
      lane: 'background',
    });
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(await pool.run(LATCH_WORKER, 'whichThread', null)).not.toBe(thread);
    // Stopped from outside: the worker never saw a cancellation flag.
    expect(Atomics.load(shared, 2)).toBe(0);
  });
});

describe('background work stepping aside (tools.yieldToInteractive)', () => {
  function stepAside(target: WorkerPool, memory: SharedArrayBuffer, lane: RunOptions['lane']) {
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const done = target.run<number>(
      LATCH_WORKER,
      'stepAsideThenLook',
      { memory, watch: 0 },
      { lane, onProgress: () => started() },
    );
    return { done, started: startedPromise };
  }

  it('waits while an interactive job runs and resumes when it ends', async () => {
    // A bound far longer than the test: only the interactive job's end can wake it.
    pool = new WorkerPool({ threads: 2, backgroundYieldMs: 600_000 });
    const memory = newBoard(1);
    const request = latched(pool, memory, 0, 'interactive');
    await request.started;
    const background = stepAside(pool, memory, 'background');
    await background.started;
    release(memory, 0);
    expect(await request.done).toBe(0);
    // It looked only after the request's job had ended, so it saw the latch open.
    expect(await background.done).toBe(1);
  });

  it('waits at most backgroundYieldMs per call', async () => {
    pool = new WorkerPool({ threads: 2, backgroundYieldMs: 1 });
    const memory = newBoard(1);
    const request = latched(pool, memory, 0, 'interactive');
    await request.started;
    // The request still holds its thread: the background job gives up waiting and goes on.
    expect(await stepAside(pool, memory, 'background').done).toBe(0);
    release(memory, 0);
    await request.done;
  });

  it('does not make interactive jobs wait for each other', async () => {
    pool = new WorkerPool({ threads: 2, backgroundYieldMs: 600_000 });
    const memory = newBoard(1);
    const request = latched(pool, memory, 0, 'interactive');
    await request.started;
    expect(await stepAside(pool, memory, 'interactive').done).toBe(0);
    release(memory, 0);
    await request.done;
  });
});

describe('warming worker modules (WorkerPool.warm)', () => {
  it('loads a module once on every thread, so later jobs find it loaded', async () => {
    const loads: number[] = [];
    const channel = new BroadcastChannel('relief-warm-fixture');
    channel.onmessage = (event) => loads.push((event as { data: number }).data);
    try {
      pool = new WorkerPool({ threads: 2 });
      const fixture = new URL('../fixtures/workers/warm-fixture.ts', import.meta.url);
      // Two threads per lane and one more: three threads, each loads the module.
      expect(await pool.warm([fixture])).toBe(3);
      await expect.poll(() => new Set(loads).size, { timeout: 5000 }).toBe(3);
      const threads = new Set(loads);
      for (let i = 0; i < 6; i++) {
        expect(threads.has(await pool.run<number>(fixture, 'whichThread', null))).toBe(true);
      }
      // No thread loaded it a second time.
      await pool.check();
      expect(loads).toHaveLength(3);
    } finally {
      channel.close();
    }
  });
});

describe('the io lane', () => {
  it('runs async work on a thread of its own while every CPU thread is held, many jobs at once', async () => {
    pool = new WorkerPool({ threads: 1 });
    const memory = newBoard(2);
    // Both CPU threads held: one background job, one interactive job.
    const held = [latched(pool, memory, 0, 'background'), latched(pool, memory, 1, 'interactive')];
    await Promise.all(held.map((job) => job.started));
    const flags = Array.from({ length: 8 }, () => new SharedArrayBuffer(8));
    const progress: number[] = [];
    const io = flags.map((flag) =>
      pool!.run<number>(
        LATCH_WORKER,
        'waitOnSignal',
        { memory: flag },
        {
          lane: 'io',
          onProgress: (thread) => progress.push(thread as number),
        },
      ),
    );
    await expect.poll(() => progress.length).toBe(8);
    // All eight wait at once, on one thread.
    expect(new Set(progress).size).toBe(1);
    for (const flag of flags) Atomics.store(new Int32Array(flag), 1, 1);
    expect(new Set(await Promise.all(io))).toEqual(new Set(progress));
    // The CPU threads were held throughout: the io jobs ran on neither.
    for (let id = 0; id < 2; id++) release(memory, id);
    expect(await Promise.all(held.map((job) => job.done))).toEqual([0, 1]);
  });

  it('aborts tools.signal when the caller gives up, and rejects with the reason at once', async () => {
    pool = new WorkerPool({ threads: 1 });
    const flag = new SharedArrayBuffer(8);
    const controller = new AbortController();
    const job = pool.run(
      LATCH_WORKER,
      'waitOnSignal',
      { memory: flag },
      {
        lane: 'io',
        signal: controller.signal,
        onProgress: () => controller.abort(new Error('client gone')),
      },
    );
    await expect(job).rejects.toThrow('client gone');
    // The worker saw its signal abort.
    await expect.poll(() => Atomics.load(new Int32Array(flag), 0)).toBe(1);
  });

  it('never aborts tools.signal for a job that finishes', async () => {
    pool = new WorkerPool({ threads: 1 });
    const flag = new SharedArrayBuffer(8);
    Atomics.store(new Int32Array(flag), 1, 1);
    const controller = new AbortController();
    await pool.run(
      LATCH_WORKER,
      'waitOnSignal',
      { memory: flag },
      {
        lane: 'io',
        signal: controller.signal,
      },
    );
    controller.abort();
    expect(Atomics.load(new Int32Array(flag), 0)).toBe(0);
  });
});
