import { afterEach, describe, expect, it, vi } from 'vitest';
import { GateRefusedError, MemoryGate } from '../../../src/services/memory-gate.ts';

/** A promise and the function that settles it. */
function deferred() {
  let settle!: () => void;
  const promise = new Promise<void>((resolve) => (settle = resolve));
  return { promise, settle };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MemoryGate', () => {
  it('runs requests side by side while their bytes fit and holds the next until bytes are given back', async () => {
    const gate = new MemoryGate(100);
    const first = deferred();
    const second = deferred();
    const started: string[] = [];
    const a = gate.hold(60, async () => {
      started.push('a');
      await first.promise;
    });
    const b = gate.hold(40, async () => {
      started.push('b');
      await second.promise;
    });
    const c = gate.hold(30, async () => {
      started.push('c');
    });
    await tick();
    expect(started).toEqual(['a', 'b']);
    expect([gate.held, gate.waiting]).toEqual([100, 1]);
    first.settle();
    await a;
    await c;
    expect(started).toEqual(['a', 'b', 'c']);
    second.settle();
    await b;
    expect([gate.held, gate.waiting]).toEqual([0, 0]);
  });

  it('serves waiting requests first come, first served, a small one not overtaking a large one', async () => {
    const gate = new MemoryGate(100);
    const running = deferred();
    const order: string[] = [];
    const first = gate.hold(90, () => running.promise);
    const large = gate.hold(80, async () => void order.push('large'));
    const small = gate.hold(5, async () => void order.push('small'));
    await tick();
    expect(order).toEqual([]);
    running.settle();
    await Promise.all([first, large, small]);
    expect(order).toEqual(['large', 'small']);
  });

  it('runs a request larger than the whole capacity alone rather than never', async () => {
    const gate = new MemoryGate(100);
    await expect(gate.hold(500, async () => gate.held)).resolves.toBe(500);
    expect(gate.held).toBe(0);
  });

  it('gives the bytes back when the work fails', async () => {
    const gate = new MemoryGate(100);
    await expect(
      gate.hold(70, async () => {
        throw new Error('render failed');
      }),
    ).rejects.toThrow('render failed');
    expect(gate.held).toBe(0);
    await expect(gate.hold(70, async () => 'next')).resolves.toBe('next');
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new MemoryGate(0)).toThrow(RangeError);
    expect(() => new MemoryGate(1.5)).toThrow(RangeError);
  });

  it('refuses a negative queue length and a wait of 0 ms', () => {
    expect(() => new MemoryGate(100, { maxWaiting: -1 })).toThrow(RangeError);
    expect(() => new MemoryGate(100, { maxWaitMs: 0 })).toThrow(RangeError);
  });
});

describe('MemoryGate admission (issue 16, item 1)', () => {
  afterEach(() => void vi.useRealTimers());

  it('refuses a request at once when maxWaiting requests already wait, running nothing of it', async () => {
    const gate = new MemoryGate(100, { maxWaiting: 1 });
    const running = deferred();
    const first = gate.hold(100, () => running.promise);
    const second = gate.hold(10, async () => 'second');
    let ran = false;
    const third = gate.hold(10, async () => void (ran = true));
    await expect(third).rejects.toEqual(new GateRefusedError('queue-full'));
    await expect(third).rejects.toMatchObject({ reason: 'queue-full' });
    expect([gate.held, gate.waiting, ran]).toEqual([100, 1, false]);
    running.settle();
    await first;
    await expect(second).resolves.toBe('second');
    // Room again: the next request is admitted.
    await expect(gate.hold(10, async () => 'later')).resolves.toBe('later');
  });

  it('with maxWaiting 0, runs what fits and refuses what would wait', async () => {
    const gate = new MemoryGate(100, { maxWaiting: 0 });
    const running = deferred();
    const first = gate.hold(60, () => running.promise);
    await expect(gate.hold(40, async () => 'fits')).resolves.toBe('fits');
    await expect(gate.hold(41, async () => 'waits')).rejects.toMatchObject({
      reason: 'queue-full',
    });
    running.settle();
    await first;
  });

  it('refuses a request that waited maxWaitMs, and lets the ones behind it move up', async () => {
    vi.useFakeTimers();
    const gate = new MemoryGate(100, { maxWaitMs: 1000 });
    const running = deferred();
    const first = gate.hold(50, () => running.promise);
    const large = gate.hold(80, async () => 'large');
    const refused = expect(large).rejects.toMatchObject({ reason: 'timeout' });
    await vi.advanceTimersByTimeAsync(500);
    // Behind the large one: it fits beside the first, but first come, first served.
    let smallRan = false;
    const small = gate.hold(40, async () => void (smallRan = true));
    await vi.advanceTimersByTimeAsync(499);
    expect([gate.waiting, smallRan]).toEqual([2, false]);
    await vi.advanceTimersByTimeAsync(1);
    await refused;
    // The large one left: the small one now fits beside the first.
    await small;
    expect(smallRan).toBe(true);
    running.settle();
    await first;
    expect([gate.held, gate.waiting]).toEqual([0, 0]);
  });

  it('drops a waiting request whose signal aborts, with the signal’s reason', async () => {
    const gate = new MemoryGate(100, { maxWaitMs: 60_000 });
    const running = deferred();
    const first = gate.hold(100, () => running.promise);
    const controller = new AbortController();
    let ran = false;
    const waiting = gate.hold(10, async () => void (ran = true), controller.signal);
    await tick();
    expect(gate.waiting).toBe(1);
    controller.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
    expect([gate.waiting, ran]).toEqual([0, false]);
    await expect(gate.hold(1, async () => 1, controller.signal)).rejects.toThrow('client gone');
    running.settle();
    await first;
    expect(gate.held).toBe(0);
  });
});
