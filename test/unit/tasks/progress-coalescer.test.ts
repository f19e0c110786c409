/**
 * ProgressCoalescer: at most one flush per interval (the latest report), the pending one on
 * close, values clamped to 0–100 and rounded, nothing after close.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressCoalescer, type ProgressUpdate } from '../../../src/tasks/progress-coalescer.ts';

let flushed: ProgressUpdate[];
let coalescer: ProgressCoalescer;

beforeEach(() => {
  vi.useFakeTimers();
  flushed = [];
  coalescer = new ProgressCoalescer(100, (update) => flushed.push(update));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ProgressCoalescer', () => {
  it('flushes the first report at once', () => {
    coalescer.report(5, 'starting');
    expect(flushed).toEqual([{ progress: 5, message: 'starting' }]);
  });

  it('flushes at most once per interval, with the latest value', () => {
    coalescer.report(1, 'a');
    expect(flushed).toHaveLength(1);
    for (let i = 2; i <= 50; i++) {
      vi.advanceTimersByTime(1);
      coalescer.report(i, `m${i}`);
    }
    // 49 ms into the interval, then 99 ms: nothing more yet.
    expect(flushed).toHaveLength(1);
    vi.advanceTimersByTime(50);
    expect(flushed).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual([
      { progress: 1, message: 'a' },
      { progress: 50, message: 'm50' },
    ]);
    // No report pending: time alone flushes nothing.
    vi.advanceTimersByTime(1000);
    expect(flushed).toHaveLength(2);
  });

  it('keeps the interval between flushes over many intervals', () => {
    const times: number[] = [];
    const start = Date.now();
    const timed = new ProgressCoalescer(100, () => times.push(Date.now() - start));
    // A report every 7 ms for 1 s.
    for (let t = 0; t < 1000; t += 7) {
      timed.report(t / 10, '');
      vi.advanceTimersByTime(7);
    }
    expect(times.length).toBeGreaterThanOrEqual(9);
    expect(times.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(100);
    }
  });

  it('flushes at once again when a report comes after a quiet interval', () => {
    coalescer.report(10, '');
    vi.advanceTimersByTime(250);
    coalescer.report(20, '');
    expect(flushed.map((u) => u.progress)).toEqual([10, 20]);
  });

  it('close() flushes the pending report immediately and cancels the timer', () => {
    coalescer.report(1, 'first');
    coalescer.report(2, 'second');
    coalescer.report(3, 'third');
    expect(flushed).toHaveLength(1);
    coalescer.close();
    expect(flushed).toEqual([
      { progress: 1, message: 'first' },
      { progress: 3, message: 'third' },
    ]);
    vi.advanceTimersByTime(1000);
    expect(flushed).toHaveLength(2);
  });

  it('close() without a pending report flushes nothing', () => {
    coalescer.report(1, '');
    coalescer.close();
    coalescer.close();
    expect(flushed).toHaveLength(1);
  });

  it('ignores reports after close', () => {
    coalescer.close();
    coalescer.report(50, 'late');
    vi.advanceTimersByTime(1000);
    coalescer.close();
    expect(flushed).toEqual([]);
  });

  it('clamps to 0–99 and rounds', () => {
    const values: [number, number][] = [
      [-5, 0],
      [Number.NaN, 0],
      [42.4, 42],
      [42.5, 43],
      [99.4, 99],
      [150, 99],
    ];
    for (const [input, expected] of values) {
      coalescer.report(input, String(input));
      vi.advanceTimersByTime(100);
      expect(flushed.at(-1)).toEqual({ progress: expected, message: String(input) });
    }
    expect(flushed).toHaveLength(values.length);
  });

  it("issue 15 item 6: never goes back, never reads 100 while running, and starts from a resumed job's progress", () => {
    for (const [input, expected] of [
      [30, 30],
      [10, 30], // a new phase counting from 0
      [Number.NaN, 30],
      [100, 99],
      [50, 99],
    ] as const) {
      coalescer.report(input, `at ${input}`);
      vi.advanceTimersByTime(100);
      // The message still shows what the task said.
      expect(flushed.at(-1)).toEqual({ progress: expected, message: `at ${input}` });
    }
    const resumed: { progress: number }[] = [];
    const again = new ProgressCoalescer(100, (update) => resumed.push(update), 64);
    again.report(5, 'restarted phase');
    again.close();
    expect(resumed).toEqual([{ progress: 64, message: 'restarted phase' }]);
  });
});
