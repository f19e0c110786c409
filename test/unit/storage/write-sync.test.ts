import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  configureWriteSync,
  DEFAULT_WRITE_SYNC_BYTES,
  DirtyBytes,
  OverlappedFlush,
  writeSyncBytes,
} from '../../../src/storage/write-sync.ts';

describe('DirtyBytes', () => {
  it('asks for a flush each time the limit is reached, then counts from zero', () => {
    const dirty = new DirtyBytes(100);
    const flushes = [40, 40, 40, 100, 10, 250].map((bytes) => dirty.add(bytes));
    expect(flushes).toEqual([false, false, true, true, false, true]);
  });

  it('never asks with a limit of 0 (left to the kernel)', () => {
    const dirty = new DirtyBytes(0);
    expect([1, 2 ** 40].map((bytes) => dirty.add(bytes))).toEqual([false, false]);
  });

  it("takes the server's setting on the main thread", () => {
    expect(new DirtyBytes().limit).toBe(writeSyncBytes());
    configureWriteSync(1234);
    try {
      expect(new DirtyBytes().limit).toBe(1234);
    } finally {
      configureWriteSync(DEFAULT_WRITE_SYNC_BYTES);
    }
  });
});

describe('OverlappedFlush', () => {
  /** A flush that finishes when the test says so, recording the order of events. */
  function controlledFlush() {
    const events: string[] = [];
    const pending: Array<() => void> = [];
    const failing: Array<(error: Error) => void> = [];
    const flush = (fd: number) =>
      new Promise<void>((resolve, reject) => {
        events.push(`flush ${fd} started`);
        pending.push(() => {
          events.push(`flush ${fd} done`);
          resolve();
        });
        failing.push(reject);
      });
    return { events, pending, failing, flush };
  }

  it('starts a flush at each limit and lets the writer go on while it runs', async () => {
    const disk = controlledFlush();
    const writer = new OverlappedFlush(7, { limit: 10, flush: disk.flush });
    expect(writer.written(6)).toBeUndefined();
    expect(disk.events).toEqual([]);
    // The limit: a flush starts, and the writer is not held.
    expect(writer.written(6)).toBeUndefined();
    expect(disk.events).toEqual(['flush 7 started']);
    expect(writer.written(4)).toBeUndefined();
    // The limit again while the first flush runs: the writer waits for it, then the next starts.
    const wait = writer.written(10);
    expect(wait).toBeInstanceOf(Promise);
    let waited = false;
    void wait!.then(() => (waited = true));
    await Promise.resolve();
    expect(waited).toBe(false);
    disk.pending.shift()!();
    await wait;
    expect(disk.events).toEqual(['flush 7 started', 'flush 7 done', 'flush 7 started']);
    // finish waits for the flush in flight, then flushes once more.
    const finished = writer.finish();
    disk.pending.shift()!();
    await vi.waitFor(() => expect(disk.pending).toHaveLength(1));
    disk.pending.shift()!();
    await finished;
    expect(disk.events).toEqual([
      'flush 7 started',
      'flush 7 done',
      'flush 7 started',
      'flush 7 done',
      'flush 7 started',
      'flush 7 done',
    ]);
  });

  it('reports a failed flush to the writer at its next write, or at finish', async () => {
    const disk = controlledFlush();
    const writer = new OverlappedFlush(3, { limit: 10, flush: disk.flush });
    writer.written(10);
    disk.failing.shift()!(Object.assign(new Error('no space'), { code: 'ENOSPC' }));
    await vi.waitFor(() => expect(() => writer.written(1)).toThrow('no space'));
    await expect(writer.finish()).rejects.toThrow('no space');
  });

  it('never flushes with a limit of 0', async () => {
    const disk = controlledFlush();
    const writer = new OverlappedFlush(3, { limit: 0, flush: disk.flush });
    expect(writer.written(2 ** 40)).toBeUndefined();
    await writer.finish();
    expect(disk.events).toEqual([]);
  });

  it('flushes a real file with fdatasync', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'relief-flush-'));
    const fd = openSync(join(dir, 'file'), 'w');
    try {
      const writer = new OverlappedFlush(fd, { limit: 4 });
      writeSync(fd, Buffer.from('abcdef'));
      await writer.written(6);
      await writer.finish();
    } finally {
      closeSync(fd);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
