import { describe, expect, it } from 'vitest';
import { MemoryGate } from '../../../src/services/memory-gate.ts';

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
});
