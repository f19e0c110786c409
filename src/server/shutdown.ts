/**
 * The shutdown sequence after SIGTERM/SIGINT, under one deadline measured from the signal
 * (RELIEF_SHUTDOWN_TIMEOUT), so that the process exits before an orchestrator's SIGKILL:
 *
 * 1. `announce`: responses that would otherwise last until the deadline answer at once (job
 *    event streams send a final `shutdown` event and end; long polls return the job as it is).
 * 2. In parallel: `stopTasks` aborts running tasks (resumable ones resume at the next start,
 *    queued ones stay queued), and `close` stops accepting connections and lets in-flight
 *    responses finish.
 * 3. At the deadline minus a margin, `cutConnections` cuts what is still open.
 * 4. `close` then closes plugins, the worker pool and the job store within the margin.
 *
 * What had to be cut is logged as a warning; it does not make the shutdown a failure.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { InFlightRequest } from './in-flight-requests.ts';

export interface ShutdownParts {
  /** Ends long-lived responses (event streams, long polls) with a final answer. */
  announce(): void;
  /** Aborts running tasks; resolves when they stopped or `budgetMs` ran out, with those left. */
  stopTasks(budgetMs: number): Promise<number>;
  /**
   * Stops accepting connections, waits for in-flight responses, then closes plugins, the pool
   * and the job store (Fastify's close and its onClose hooks).
   */
  close(): Promise<void>;
  /** Cuts every connection still open; returns the requests that were being answered on them. */
  cutConnections(): readonly InFlightRequest[];
}

export interface ShutdownOutcome {
  /** Requests cut at the deadline minus the margin. */
  cut: readonly InFlightRequest[];
  /** Tasks that had not stopped in time; undefined if stopping them had not even answered. */
  tasksLeft: number | undefined;
  /** False when closing had not finished by the deadline (the process exits all the same). */
  closed: boolean;
}

export type ShutdownLog = Pick<FastifyBaseLogger, 'warn' | 'error'>;

/** The most time kept after the cut for closing plugins, the pool and the store. */
const MAX_MARGIN_MS = 2000;

/** Time kept between cutting connections and the deadline: a fifth of it, at most 2 s. */
export function shutdownMargin(deadlineMs: number): number {
  return Math.min(MAX_MARGIN_MS, Math.round(deadlineMs / 5));
}

export async function shutDown(
  parts: ShutdownParts,
  log: ShutdownLog,
  deadlineMs: number,
): Promise<ShutdownOutcome> {
  const cutAfterMs = deadlineMs - shutdownMargin(deadlineMs);
  parts.announce();
  let tasksLeft: number | undefined;
  const tasks = parts.stopTasks(cutAfterMs).then((count) => {
    tasksLeft = count;
    if (count > 0) {
      log.warn(
        { tasks: count },
        'shutdown: %d running tasks did not stop in time; the next start resumes or fails them',
        count,
      );
    }
  });
  let cut: readonly InFlightRequest[] = [];
  const cutTimer = setTimeout(() => {
    cut = parts.cutConnections();
    if (cut.length > 0) {
      log.warn(
        { requests: cut },
        'shutdown: %d in-flight requests did not finish in time; their connections were cut',
        cut.length,
      );
    }
  }, cutAfterMs);
  let deadlineTimer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    deadlineTimer = setTimeout(() => resolve(false), deadlineMs);
  });
  const closing = Promise.all([parts.close(), tasks]).then(() => true);
  try {
    const closed = await Promise.race([closing, deadline]);
    if (!closed) {
      // Past the deadline nobody waits for it, but a late failure still belongs in the log.
      closing.catch((error: unknown) => log.error({ err: error }, 'shutdown failed'));
      log.warn(
        { deadlineSeconds: deadlineMs / 1000 },
        'shutdown: plugins, the worker pool or the job store did not close by the deadline; exiting anyway',
      );
    }
    return { cut, tasksLeft, closed };
  } finally {
    clearTimeout(cutTimer);
    clearTimeout(deadlineTimer);
  }
}
