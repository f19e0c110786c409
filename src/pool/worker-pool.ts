/**
 * The one shared worker pool: every CPU-heavy job of the core and of plugins runs here, never on
 * the event loop. A job names the module and export to run, so plugins bring their own worker
 * code without a pool of their own. Run from sources, worker modules are TypeScript and the
 * threads load them through tsx, as the main thread does; the compiled build (the image) loads
 * JavaScript and needs no loader.
 *
 * Lanes. Work is *interactive* (what a request waits on: GetMap, GetCoverage, GetFeatureInfo, a
 * polygon's validation; the default) or *background* (task work: decoding, statistics, mosaics).
 * Our own scheduler (lane-scheduler.ts) keeps one FIFO per lane and never gives piscina more
 * jobs than it has threads, so piscina's queue stays empty and our order is the order jobs start
 * in. Interactive work always starts first. Starting first is not enough, though: a background
 * job such as a tile decode (a quarter of a second) or a job's statistics (seconds) holds its
 * thread until it ends, and with every thread busy a GetMap would wait for one to end. So each
 * lane may run at most `threads` jobs and the pool has one thread more: background work can
 * never take every thread, a request always finds one, and a server with only one kind of work
 * runs it exactly as a pool of `threads` would (an idle server runs jobs at full speed). Every
 * thread is started with the pool and kept: a thread started on demand takes hundreds of
 * milliseconds to load its modules, which a request would wait for (measured: a GetMap of
 * 870 ms when a job took the threads the maps had warmed).
 *
 * A free thread is not a free core, though: with as many threads as cores, a running background
 * job takes the core the request's job needs (measured: a GetMap's p99 three to four times its
 * idle p99 while tiles decode). So background work also steps aside between its chunks: it calls
 * `tools.yieldToInteractive()`, which waits while any interactive job is running (a shared
 * counter, notified as each ends), at most `backgroundYieldMs` per call so that a stream of
 * requests slows background work without stopping it. Request work thus gets the cores as well
 * as a thread, and background work the rest.
 *
 * Cancelling. A job whose signal aborts while it is queued is dropped at once and never reaches
 * a thread. A running one stops in one of two ways (`RunOptions.abort`): `terminate` (the
 * default for background work) stops its thread, which piscina replaces; `cooperative` (the
 * default for interactive work) sets a flag the worker reads through `tools.cancelled` /
 * `tools.throwIfCancelled()` between chunks, and keeps the thread and its caches. Either way the
 * caller's promise rejects at once with the signal's reason (piscina's AbortError for
 * `terminate`); with `cooperative` the thread stays counted as busy until the worker returns.
 *
 * I/O. Work that mostly waits (a download streaming to a file) must hold no CPU thread, yet the
 * main thread is no place for it either: a body arriving at loopback speed costs the event loop
 * a fifth of a core and, worse, a major GC every few hundred milliseconds (64 KiB socket buffers
 * by the thousand), each pausing every request for 10-20 ms (measured: GetMap p99 three times
 * its idle p99 during a job's downloads, 1.3-2 times with them off the main thread). So the `io`
 * lane is one more thread, started on first use and niced like the others, that runs any number
 * of async jobs at once (they wait, they do not compute); it has no place in the lanes above
 * and is cancelled cooperatively through `tools.signal`.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type TransferListItem } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { isCompiled, moduleUrl } from '../server/module-url.ts';
import { LaneScheduler, type Lane, type LaneStats } from './lane-scheduler.ts';
import type { InteractiveGate, PoolJob } from './pool-job.ts';
import type { ThreadSettings } from './thread-settings.ts';
import type { WarmInput } from './warm-worker.ts';

export type { Lane } from './lane-scheduler.ts';

export interface WorkerPoolOptions {
  /** Jobs of one lane at once (RELIEF_WORKERS); the pool has one thread more, see above. */
  threads: number;
  /**
   * Niceness added to each worker thread: the OS then prefers the main thread, so requests keep
   * being answered while the pool saturates the cores. Needs @napi-rs/nice; ignored without it.
   */
  niceIncrement?: number;
  /**
   * Each thread's V8 young generation, MiB (default 8; RELIEF_WORKER_YOUNG_GENERATION_MB). Pool
   * work keeps its bulk in ArrayBuffers outside the V8 heap, so a small young generation costs
   * little time and saves its size on every thread (measured: a 64-tile elevation job's peak
   * RSS 386 → 314 MiB with three threads).
   */
  youngGenerationMb?: number;
  /**
   * The longest a background job waits, per chunk, while interactive jobs run (ms, default 50;
   * RELIEF_POOL_BACKGROUND_YIELD_MS; 0: never waits).
   */
  backgroundYieldMs?: number;
  /** What each thread reads at start (thread-settings.ts): the row cache's size. */
  threadSettings?: ThreadSettings;
  /**
   * Receives what piscina reports outside any task: an uncaught exception in an idle worker, or a
   * result that arrives for a task already aborted (a cancelled job whose worker answered just
   * before it was stopped). Default: a process warning. Never thrown: either is harmless to the
   * tasks still running, and an unhandled 'error' event would end the process.
   */
  onError?: (error: Error) => void;
}

