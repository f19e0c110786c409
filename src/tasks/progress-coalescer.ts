/**
 * Progress is reported as often as a task likes; clients and the database see at most one
 * update per interval per task (the latest), plus the last one when the task ends.
 */
export interface ProgressUpdate {
  progress: number;
  message: string;
}

export class ProgressCoalescer {
  readonly #interval: number;
  readonly #flush: (update: ProgressUpdate) => void;
  #pending: ProgressUpdate | undefined;
  #last = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(intervalMs: number, flush: (update: ProgressUpdate) => void) {
    this.#interval = intervalMs;
    this.#flush = flush;
  }

  report(percent: number, message: string): void {
    if (this.#closed) return;
    const progress = Math.max(0, Math.min(100, Math.round(Number.isFinite(percent) ? percent : 0)));
    this.#pending = { progress, message };
    if (this.#timer !== undefined) return;
    const wait = this.#last + this.#interval - Date.now();
    if (wait <= 0) this.#emit();
    else this.#timer = setTimeout(() => this.#emit(), wait);
  }

  /** Emits what is pending now and stops accepting reports. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending !== undefined) this.#emit();
    this.#closed = true;
  }

  #emit(): void {
    this.#timer = undefined;
    const update = this.#pending;
    this.#pending = undefined;
    if (update === undefined) return;
    this.#last = Date.now();
    this.#flush(update);
  }
}
