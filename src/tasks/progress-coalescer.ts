/**
 * Progress is reported as often as a task likes; clients and the database see at most one
 * update per interval per task (the latest), plus the last one when the task ends.
 *
 * What they see only ever grows, and reads 100 only once the job has succeeded: a report below
 * the highest so far keeps that value (its message still shows), and a running task's progress
 * stops at 99. A task whose phases each count from 0, or that rounds up early, cannot make a
 * progress bar jump back or a client believe it is done.
 */
export interface ProgressUpdate {
  progress: number;
  message: string;
}

/** 100 is the successful end, set by the task manager, never by a report. */
const MAX_RUNNING_PROGRESS = 99;

export class ProgressCoalescer {
  readonly #interval: number;
  readonly #flush: (update: ProgressUpdate) => void;
  #pending: ProgressUpdate | undefined;
  #last = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** The highest progress reported so far (a resumed job starts from its recorded one). */
  #floor: number;

  constructor(intervalMs: number, flush: (update: ProgressUpdate) => void, floor = 0) {
    this.#interval = intervalMs;
    this.#flush = flush;
    this.#floor = Math.max(0, Math.min(MAX_RUNNING_PROGRESS, floor));
  }

  report(percent: number, message: string): void {
    if (this.#closed) return;
    const asked = Math.round(Number.isFinite(percent) ? percent : 0);
    const progress = Math.max(this.#floor, Math.min(MAX_RUNNING_PROGRESS, asked));
    this.#floor = progress;
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
