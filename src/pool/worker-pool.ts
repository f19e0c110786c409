/**
 * The one shared worker pool: every CPU-heavy job of the core and of plugins runs here, never on
 * the event loop. A job names the module and export to run, so plugins bring their own worker
 * code without a pool of their own. Worker modules are TypeScript: workers load them through
 * tsx, exactly as the main thread does.
 */
import type { TransferListItem } from 'node:worker_threads';
import { Piscina } from 'piscina';

export interface WorkerPoolOptions {
  threads: number;
  /** Idle workers are kept this long before being stopped (ms). */
  idleTimeout?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  transferList?: readonly TransferListItem[];
}

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
      execArgv,
    });
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
    const filename = typeof module === 'string' ? module : module.href;
    return this.#piscina.run(input, {
      filename,
      name: exportName,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.transferList === undefined
        ? {}
        : { transferList: options.transferList as TransferListItem[] }),
    }) as Promise<T>;
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
