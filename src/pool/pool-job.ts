/**
 * Every pool job runs through this one worker entry: it imports the job's module (cached per
 * worker thread by the module loader) and calls the named export with the input and its tools:
 * a progress reporter that posts to the main thread without blocking either side, the job's
 * cancellation flag (shared memory the main thread sets when a cooperative job's signal aborts;
 * see worker-pool.ts), and for background work a way to step aside while requests are drawn.
 */
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import {
  registerReliefSpecifiers,
  registerReliefSpecifiersForRequire,
} from '../plugins/relief-specifiers.ts';
import { DirtyBytes, OverlappedFlush } from '../storage/write-sync.ts';

export interface PoolJob {
  module: string;
  name: string;
  input: unknown;
  port: MessagePort | undefined;
  /** One Int32, set to 1 by the main thread when the job is cancelled (cooperative abort). */
  cancel?: SharedArrayBuffer | undefined;
  /** Background jobs only: where they read whether request work is running (see InteractiveGate). */
  gate?: InteractiveGate | undefined;
}

/**
 * Shared with every background job: `running` is one Int32, the number of interactive jobs on
 * the pool's threads right now, kept by the main thread (which notifies on every decrement).
 */
export interface InteractiveGate {
  running: SharedArrayBuffer;
  /** The longest one `yieldToInteractive()` call waits. */
  maxWaitMs: number;
}

/** What a worker function receives besides its input. */
export interface WorkerTools {
  /** Sends a progress value to the job's `onProgress` on the main thread; free when nobody listens. */
  progress(value: unknown): void;
  /**
   * True once the caller gave up on the job (a cooperative abort: the client went away, say).
   * Nobody will read the result: a function working in chunks checks this between them.
   */
  readonly cancelled: boolean;
  /** Throws an AbortError if `cancelled`; call it between chunks of work. */
  throwIfCancelled(): void;
  /**
   * Aborts when `cancelled` turns true, for async work that waits on I/O (pass it to requests,
   * streams, timers). Never aborts for a job run without a signal, or with `abort: 'terminate'`.
   */
  readonly signal: AbortSignal;
  /**
   * Background work calls this between chunks: while request work is running on another pool
   * thread, it waits (blocking this thread, at most the pool's `backgroundYieldMs` per call), so
   * the cores go to the request. Returns at once for interactive jobs and when nothing waits.
   */
  yieldToInteractive(): void;
  /**
   * A counter for one large file this job writes: `add(bytes)` after each write returns true
   * whenever the job should flush the file (`fdatasyncSync(fd)`), every RELIEF_WRITE_SYNC_BYTES,
   * so the file never holds more dirty page cache than that (write-sync.ts explains why).
   */
  dirtyBytes(): DirtyBytes;
  /**
   * The same for an async job writing file descriptor `fd`: the flush runs while the job goes
   * on producing bytes (`await flush.written(n)` when it returns a promise, `await
   * flush.finish()` before the file is committed). For CPU-bound writers such as decoders.
   */
  overlappedFlush(fd: number): OverlappedFlush;
}

export type WorkerFunction<Input = unknown, Output = unknown> = (
  input: Input,
  tools: WorkerTools,
) => Output | Promise<Output>;

/** What throwIfCancelled throws; the caller has already been answered, so nobody sees it. */
export class JobCancelledError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('The pool job was cancelled');
  }
}

/**
 * A job's tools: progress goes to `progress`, cancellation is read from `cancel`. Also how
 * tests and benchmarks call a worker function directly: `fn(input, workerTools())`.
 */
export function workerTools(
  progress: (value: unknown) => void = () => undefined,
  cancel?: SharedArrayBuffer,
  gate?: InteractiveGate,
  ended?: Promise<unknown>,
): WorkerTools {
  const flag = cancel === undefined ? undefined : new Int32Array(cancel);
  const cancelled = () => flag !== undefined && Atomics.load(flag, 0) !== 0;
  let signal: AbortSignal | undefined;
  const running = gate === undefined ? undefined : new Int32Array(gate.running);
  return {
    yieldToInteractive() {
      if (running === undefined) return;
      const until = performance.now() + gate!.maxWaitMs;
      for (;;) {
        const count = Atomics.load(running, 0);
        const left = until - performance.now();
        if (count === 0 || left <= 0) return;
        // Wakes on the main thread's notify when a request job ends, or at the deadline.
        Atomics.wait(running, 0, count, left);
      }
    },
    progress,
    get cancelled() {
      return cancelled();
    },
    throwIfCancelled() {
      if (cancelled()) throw new JobCancelledError();
    },
    get signal() {
      signal ??= cancelSignal(flag, ended);
      return signal;
    },
    dirtyBytes: () => new DirtyBytes(),
    overlappedFlush: (fd) => new OverlappedFlush(fd),
  };
}

/**
 * An AbortSignal for the cancellation flag: aborted when the main thread sets it (it notifies
 * after setting, see worker-pool.ts). The waiter is woken here when the job ends, so no job
 * leaves one behind.
 */
function cancelSignal(
  flag: Int32Array | undefined,
  ended: Promise<unknown> | undefined,
): AbortSignal {
  const controller = new AbortController();
  if (flag === undefined) return controller.signal;
  const abort = () => {
    if (Atomics.load(flag, 0) !== 0) controller.abort(new JobCancelledError());
  };
  const wait = Atomics.waitAsync(flag, 0, 0);
  if (!wait.async) abort();
  else {
    void wait.value.then(abort);
    void ended?.finally(() => Atomics.notify(flag, 0));
  }
  return controller.signal;
}

/**
 * piscina loads this file with require(), so tsx compiles it (and what it loads) as CommonJS.
 * On Node 20, tsx's ESM hooks are not active in worker threads, so a dynamic import() of a .ts
 * module would fail there; require() goes through tsx's CommonJS hook on every Node version.
 * `relief/worker` and the other public specifiers resolve for both (relief-specifiers.ts).
 */
export function loadWorkerModule(module: string): Promise<Record<string, unknown>> {
  if (typeof require === 'function') {
    registerReliefSpecifiersForRequire();
    const path = module.startsWith('file:') ? fileURLToPath(module) : module;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the comment above
    return Promise.resolve(require(path) as Record<string, unknown>);
  }
  registerReliefSpecifiers(); // hooks are per thread: plugins outside the repository import relief/worker
  return import(module) as Promise<Record<string, unknown>>;
}

export default async function runPoolJob({
  module,
  name,
  input,
  port,
  cancel,
  gate,
}: PoolJob): Promise<unknown> {
  const exports = await loadWorkerModule(module);
  const fn = exports[name];
  if (typeof fn !== 'function') {
    throw new TypeError(`Worker module ${module} has no exported function "${name}"`);
  }
  let end = () => undefined as void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  const tools = workerTools(
    port === undefined ? undefined : (value) => port.postMessage(value),
    cancel,
    gate,
    ended,
  );
  try {
    return await (fn as WorkerFunction)(input, tools);
  } finally {
    end();
    port?.close();
  }
}
