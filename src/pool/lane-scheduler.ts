/**
 * The order in which pool work starts: two FIFO queues, one per lane, in front of the pool's
 * threads. It knows nothing of threads: `start` is whatever begins the work, and its place is
 * held until the promise it returns settles. The rules (why: see worker-pool.ts):
 *
 * - each lane runs at most `threads` jobs at once, and both lanes together at most
 *   `threads + 1`: so however much background work there is, one more job can always start
 *   for a request, and with one lane idle the other runs exactly as a pool of `threads` would;
 * - queued interactive work starts before queued background work;
 * - work whose signal aborts while it is queued is dropped at once, rejected with the signal's
 *   reason; it never starts. Work already started is the caller's to stop.
 */

export type Lane = 'interactive' | 'background';

export const LANES: readonly Lane[] = ['interactive', 'background'];

export interface LaneSchedulerOptions {
  /** Jobs of one lane started at once, at most (the pool's threads); one more in all. */
  threads: number;
}

export interface LaneStats {
  queued: number;
  running: number;
}

interface Entry {
  readonly lane: Lane;
  readonly start: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  /** Removes the abort listener; set while the entry is queued. */
  unlisten: (() => void) | undefined;
  /** Dropped from its queue by an abort; skipped when dequeued. */
  dropped: boolean;
}

/** A FIFO whose entries can be dropped in O(1) (marked, skipped when they reach the head). */
class Fifo {
  #items: Entry[] = [];
  #head = 0;
  size = 0;

  push(entry: Entry): void {
    this.#items.push(entry);
    this.size++;
  }

  shift(): Entry | undefined {
    while (this.#head < this.#items.length) {
      const entry = this.#items[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (entry.dropped) continue;
      this.size--;
      return entry;
    }
    return undefined;
  }

  drop(entry: Entry): void {
    entry.dropped = true;
    this.size--;
  }

  drain(): Entry[] {
    const rest = this.#items.slice(this.#head).filter((e) => !e.dropped);
    this.#items = [];
    this.#head = 0;
    this.size = 0;
    return rest;
  }
}

export class LaneScheduler {
  readonly #threads: number;
  readonly #queues: Record<Lane, Fifo> = { interactive: new Fifo(), background: new Fifo() };
  readonly #running: Record<Lane, number> = { interactive: 0, background: 0 };

  constructor(options: LaneSchedulerOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new RangeError(
        `LaneScheduler threads must be a positive integer, got ${options.threads}`,
      );
    }
    this.#threads = options.threads;
  }

  /** Jobs running at once, at most: each lane's limit plus the one kept for the other lane. */
  get capacity(): number {
    return this.#threads + 1;
  }

  /**
   * Queues `start` in `lane`; it is called when the rules allow, and its promise's outcome is
   * this call's outcome. Aborting `signal` while queued rejects with the signal's reason.
   */
  schedule<T>(lane: Lane, start: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        lane,
        start,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal,
        unlisten: undefined,
        dropped: false,
      };
      if (signal !== undefined) {
        const onAbort = () => {
          entry.unlisten = undefined;
          this.#queues[lane].drop(entry);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        entry.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      this.#queues[lane].push(entry);
      this.#pump();
    });
  }

  stats(): Record<Lane, LaneStats> {
    return {
      interactive: { queued: this.#queues.interactive.size, running: this.#running.interactive },
      background: { queued: this.#queues.background.size, running: this.#running.background },
    };
  }

  /** Rejects every queued entry with `reason`; running work is left to finish. */
  clear(reason: unknown): void {
    for (const lane of LANES) {
      for (const entry of this.#queues[lane].drain()) {
        entry.unlisten?.();
        entry.reject(reason);
      }
    }
  }

  #pump(): void {
    while (this.#running.interactive + this.#running.background < this.capacity) {
      const entry = this.#next();
      if (entry === undefined) return;
      this.#start(entry);
    }
  }

  #next(): Entry | undefined {
    for (const lane of LANES) {
      if (this.#queues[lane].size > 0 && this.#running[lane] < this.#threads) {
        return this.#queues[lane].shift();
      }
    }
    return undefined;
  }

  #start(entry: Entry): void {
    entry.unlisten?.();
    entry.unlisten = undefined;
    this.#running[entry.lane]++;
    let work: Promise<unknown>;
    try {
      work = entry.start();
    } catch (error) {
      work = Promise.reject(error);
    }
    const settle = () => {
      this.#running[entry.lane]--;
      this.#pump();
    };
    work.then(
      (value) => {
        settle();
        entry.resolve(value);
      },
      (error: unknown) => {
        settle();
        entry.reject(error);
      },
    );
  }
}