/** How running work stops when its signal aborts; see the module comment. */
export type AbortMode = 'terminate' | 'cooperative';

/** The lanes of the CPU threads, and `io` for async work that waits (see the module comment). */
export type RunLane = Lane | 'io';

/** How many async jobs the io thread runs at once; callers bound their own (downloads: 4). */
const IO_JOBS_PER_THREAD = 256;

export interface RunOptions {
  signal?: AbortSignal;
  transferList?: readonly TransferListItem[];
  /** Receives what the worker function passes to `tools.progress(...)`, on the main thread. */
  onProgress?: (value: unknown) => void;
  /** Default `interactive`: work a request waits on. Task work is `background`; `io` waits. */
  lane?: RunLane;
  /** Default: `cooperative` for interactive and io work, `terminate` for background work. */
  abort?: AbortMode;
}

const POOL_JOB = moduleUrl('./pool-job.ts', import.meta.url).href;
const WARM_WORKER = moduleUrl('./warm-worker.ts', import.meta.url);

export interface WorkerPoolStats {
  threads: number;
  maxThreads: number;
  /** Jobs waiting for a thread, both lanes. */
  queued: number;
  completed: number;
  utilization: number;
  lanes: Record<Lane, LaneStats>;
}

/**
 * tsx named by its file URL, not as `tsx`: a worker resolves `--import` from the process's
 * working directory, which for a plugin's own test suite (the plugin kit) has no tsx.
 */
