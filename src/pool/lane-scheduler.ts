/**
 * The order in which pool work starts: two FIFO queues, one per lane, in front of a fixed number
 * of slots (the pool's threads). It knows nothing of threads: `start` is whatever begins the
 * work, and the slot is held until the promise it returns settles. The rules (why: see
 * worker-pool.ts):
 *
 * - interactive work always starts before queued background work;
 * - background work may fill every slot only while interactive work is quiet: none queued or
 *   running, and none submitted or finished for `interactiveHoldMs`. Otherwise it holds at most
 *   `slots − 1` slots, so one slot stays free for the next request. With one slot nothing can be
 *   reserved: background then runs whenever no interactive work is queued.
 * - work whose signal aborts while it is queued is dropped at once, rejected with the signal's
 *   reason; it never starts. Work already started is the caller's to stop.
 */

export type Lane = 'interactive' | 'background';

export const LANES: readonly Lane[] = ['interactive', 'background'];

export interface LaneSchedulerOptions {
  /** Work started at once, at most (the pool's threads). */
  slots: number;
  /** How long after the last interactive work was submitted or finished one slot stays reserved. */
  interactiveHoldMs: number;
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
  readonly #slots: number;
  readonly #holdMs: number;
  readonly #queues: Record<Lane, Fifo> = { interactive: new Fifo(), background: new Fifo() };
  readonly #running: Record<Lane, number> = { interactive: 0, background: 0 };
  #lastInteractive = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LaneSchedulerOptions) {
    if (!Number.isInteger(options.slots) || options.slots < 1) {
      throw new RangeError(`LaneScheduler slots must be a positive integer, got ${options.slots}`);
    }
    if (!(Number.isFinite(options.interactiveHoldMs) && options.interactiveHoldMs >= 0)) {
      throw new RangeError(
        `interactiveHoldMs must be a non-negative number, got ${options.interactiveHoldMs}`,
      );
    }
    this.#slots = options.slots;
    this.#holdMs = options.interactiveHoldMs;
  }

  /**
   * Queues `start` in `lane`; it is called when the rules allow, and its promise's outcome is
   * this call's outcome. Aborting `signal` while queued rejects with the signal's reason.
   */
  schedule<T>(lane: Lane, start: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (lane === 'interactive') this.#lastInteractive = Date.now();
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
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const lane of LANES) {
      for (const entry of this.#queues[lane].drain()) {
        entry.unlisten?.();
        entry.reject(reason);
      }
    }
  }

  #pump(): void {
    while (this.#running.interactive + this.#running.background < this.#slots) {
      const entry = this.#next();
      if (entry === undefined) return;
      this.#start(entry);
    }
  }

  #next(): Entry | undefined {
    const interactive = this.#queues.interactive.shift();
    if (interactive !== undefined) return interactive;
    const background = this.#queues.background;
    if (background.size === 0) return undefined;
    if (this.#running.background < this.#backgroundLimit()) return background.shift();
    return undefined;
  }

  /** Slots background work may hold now; arms a timer for when the hold window ends. */
  #backgroundLimit(): number {
    if (this.#slots === 1) return 1;
    if (this.#running.interactive > 0 || this.#queues.interactive.size > 0) return this.#slots - 1;
    const quietAt = this.#lastInteractive + this.#holdMs;
    const now = Date.now();
    if (now >= quietAt) return this.#slots;
    this.#wakeAt(quietAt - now);
    return this.#slots - 1;
  }

  #wakeAt(delay: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, delay);
    // Queued background work alone must not keep the process alive.
    this.#timer.unref?.();
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
      if (entry.lane === 'interactive') this.#lastInteractive = Date.now();
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
