/**
 * The data dir readiness check against real file-system faults. Tests may run as root, whom
 * permissions do not stop: an unwritable data dir is made by putting a file where the folder's
 * parent (or the folder) should be, which stops root too; the chmod case runs only for others.
 */
import { chmod, mkdir, mkdtemp, readdir, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirCheck } from '../../../src/storage/data-dir-check.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'relief-data-check-'));
});
afterEach(async () => {
  await chmod(root, 0o755).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;

async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

describe('DataDirCheck', () => {
  it('is ok for a writable folder with room, reports the free space and leaves no file', async () => {
    const check = new DataDirCheck({ dir: root, minFreeBytes: 1024 });
    const status = await check.check();
    expect(status).toMatchObject({ status: 'ok', minFreeBytes: 1024 });
    expect(status.freeBytes).toBeGreaterThan(1024);
    expect(status.reason).toBeUndefined();
    expect(await readdir(root)).toEqual([]);
  });

  it('is unwritable when the data dir is not a folder any more (stops root too)', async () => {
    const parentIsAFile = join(root, 'file');
    await writeFile(parentIsAFile, '');
    const status = await new DataDirCheck({
      dir: join(parentIsAFile, 'data'),
      minFreeBytes: 0,
    }).check();
    expect(status.status).toBe('unwritable');
    expect(status.reason).toMatch(
      /^ENOTDIR: not a directory, open '.*\/file\/data\/\.write-probe-\d+'$/,
    );
  });

  it.skipIf(isRoot)('is unwritable when permissions forbid writing (not as root)', async () => {
    await chmod(root, 0o555);
    const status = await new DataDirCheck({ dir: root, minFreeBytes: 0 }).check();
    expect(status.status).toBe('unwritable');
    expect(status.reason).toMatch(/^EACCES: permission denied/);
  });

  it('is low-space below RELIEF_MIN_FREE_DISK, and not checked with 0', async () => {
    const above = (await freeBytes(root)) * 2;
    const low = await new DataDirCheck({ dir: root, minFreeBytes: above }).check();
    expect(low).toMatchObject({ status: 'low-space', minFreeBytes: above });
    expect(low.freeBytes).toBeLessThan(above);
    expect(low.reason).toBe(`${low.freeBytes} bytes free, below RELIEF_MIN_FREE_DISK (${above})`);
    expect((await new DataDirCheck({ dir: root, minFreeBytes: 0 }).check()).status).toBe('ok');
  });

  it('reuses a result for maxAgeMs, then looks again', async () => {
    const dir = join(root, 'data');
    await mkdir(dir);
    let now = 1_000_000;
    const check = new DataDirCheck({ dir, minFreeBytes: 0, maxAgeMs: 5_000, now: () => now });
    expect((await check.check()).status).toBe('ok');
    // The volume goes away: a probe within the window still gets the earlier answer…
    await rename(dir, join(root, 'gone'));
    await writeFile(dir, '');
    now += 4_999;
    expect((await check.check()).status).toBe('ok');
    // …and the next one after it finds out.
    now += 1;
    expect((await check.check()).status).toBe('unwritable');
  });

  it('offers the last finished result without waiting: none before the first', async () => {
    const lock = { lost: false };
    const check = new DataDirCheck({ dir: root, minFreeBytes: 0, lock });
    expect(check.latest()).toBeUndefined();
    const first = check.check();
    expect(check.latest()).toBeUndefined(); // still probing
    const status = await first;
    expect(check.latest()).toEqual(status);
    lock.lost = true;
    expect(check.latest()).toMatchObject({ status: 'lock-lost' });
  });

  it('shares one probe between callers that arrive together', async () => {
    const check = new DataDirCheck({ dir: root, minFreeBytes: 0 });
    const [a, b] = [check.check(), check.check()];
    expect(await a).toBe(await b);
  });

  it('is lock-lost, whatever the disk says, once another server took the data dir lock', async () => {
    const lock = { lost: false };
    const check = new DataDirCheck({ dir: root, minFreeBytes: 0, lock });
    expect((await check.check()).status).toBe('ok');
    lock.lost = true;
    expect(await check.check()).toMatchObject({
      status: 'lock-lost',
      reason: 'another server took the data dir lock',
    });
  });
});
