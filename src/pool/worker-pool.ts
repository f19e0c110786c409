/**
 * The one shared worker pool: every CPU-heavy job of the core and of plugins runs here, never on
 * the event loop. A job names the module and export to run, so plugins bring their own worker
 * code without a pool of their own. Worker modules are TypeScript: workers load them through
 * tsx, exactly as the main thread does.
 */
import { MessageChannel, type TransferListItem } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { PoolJob } from './pool-job.ts';

export interface WorkerPoolOptions {
  threads: number;
  /** Idle workers are kept this long before being stopped (ms). */
  idleTimeout?: number;
  /**
   * Niceness added to each worker thread: the OS then prefers the main thread, so requests keep
   * being answered while the pool saturates the cores. Needs @napi-rs/nice; ignored without it.
   */
  niceIncrement?: number;
  /**
   * Receives what piscina reports outside any task: an uncaught exception in an idle worker, or a
   * result that arrives for a task already aborted (a cancelled job whose worker answered just
   * before it was stopped). Default: a process warning. Never thrown: either is harmless to the
   * tasks still running, and an unhandled 'error' event would end the process.
   */
  onError?: (error: Error) => void;
}

export interface RunOptions {
  signal?: AbortSignal;
  transferList?: readonly TransferListItem[];
  /** Receives what the worker function passes to `tools.progress(...)`, on the main thread. */
  onProgress?: (value: unknown) => void;
  lane?: 'interactive' | 'background';
}

const POOL_JOB = new URL('./pool-job.ts', import.meta.url).href;

export interface WorkerPoolStats {
  threads: number;
  maxThreads: number;
  queued: number;
  completed: number;
  utilization: number;
}

const TSX_IMPORT = ['--import', 'tsx'];

export class WorkerPool {
  readonly #piscina: Piscina;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new RangeError(`WorkerPool threads must be a positive integer, got ${options.threads}`);
    }
    const execArgv = process.execArgv.includes('tsx')
      ? process.execArgv
      : [...process.execArgv, ...TSX_IMPORT];
    this.#piscina = new Piscina({
      minThreads: 1,
      maxThreads: options.threads,
      idleTimeout: options.idleTimeout ?? 30_000,
      niceIncrement: options.niceIncrement ?? 0,
      // Some libraries (geotiff's web-worker) expect workerData to exist in any worker thread.
      workerData: {},
      execArgv,
    });
    const onError = options.onError ?? ((error: Error) => process.emitWarning(error));
    this.#piscina.on('error', onError);
  }

  /**
   * Runs `exportName` of the worker module at `module` (a file URL) with `input`, which is
   * structured-cloned (use transferList for large buffers). Aborting the signal terminates the
   * worker running the job, so a worker must not own files it would need to clean up.
   */
  run<T>(
    module: URL | string,
    exportName: string,
    input: unknown,
    options: RunOptions = {},
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The worker pool is closed'));
    const transferList: TransferListItem[] = [...(options.transferList ?? [])];
    let channel: MessageChannel | undefined;
    if (options.onProgress !== undefined) {
      channel = new MessageChannel();
      channel.port1.on('message', options.onProgress);
      transferList.push(channel.port2);
    }
    const job: PoolJob = {
      module: typeof module === 'string' ? module : module.href,
      name: exportName,
      input,
      port: channel?.port2,
    };
    const run = this.#piscina.run(job, {
      filename: POOL_JOB,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(transferList.length === 0 ? {} : { transferList }),
    }) as Promise<T>;
    if (channel === undefined) return run;
    const port = channel.port1;
    // Progress messages posted just before the result may still be queued: drain them first.
    return run.finally(() => setImmediate(() => port.close()));
  }

  /** Proves workers start and load TypeScript; used at start-up and by /ready. */
  async check(): Promise<void> {
    const answer = await this.run<string>(
      new URL('./ping-worker.ts', import.meta.url),
      'ping',
      null,
    );
    if (answer !== 'pong') throw new Error(`Worker pool check answered ${answer}`);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get stats(): WorkerPoolStats {
    return {
      threads: this.#piscina.threads.length,
      maxThreads: this.#piscina.options.maxThreads,
      queued: this.#piscina.queueSize,
      completed: this.#piscina.completed,
      utilization: this.#piscina.utilization,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#piscina.close({ force: false });
  }
}
