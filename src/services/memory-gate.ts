/**
 * A process-wide bound on the bytes that requests hold at once: each request states what it
 * will hold, waits its turn (first come, first served) while the others' total would pass the
 * capacity, and gives it back when done. A request larger than the whole capacity still runs,
 * alone, so nothing waits forever. Waiting costs no CPU and no memory beyond the queue entry.
 *
 * Admission control: the queue is bounded in length (`maxWaiting`) and in time (`maxWaitMs`).
 * A request that finds the queue full, or waits too long, is refused with GateRefusedError, so
 * an overloaded server answers "busy, come back later" instead of piling up requests (and their
 * sockets and timers) it cannot serve in time. A waiting request whose signal aborts (its client
 * went away) leaves the queue at once.
 */
export interface MemoryGateOptions {
  /** Requests that may wait; one more is refused at once. Default: no bound. */
  maxWaiting?: number;
  /** The longest a request waits, in ms, before it is refused. Default: no bound. */
  maxWaitMs?: number;
}

/** Why a request was not admitted: the queue was full, or its wait ran out. */
export class GateRefusedError extends Error {
  override readonly name = 'GateRefusedError';
  constructor(readonly reason: 'queue-full' | 'timeout') {
    super(
      reason === 'queue-full' ? 'Too many requests are waiting' : 'The wait for memory ran out',
    );
  }
}

interface Waiting {
  bytes: number;
  admit: () => void;
}

export class MemoryGate {
  readonly capacity: number;
  readonly maxWaiting: number;
  readonly maxWaitMs: number;
  #held = 0;
  readonly #waiting: Waiting[] = [];

  constructor(capacity: number, options: MemoryGateOptions = {}) {
    if (!(Number.isSafeInteger(capacity) && capacity > 0)) {
      throw new RangeError(`MemoryGate capacity must be a positive integer, got ${capacity}`);
    }
    const { maxWaiting = Infinity, maxWaitMs = Infinity } = options;
    if (!(maxWaiting >= 0) || !(maxWaitMs > 0)) {
      throw new RangeError(
        `MemoryGate needs maxWaiting >= 0 and maxWaitMs > 0, got ${maxWaiting} and ${maxWaitMs}`,
      );
    }
    this.capacity = capacity;
    this.maxWaiting = maxWaiting;
    this.maxWaitMs = maxWaitMs;
  }

  /** Bytes held by the requests running now. */
  get held(): number {
    return this.#held;
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `work` once `bytes` fit beside what the running requests hold. Rejects without running
   * it with GateRefusedError (queue full, wait ran out) or the signal's reason (aborted).
   */
  async hold<T>(bytes: number, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    if (this.#waiting.length > 0 || !this.#fits(bytes)) {
      await this.#wait(bytes, signal);
    } else {
      this.#held += bytes;
    }
    try {
      return await work();
    } finally {
      this.#held -= bytes;
      this.#admitWaiting();
    }
  }

  #wait(bytes: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#waiting.length >= this.maxWaiting) {
      return Promise.reject(new GateRefusedError('queue-full'));
    }
    return new Promise<void>((resolve, reject) => {
      const leave = (error: unknown) => {
        const at = this.#waiting.indexOf(entry);
        if (at === -1) return;
        this.#waiting.splice(at, 1);
        settled();
        reject(error);
        // The one that left may have blocked smaller requests behind it.
        this.#admitWaiting();
      };
      const onAbort = () => leave(signal!.reason);
      const timer = Number.isFinite(this.maxWaitMs)
        ? setTimeout(() => leave(new GateRefusedError('timeout')), this.maxWaitMs)
        : undefined;
      const settled = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const entry: Waiting = {
        bytes,
        admit: () => {
          settled();
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(entry);
    });
  }

  #fits(bytes: number): boolean {
    return this.#held === 0 || this.#held + bytes <= this.capacity;
  }

  #admitWaiting(): void {
    for (let next = this.#waiting[0]; next !== undefined; next = this.#waiting[0]) {
      if (!this.#fits(next.bytes)) return;
      this.#waiting.shift();
      this.#held += next.bytes;
      next.admit();
    }
  }
}
