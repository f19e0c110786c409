/**
 * The lane scheduler on its own, without threads: work is a promise the test settles, so the
 * order in which work starts is seen exactly. The hold window runs on fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LaneScheduler, type Lane } from '../../../src/pool/lane-scheduler.ts';

interface Work {
  name: string;
  finish(value?: unknown): void;
  fail(error: unknown): void;
}

/** A scheduler whose work records when it starts and finishes only when the test says so. */
function harness(slots: number, interactiveHoldMs = 1000) {
  const scheduler = new LaneScheduler({ slots, interactiveHoldMs });
  const started: string[] = [];
  const running = new Map<string, Work>();
  const submit = (lane: Lane, name: string, signal?: AbortSignal) =>
    scheduler.schedule(
      lane,
      () =>
        new Promise<unknown>((resolve, reject) => {
          started.push(name);
          running.set(name, { name, finish: resolve, fail: reject });
        }),
      signal,
    );
  /** Finishes running work, then lets the scheduler react (promise callbacks). */
  const finish = async (name: string, value: unknown = name) => {
    const work = running.get(name);
    if (work === undefined) throw new Error(`${name} is not running`);
    running.delete(name);
    work.finish(value);
    await flush();
  };
  return { scheduler, started, running, submit, finish };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LaneScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts at most `slots` tasks, FIFO within a lane, and passes results through', async () => {
    const { submit, started, finish } = harness(2);
    const a = submit('interactive', 'a');
    const b = submit('interactive', 'b');
    const c = submit('interactive', 'c');
    expect(started).toEqual(['a', 'b']);
    await finish('a', 42);
    await expect(a).resolves.toBe(42);
    expect(started).toEqual(['a', 'b', 'c']);
    await finish('b');
    await finish('c');
    await expect(Promise.all([b, c])).resolves.toEqual(['b', 'c']);
  });

  it('passes a failure through and frees the slot', async () => {
    const { submit, started, running } = harness(1);
    const a = submit('interactive', 'a');
    void submit('interactive', 'b');
    running.get('a')!.fail(new Error('boom'));
    await expect(a).rejects.toThrow('boom');
    await flush();
    expect(started).toEqual(['a', 'b']);
  });

  it('frees the slot when start throws synchronously', async () => {
    const { scheduler, submit, started } = harness(1);
    const bad = scheduler.schedule('interactive', () => {
      throw new Error('cannot start');
    });
    await expect(bad).rejects.toThrow('cannot start');
    void submit('interactive', 'next');
    expect(started).toEqual(['next']);
  });

  it('starts queued interactive work before background work queued earlier', async () => {
    const { submit, started, finish } = harness(1);
    void submit('background', 'b1');
    void submit('background', 'b2');
    void submit('background', 'b3');
    void submit('interactive', 'i1');
    void submit('interactive', 'i2');
    expect(started).toEqual(['b1']);
    await finish('b1');
    await finish('i1');
    await finish('i2');
    expect(started).toEqual(['b1', 'i1', 'i2', 'b2']);
  });

  it('gives background work every slot while interactive work is quiet', () => {
    const { submit, started } = harness(3);
    for (const name of ['b1', 'b2', 'b3', 'b4']) void submit('background', name);
    expect(started).toEqual(['b1', 'b2', 'b3']);
  });

  it('keeps one slot free for interactive work while it is recent', async () => {
    const { scheduler, submit, started, finish } = harness(2);
    void submit('interactive', 'i1');
    await finish('i1');
    for (const name of ['b1', 'b2', 'b3']) void submit('background', name);
    expect(started).toEqual(['i1', 'b1']);
    expect(scheduler.stats()).toEqual({
      interactive: { queued: 0, running: 0 },
      background: { queued: 2, running: 1 },
    });
    // The free slot takes the next request at once.
    void submit('interactive', 'i2');
    expect(started).toEqual(['i1', 'b1', 'i2']);
  });

  it('keeps the reservation while interactive work runs, however long', async () => {
    const { submit, started, finish } = harness(3);
    void submit('interactive', 'long');
    for (const name of ['b1', 'b2', 'b3']) void submit('background', name);
    vi.advanceTimersByTime(60_000);
    await flush();
    // Background work holds two of the three slots, never the third, while the request runs.
    expect(started).toEqual(['long', 'b1', 'b2']);
    await finish('long');
    expect(started).toEqual(['long', 'b1', 'b2']);
    vi.advanceTimersByTime(1000);
    await flush();
    expect(started).toEqual(['long', 'b1', 'b2', 'b3']);
  });

  it('lets background work take the reserved slot once the hold window has passed', async () => {
    const { submit, started, finish } = harness(2, 1000);
    void submit('interactive', 'i1');
    vi.advanceTimersByTime(300);
    await finish('i1');
    for (const name of ['b1', 'b2']) void submit('background', name);
    expect(started).toEqual(['i1', 'b1']);
    // The window counts from when i1 finished (t = 300), not from its submission.
    vi.advanceTimersByTime(999);
    await flush();
    expect(started).toEqual(['i1', 'b1']);
    vi.advanceTimersByTime(1);
    await flush();
    expect(started).toEqual(['i1', 'b1', 'b2']);
  });

  it('with interactiveHoldMs 0, reserves only while interactive work is queued or running', async () => {
    const { submit, started, finish } = harness(2, 0);
    void submit('interactive', 'i1');
    void submit('background', 'b1');
    void submit('background', 'b2');
    expect(started).toEqual(['i1', 'b1']);
    await finish('i1');
    expect(started).toEqual(['i1', 'b1', 'b2']);
  });

  it('with one slot, runs background work whenever no interactive work is queued', async () => {
    const { submit, started, finish } = harness(1, 1000);
    void submit('interactive', 'i1');
    void submit('background', 'b1');
    await finish('i1');
    // No slot can be reserved: b1 starts inside the hold window.
    expect(started).toEqual(['i1', 'b1']);
  });

  it('drops work whose signal aborts while queued: rejected with the reason, never started', async () => {
    const { scheduler, submit, started, finish } = harness(1);
    void submit('interactive', 'first');
    const controller = new AbortController();
    const dropped = submit('interactive', 'dropped', controller.signal);
    void submit('interactive', 'last');
    expect(scheduler.stats().interactive).toEqual({ queued: 2, running: 1 });
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(dropped).rejects.toBe(reason);
    expect(scheduler.stats().interactive).toEqual({ queued: 1, running: 1 });
    await finish('first');
    expect(started).toEqual(['first', 'last']);
  });

  it('rejects at once, without queueing, when the signal has already aborted', async () => {
    const { scheduler, submit, started } = harness(1);
    const promise = submit('interactive', 'late', AbortSignal.abort());
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect(started).toEqual([]);
    expect(scheduler.stats().interactive).toEqual({ queued: 0, running: 0 });
  });

  it('leaves running work alone when its signal aborts: stopping it is the caller’s job', async () => {
    const { scheduler, submit, finish } = harness(1);
    const controller = new AbortController();
    const running = submit('background', 'b1', controller.signal);
    controller.abort();
    expect(scheduler.stats().background).toEqual({ queued: 0, running: 1 });
    await finish('b1', 'done');
    await expect(running).resolves.toBe('done');
  });

  it('counts queued and running work per lane', async () => {
    const { scheduler, submit, finish } = harness(2, 0);
    void submit('interactive', 'i1');
    void submit('background', 'b1');
    void submit('background', 'b2');
    void submit('interactive', 'i2');
    expect(scheduler.stats()).toEqual({
      interactive: { queued: 1, running: 1 },
      background: { queued: 1, running: 1 },
    });
    await finish('i1');
    expect(scheduler.stats()).toEqual({
      interactive: { queued: 0, running: 1 },
      background: { queued: 1, running: 1 },
    });
  });

  it('clear() rejects queued work and lets running work finish', async () => {
    const { scheduler, submit, finish } = harness(1);
    const running = submit('background', 'b1');
    const queued = submit('background', 'b2');
    scheduler.clear(new Error('closed'));
    await expect(queued).rejects.toThrow('closed');
    await finish('b1');
    await expect(running).resolves.toBe('b1');
  });
});