function tsxImport(): string[] {
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

export class WorkerPool {
  readonly #piscina: Piscina;
  /** The io lane's thread, started on first use. */
  #io: Piscina | undefined;
  readonly #ioOptions: ConstructorParameters<typeof Piscina>[0];
  readonly #onError: (error: Error) => void;
  readonly #scheduler: LaneScheduler;
  readonly #gate: InteractiveGate;
  /** The gate's counter: interactive jobs on a thread now. */
  readonly #interactiveRunning: Int32Array;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new RangeError(`WorkerPool threads must be a positive integer, got ${options.threads}`);
    }
    // Under vitest the main thread transforms TypeScript without tsx, yet its threads need it.
    const execArgv =
      isCompiled(import.meta.url) || process.execArgv.includes('tsx')
        ? process.execArgv
        : [...process.execArgv, ...tsxImport()];
    this.#scheduler = new LaneScheduler({ threads: options.threads });
    const maxWaitMs = options.backgroundYieldMs ?? 50;
    if (!(Number.isFinite(maxWaitMs) && maxWaitMs >= 0)) {
      throw new RangeError(`backgroundYieldMs must be a non-negative number, got ${maxWaitMs}`);
    }
    this.#gate = { running: new SharedArrayBuffer(4), maxWaitMs };
    this.#interactiveRunning = new Int32Array(this.#gate.running);
    const threadOptions = {
      niceIncrement: options.niceIncrement ?? 0,
      // Also, some libraries (geotiff's web-worker) expect workerData to exist in any thread.
      workerData: { ...options.threadSettings },
      execArgv,
      resourceLimits: { maxYoungGenerationSizeMb: options.youngGenerationMb ?? 8 },
    };
    this.#piscina = new Piscina({
      ...threadOptions,
      minThreads: this.#scheduler.capacity,
      maxThreads: this.#scheduler.capacity,
    });
    this.#ioOptions = {
      ...threadOptions,
      minThreads: 1,
      maxThreads: 1,
      concurrentTasksPerWorker: IO_JOBS_PER_THREAD,
      idleTimeout: Number.POSITIVE_INFINITY,
    };
    this.#onError = options.onError ?? ((error: Error) => process.emitWarning(error));
    this.#piscina.on('error', this.#onError);
  }

  /**
   * Runs `exportName` of the worker module at `module` (a file URL) with `input`, which is
   * structured-cloned (use transferList for large buffers). With `abort: 'terminate'`, aborting
   * the signal stops the thread running the job, so such a worker must not own files it would
   * need to clean up.
   */
  run<T>(
    module: URL | string,
    exportName: string,
    input: unknown,
    options: RunOptions = {},
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The worker pool is closed'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const lane = options.lane ?? 'interactive';
    // The io thread runs many jobs at once: terminating it would end them all.
    const abort =
      lane === 'io'
        ? 'cooperative'
        : (options.abort ?? (lane === 'background' ? 'terminate' : 'cooperative'));
    const transferList: TransferListItem[] = [...(options.transferList ?? [])];
    let channel: MessageChannel | undefined;
    if (options.onProgress !== undefined) {
      channel = new MessageChannel();
      channel.port1.on('message', options.onProgress);
      transferList.push(channel.port2);
    }
    const cancel =
      signal !== undefined && abort === 'cooperative' ? new SharedArrayBuffer(4) : undefined;
    const job: PoolJob = {
      module: typeof module === 'string' ? module : module.href,
      name: exportName,
      input,
      port: channel?.port2,
      cancel,
      gate: lane === 'background' && this.#gate.maxWaitMs > 0 ? this.#gate : undefined,
    };
    const piscina = lane === 'io' ? this.#ioThread() : this.#piscina;
    const start = () =>
      piscina.run(job, {
        filename: POOL_JOB,
        ...(signal === undefined || abort !== 'terminate' ? {} : { signal }),
        ...(transferList.length === 0 ? {} : { transferList }),
      }) as Promise<T>;
    const started =
      lane === 'io'
        ? start()
        : this.#scheduler.schedule(
            lane,
            lane === 'interactive' ? () => this.#counted(start) : start,
            signal,
          );
    const run =
      cancel === undefined || signal === undefined
        ? started
        : rejectOnAbort(started, signal, () => {
            const flag = new Int32Array(cancel);
            Atomics.store(flag, 0, 1);
            // Wakes `tools.signal` of async work (pool-job.ts).
            Atomics.notify(flag, 0);
          });
    if (channel === undefined) return run;
    const port = channel.port1;
    // Progress messages posted just before the result may still be queued: drain them first.
    return run.finally(() => setImmediate(() => port.close()));
  }

  #ioThread(): Piscina {
    if (this.#io === undefined) {
      this.#io = new Piscina(this.#ioOptions);
      this.#io.on('error', this.#onError);
    }
    return this.#io;
  }

  /** Counts an interactive job in the gate while it holds a thread (until its worker returns). */
  #counted<T>(start: () => Promise<T>): Promise<T> {
    const counter = this.#interactiveRunning;
    Atomics.add(counter, 0, 1);
    return start().finally(() => {
      Atomics.sub(counter, 0, 1);
      Atomics.notify(counter, 0);
    });
  }

  /**
   * Loads worker modules on every thread, so that no request waits for a module to load (and
   * compile) on the thread it lands on: hundreds of milliseconds each, once per thread. Call it
   * at start-up, while the pool is idle: one job per thread holds it until all have one. If
   * other work keeps a thread busy for `waitMs`, the modules are loaded where the jobs ran.
   * Resolves with the number of threads warmed.
   */
  async warm(modules: readonly (URL | string)[], waitMs = 10_000): Promise<number> {
    const parties = this.#scheduler.capacity;
    const input: WarmInput = {
      modules: modules.map((module) => (typeof module === 'string' ? module : module.href)),
      barrier: new SharedArrayBuffer(4),
      parties,
      waitMs,
    };
    // Each lane takes at most `threads` jobs: one background job fills the last thread.
    const jobs = Array.from({ length: parties }, (_, i) =>
      this.run<number>(WARM_WORKER, 'loadModules', input, {
        lane: i === 0 ? 'background' : 'interactive',
      }),
    );
    return new Set(await Promise.all(jobs)).size;
  }

  /** Proves workers start and load TypeScript; used at start-up and by /ready. */
  async check(): Promise<void> {
    const answer = await this.run<string>(
      moduleUrl('./ping-worker.ts', import.meta.url),
      'ping',
      null,
    );
    if (answer !== 'pong') throw new Error(`Worker pool check answered ${answer}`);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get stats(): WorkerPoolStats {
    const lanes = this.#scheduler.stats();
    return {
      threads: this.#piscina.threads.length,
      maxThreads: this.#piscina.options.maxThreads,
      queued: lanes.interactive.queued + lanes.background.queued + this.#piscina.queueSize,
      completed: this.#piscina.completed,
      utilization: this.#piscina.utilization,
      lanes,
    };
  }

  /** Queued jobs are rejected; running ones finish first. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#scheduler.clear(new Error('The worker pool is closed'));
    await Promise.all([this.#piscina.close({ force: false }), this.#io?.close({ force: false })]);
  }
}

/**
 * `work`'s outcome, or the signal's reason as soon as it aborts (after `onAbort`): the caller
 * stops waiting at once while the worker winds down at its next check.
 */
function rejectOnAbort<T>(work: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
