/**
 * A process-wide bound on the bytes that requests hold at once: each request states what it
 * will hold, waits its turn (first come, first served) while the others' total would pass the
 * capacity, and gives it back when done. A request larger than the whole capacity still runs,
 * alone, so nothing waits forever. Waiting costs no CPU and no memory beyond the queue entry.
 */
export class MemoryGate {
  readonly capacity: number;
  #held = 0;
  readonly #waiting: Array<{ bytes: number; admit: () => void }> = [];

  constructor(capacity: number) {
    if (!(Number.isSafeInteger(capacity) && capacity > 0)) {
      throw new RangeError(`MemoryGate capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Bytes held by the requests running now. */
  get held(): number {
    return this.#held;
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `work` once `bytes` fit beside what the running requests hold. */
  async hold<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    if (this.#waiting.length > 0 || !this.#fits(bytes)) {
      await new Promise<void>((admit) => this.#waiting.push({ bytes, admit }));
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
