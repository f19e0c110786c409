/**
 * The data dir lock with short heartbeats: a second holder is refused with a message naming the
 * data dir and the holder, a dead holder's lock is taken over, release and exit free it, and a
 * holder notices when its lock was taken.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DataDirLock,
  DataDirLockedError,
  LOCK_FILE,
  type DataDirLockOptions,
  type LockOwner,
} from '../../../src/storage/data-dir-lock.ts';

const FAST = { heartbeatMs: 40, staleMs: 400 };

let dir: string;
let held: DataDirLock[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-lock-'));
  held = [];
});
afterEach(async () => {
  for (const lock of held) await lock.release();
  await rm(dir, { recursive: true, force: true });
});

async function acquire(options: DataDirLockOptions = FAST): Promise<DataDirLock> {
  const lock = await DataDirLock.acquire(dir, options);
  held.push(lock);
  return lock;
}

const lockFile = () => join(dir, LOCK_FILE);
const ownerOnDisk = async () => JSON.parse(await readFile(lockFile(), 'utf8')) as LockOwner;

async function writeForeignLock(ageMs: number): Promise<LockOwner> {
  const owner = {
    pid: 999_999,
    hostname: 'elsewhere',
    startedAt: '2026-01-01T00:00:00.000Z',
    token: 'theirs',
  };
  await writeFile(lockFile(), JSON.stringify(owner));
  const at = new Date(Date.now() - ageMs);
  await utimes(lockFile(), at, at);
  return owner;
}

describe('DataDirLock', () => {
  it('records its pid, host and start time in <data dir>/relief.lock', async () => {
    const lock = await acquire();
    expect(await ownerOnDisk()).toEqual({
      pid: process.pid,
      hostname: hostname(),
      startedAt: lock.owner.startedAt,
      token: lock.owner.token,
    });
    expect(lock.lost).toBe(false);
  });

  it('refuses a second holder with a message naming the data dir and the holder', async () => {
    const first = await acquire();
    const error = await acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as DataDirLockedError).owner).toEqual(first.owner);
    expect((error as Error).message).toBe(
      `The data dir ${dir} is in use by another Relief server (pid ${process.pid} on host ${hostname()}, since ${first.owner.startedAt}); two servers on one data dir would run the same jobs twice. Stop the other server or give this one another RELIEF_DATA_DIR (the lock of a server that died is taken over 0.4 s after its last heartbeat)`,
    );
    // The refused attempt left the holder's file alone.
    expect((await ownerOnDisk()).token).toBe(first.owner.token);
  });

  it('release removes the file, and the next server takes the lock at once', async () => {
    const first = await acquire();
    await first.release();
    expect(existsSync(lockFile())).toBe(false);
    const second = await acquire();
    expect((await ownerOnDisk()).token).toBe(second.owner.token);
    await first.release(); // a second release is harmless, and leaves the new holder's file
    expect((await ownerOnDisk()).token).toBe(second.owner.token);
  });

  it('takes over a lock untouched for longer than the stale time', async () => {
    await writeForeignLock(60_000);
    const lock = await acquire();
    expect((await ownerOnDisk()).token).toBe(lock.owner.token);
    // The dead owner's file was moved aside and removed, not left behind; the claim on it stays
    // for the stale time (refusing servers that judged the same file dead a moment late) and
    // goes then.
    const files = await readdir(dir);
    expect(files.sort()).toEqual([
      LOCK_FILE,
      expect.stringMatching(/^relief\.lock\.\d+-\d+\.takeover$/),
    ]);
    await expect.poll(() => readdir(dir), { timeout: 5_000 }).toEqual([LOCK_FILE]);
    expect((await ownerOnDisk()).token).toBe(lock.owner.token);
  });

  it('takes over a recently touched lock whose owner stopped beating (died moments ago), and says so', async () => {
    const dead = await writeForeignLock(0);
    const logged: Array<[string, unknown, string]> = [];
    const log = {
      info: (o: unknown, m: string) => logged.push(['info', o, m]),
      warn: (o: unknown, m: string) => logged.push(['warn', o, m]),
      error: (o: unknown, m: string) => logged.push(['error', o, m]),
    };
    const lock = await acquire({ ...FAST, log: log as unknown as DataDirLockOptions['log'] });
    expect((await ownerOnDisk()).token).toBe(lock.owner.token);
    expect(logged).toEqual([
      [
        'info',
        { lockFile: lockFile(), owner: dead },
        'data dir lock file found: watching it for its owner’s heartbeat',
      ],
      [
        'warn',
        { lockFile: lockFile(), owner: dead },
        'taking over the data dir lock of a server that is gone (no heartbeat)',
      ],
    ]);
  });

  it('lets exactly one of several servers take over the same dead lock, and that one keeps it', async () => {
    // Three servers finding one dead owner's file at once: each judges it stale and moves it
    // aside. A server that moved a newer, live file aside must never let a third create one in
    // the gap, or two servers would run at once until the next heartbeat.
    for (let round = 0; round < 20; round++) {
      await rm(lockFile(), { force: true });
      await writeForeignLock(60_000);
      const outcomes = await Promise.allSettled([
        DataDirLock.acquire(dir, FAST),
        DataDirLock.acquire(dir, FAST),
        DataDirLock.acquire(dir, FAST),
      ]);
      const winners = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      held.push(...winners);
      expect(winners.length, `round ${round}`).toBe(1);
      for (const o of outcomes) {
        if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DataDirLockedError);
      }
      const [winner] = winners as [DataDirLock];
      expect((await ownerOnDisk()).token).toBe(winner.owner.token);
      // A few heartbeats later it still holds its own file.
      await new Promise((resolve) => setTimeout(resolve, 3 * FAST.heartbeatMs));
      expect(winner.lost).toBe(false);
      expect((await ownerOnDisk()).token).toBe(winner.owner.token);
      await winner.release();
    }
  });

  it('names an unreadable holder as unknown', async () => {
    await writeFile(lockFile(), 'not json');
    // Kept fresh by hand, as a live holder would.
    const beat = setInterval(() => void utimes(lockFile(), new Date(), new Date()), 20);
    try {
      await expect(acquire()).rejects.toThrow(
        `The data dir ${dir} is in use by another Relief server (its relief.lock does not say which)`,
      );
    } finally {
      clearInterval(beat);
    }
  });

  it('notices when another server took its lock over, and then leaves that one alone', async () => {
    const lock = await acquire();
    const theirs = await writeForeignLock(0);
    await expect.poll(() => lock.lost, { timeout: 5_000 }).toBe(true);
    await lock.release();
    expect(await ownerOnDisk()).toEqual(theirs);
  });

  it('recreates its lock file when it was removed by hand', async () => {
    const lock = await acquire();
    await unlink(lockFile());
    await expect.poll(() => existsSync(lockFile()), { timeout: 5_000 }).toBe(true);
    expect((await ownerOnDisk()).token).toBe(lock.owner.token);
    expect(lock.lost).toBe(false);
  });

  it('removes its file when the process exits through an uncaught error', async () => {
    const module = fileURLToPath(new URL('../../../src/storage/data-dir-lock.ts', import.meta.url));
    const script = `import { DataDirLock } from ${JSON.stringify(module)};
await DataDirLock.acquire(${JSON.stringify(dir)});
console.log('locked');
setTimeout(() => { throw new Error('crash'); }, 10);`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(output).toContain('locked');
    expect(output).toContain('Error: crash');
    expect(code).toBe(1);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('wants a stale time longer than two heartbeats', async () => {
    await expect(DataDirLock.acquire(dir, { heartbeatMs: 100, staleMs: 200 })).rejects.toThrow(
      RangeError,
    );
  });
});
