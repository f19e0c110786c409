import { describe, expect, it } from 'vitest';
import {
  configureWriteSync,
  DEFAULT_WRITE_SYNC_BYTES,
  DirtyBytes,
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
