/**
 * The lane scheduler on its own, without threads: work is a promise the test settles, so the
 * order in which work starts is seen exactly.
 */
import { describe, expect, it } from 'vitest';
import { LaneScheduler, type Lane } from '../../../src/pool/lane-scheduler.ts';

interface Work {
  name: string;
  finish(value?: unknown): void;
  fail(error: unknown): void;
}

/** A scheduler whose work records when it starts and finishes only when the test says so. */
function harness(threads: number) {
  const scheduler = new LaneScheduler({ threads });
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
  it('starts at most `threads` tasks of a lane, FIFO within a lane, and passes results through', async () => {
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
    const { submit, started, finish } = harness(2);
    for (const name of ['b1', 'b2', 'b3', 'b4']) void submit('background', name);
    void submit('interactive', 'i1');
    void submit('interactive', 'i2');
    expect(started).toEqual(['b1', 'b2', 'i1']);
    await finish('b1');
    // i2 was queued after b3 and b4, yet takes the freed place.
    expect(started).toEqual(['b1', 'b2', 'i1', 'i2']);
    await finish('b2');
    expect(started).toEqual(['b1', 'b2', 'i1', 'i2', 'b3']);
  });

  it('gives background work every thread when no request needs one', () => {
    const { submit, started } = harness(3);
    for (const name of ['b1', 'b2', 'b3', 'b4']) void submit('background', name);
    expect(started).toEqual(['b1', 'b2', 'b3']);
  });

  it('always has a place for a request, however much background work runs', async () => {
    const { scheduler, submit, started, finish } = harness(2);
    for (const name of ['b1', 'b2', 'b3']) void submit('background', name);
    expect(started).toEqual(['b1', 'b2']);
    void submit('interactive', 'i1');
    expect(started).toEqual(['b1', 'b2', 'i1']);
    expect(scheduler.stats()).toEqual({
      interactive: { queued: 0, running: 1 },
      background: { queued: 1, running: 2 },
    });
    // Three jobs is the most in all: the next request waits for one of them to end.
    void submit('interactive', 'i2');
    expect(started).toEqual(['b1', 'b2', 'i1']);
    await finish('b1');
    // The place goes to the request, not to b3 queued before it.
    expect(started).toEqual(['b1', 'b2', 'i1', 'i2']);
    await finish('i1');
    expect(started).toEqual(['b1', 'b2', 'i1', 'i2', 'b3']);
  });

  it('never lets one lane run more than `threads` jobs', async () => {
    const { submit, started, finish } = harness(2);
    for (const name of ['i1', 'i2', 'i3']) void submit('interactive', name);
    void submit('background', 'b1');
    // Two requests and one job: the third request waits although the pool has a thread more.
    expect(started).toEqual(['i1', 'i2', 'b1']);
    await finish('b1');
    expect(started).toEqual(['i1', 'i2', 'b1']);
    await finish('i1');
    expect(started).toEqual(['i1', 'i2', 'b1', 'i3']);
  });

  it('with one thread, runs one request and one job side by side', async () => {
    const { submit, started, finish } = harness(1);
    void submit('background', 'b1');
    void submit('background', 'b2');
    void submit('interactive', 'i1');
    expect(started).toEqual(['b1', 'i1']);
    await finish('i1');
    expect(started).toEqual(['b1', 'i1']);
    await finish('b1');
    expect(started).toEqual(['b1', 'i1', 'b2']);
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
    const { scheduler, submit, finish } = harness(1);
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
