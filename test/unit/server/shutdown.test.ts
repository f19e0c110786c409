/**
 * shutDown: announces first, stops tasks while responses drain, cuts what is open at the deadline
 * minus the margin, returns by the deadline whatever happens, and says what it had to cut.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InFlightRequest } from '../../../src/server/in-flight-requests.ts';
import {
  shutDown,
  shutdownMargin,
  type ShutdownLog,
  type ShutdownParts,
} from '../../../src/server/shutdown.ts';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const SLOW_MAP: InFlightRequest = {
  method: 'GET',
  route: '/ows',
  requestId: 'req-1',
  elapsedMs: 8000,
};

let calls: string[];
let warnings: Array<{ fields: unknown; message: string }>;
let tasks: Deferred<number>;
let closing: Deferred<void>;
let cutResult: InFlightRequest[];
let parts: ShutdownParts;
const log = {
  warn: (fields: unknown, message: string) => warnings.push({ fields, message }),
  error: () => undefined,
} as unknown as ShutdownLog;

beforeEach(() => {
  vi.useFakeTimers();
  calls = [];
  warnings = [];
  tasks = deferred();
  closing = deferred();
  cutResult = [];
  parts = {
    announce: () => calls.push('announce'),
    stopTasks: (budgetMs) => {
      calls.push(`stopTasks ${budgetMs}`);
      return tasks.promise;
    },
    close: () => {
      calls.push('close');
      return closing.promise;
    },
    cutConnections: () => {
      calls.push('cut');
      return cutResult;
    },
  };
});

afterEach(() => {
  vi.useRealTimers();
});

describe('shutdownMargin', () => {
  it('keeps a fifth of the deadline for closing, at most 2 s', () => {
    expect(shutdownMargin(1000)).toBe(200);
    expect(shutdownMargin(10_000)).toBe(2000);
    expect(shutdownMargin(600_000)).toBe(2000);
  });
});

describe('shutDown', () => {
  it('announces first, then stops tasks and closes at once, without waiting for either', async () => {
    const outcome = shutDown(parts, log, 10_000);
    expect(calls).toEqual(['announce', 'stopTasks 8000', 'close']);
    tasks.resolve(0);
    closing.resolve();
    expect(await outcome).toEqual({ cut: [], tasksLeft: 0, closed: true });
    expect(warnings).toEqual([]);
    // Nothing was left to cut, and no timer outlives the shutdown.
    expect(vi.getTimerCount()).toBe(0);
    expect(calls).not.toContain('cut');
  });

  it('waits for the tasks as well as for the close', async () => {
    let settled = false;
    const outcome = shutDown(parts, log, 10_000).then((o) => {
      settled = true;
      return o;
    });
    closing.resolve();
    await vi.advanceTimersByTimeAsync(100);
    expect(settled).toBe(false);
    tasks.resolve(0);
    expect((await outcome).closed).toBe(true);
  });

  it('cuts the connections still open at the deadline minus the margin and logs which', async () => {
    cutResult = [SLOW_MAP];
    const outcome = shutDown(parts, log, 10_000);
    tasks.resolve(0);
    await vi.advanceTimersByTimeAsync(7999);
    expect(calls).not.toContain('cut');
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.at(-1)).toBe('cut');
    // Cutting the connections is what lets the close complete.
    closing.resolve();
    expect(await outcome).toEqual({ cut: [SLOW_MAP], tasksLeft: 0, closed: true });
    expect(warnings).toEqual([
      {
        fields: { requests: [SLOW_MAP] },
        message:
          'shutdown: %d in-flight requests did not finish in time; their connections were cut',
      },
    ]);
  });

  it('returns at the deadline when closing has not finished, saying so', async () => {
    const outcome = shutDown(parts, log, 10_000);
    tasks.resolve(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await outcome).toEqual({ cut: [], tasksLeft: 1, closed: false });
    expect(warnings.map((w) => w.message)).toEqual([
      'shutdown: %d running tasks did not stop in time; the next start resumes or fails them',
      'shutdown: plugins, the worker pool or the job store did not close by the deadline; exiting anyway',
    ]);
  });

  it('rejects when closing fails, and clears its timers', async () => {
    const outcome = shutDown(parts, log, 10_000);
    tasks.resolve(0);
    closing.reject(new Error('pool would not close'));
    await expect(outcome).rejects.toThrow('pool would not close');
    expect(vi.getTimerCount()).toBe(0);
  });
});
