/**
 * One server per data dir. The embedded mode keeps its jobs in SQLite under the data dir, and two
 * servers on one volume (two pods during a rolling update) would each run the same queued jobs.
 * Only the server holding `<data dir>/relief.lock` starts; another fails start-up with a message
 * naming the holder.
 *
 * The lock file is created exclusively (O_EXCL, which NFS v3 and later honour) and records its
 * owner's pid, host and start time. The owner touches it every few seconds (a heartbeat), so a
 * server that finds the file:
 * - untouched for longer than the stale time: its owner is gone (killed, crashed, node lost); the
 *   lock is taken over;
 * - touched recently: it watches the file. A heartbeat proves a live owner and start-up fails; no
 *   heartbeat for the rest of the stale time means the owner died moments ago, and the lock is
 *   taken over. A server restarted after a crash thus waits out the stale time instead of failing
 *   in a loop, and a live owner is recognised by its file changing, whatever the clocks say.
 * At each heartbeat the owner checks that the file is still its own; if another server took it,
 * `lost` turns true (and /ready answers 503). A clean shutdown, or an exit through an uncaught
 * error, removes the file; after a kill it goes stale.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';

export const LOCK_FILE = 'relief.lock';

/** What the lock file holds. */
export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  /** Tells this owner's file from a later one of the same pid and host (a restarted container). */
  token: string;
}

export interface DataDirLockOptions {
  /** How often the owner touches the lock file (ms). */
  heartbeatMs?: number;
  /** How long a lock file may go untouched before its owner counts as gone (ms). */
  staleMs?: number;
  /** Where waiting, taking over, heartbeat problems and a lost lock are reported. */
  log?: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
}

const DEFAULT_HEARTBEAT_MS = 3_000;
const DEFAULT_STALE_MS = 15_000;
/** Rounds of looking: the file may vanish or change hands between two looks. */
const MAX_ROUNDS = 5;

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly dir: string,
    readonly owner: LockOwner | undefined,
    staleMs: number,
  ) {
    const who =
      owner === undefined
        ? `its ${LOCK_FILE} does not say which`
        : `pid ${owner.pid} on host ${owner.hostname}, since ${owner.startedAt}`;
    super(
      `The data dir ${dir} is in use by another Relief server (${who}); two servers on one data dir would run the same jobs twice. Stop the other server or give this one another RELIEF_DATA_DIR (the lock of a server that died is taken over ${staleMs / 1000} s after its last heartbeat)`,
    );
  }
}

interface Seen {
  owner: LockOwner | undefined;
  mtimeMs: number;
  ino: number;
}

export class DataDirLock {
  readonly path: string;
  readonly owner: LockOwner;
  readonly #log: DataDirLockOptions['log'];
  readonly #timer: NodeJS.Timeout;
  #claimTimer: NodeJS.Timeout | undefined;
  #claims: string[];
  #beating = false;
  #lost = false;
  #released = false;

  /** Takes the lock of `dir` (which must exist), or throws DataDirLockedError. */
  static async acquire(dir: string, options: DataDirLockOptions = {}): Promise<DataDirLock> {
    const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
    if (!(heartbeatMs > 0) || !(staleMs > 2 * heartbeatMs)) {
      throw new RangeError(
        `staleMs (${staleMs}) must exceed two heartbeats (heartbeatMs ${heartbeatMs})`,
      );
    }
    const path = join(dir, LOCK_FILE);
    const owner: LockOwner = {
      pid: process.pid,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
      token: randomUUID(),
    };
    let seen: Seen | undefined;
    const claims: string[] = [];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (await create(path, owner)) {
        return new DataDirLock(path, owner, heartbeatMs, staleMs, claims, options.log);
      }
      seen = await inspect(path);
      if (seen === undefined) continue;
      if (Date.now() - seen.mtimeMs <= staleMs) {
        options.log?.info(
          { lockFile: path, owner: seen.owner ?? null },
          'data dir lock file found: watching it for its owner’s heartbeat',
        );
        const watched = await watch(path, seen, heartbeatMs, staleMs);
        if (watched === 'gone') continue;
        if (watched !== 'stale') throw new DataDirLockedError(dir, watched.owner, staleMs);
      }
      options.log?.warn(
        { lockFile: path, owner: seen.owner ?? null },
        'taking over the data dir lock of a server that is gone (no heartbeat)',
      );
      const claim = await takeOver(path, seen, heartbeatMs, staleMs);
      if (claim !== undefined) claims.push(claim);
    }
    await Promise.all(claims.map((claim) => unlink(claim).catch(() => undefined)));
    throw new DataDirLockedError(dir, seen?.owner, staleMs);
  }

  private constructor(
    path: string,
    owner: LockOwner,
    heartbeatMs: number,
    staleMs: number,
    claims: string[],
    log: DataDirLockOptions['log'],
  ) {
    this.path = path;
    this.owner = owner;
    this.#log = log;
    this.#claims = claims;
    this.#timer = setInterval(() => void this.#beat(), heartbeatMs);
    this.#timer.unref();
    if (claims.length > 0) {
      // Late servers that judged the same dead file are refused by the claim until then.
      this.#claimTimer = setTimeout(() => void this.#dropClaims(), staleMs);
      this.#claimTimer.unref();
    }
    process.on('exit', this.#onExit);
  }

  /** True once another server took the lock file over: this server must not go on writing. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Removes the lock file if it is still this server's. Safe to call more than once. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    process.off('exit', this.#onExit);
    await this.#dropClaims();
    if (this.#lost) return;
    const seen = await inspect(this.path).catch(() => undefined);
    if (seen?.owner?.token === this.owner.token) await unlink(this.path).catch(() => undefined);
  }

  async #dropClaims(): Promise<void> {
    clearTimeout(this.#claimTimer);
    const claims = this.#claims;
    this.#claims = [];
    await Promise.all(claims.map((claim) => unlink(claim).catch(() => undefined)));
  }

  async #beat(): Promise<void> {
    // A slow disk may hold one heartbeat past the next: never two at once.
    if (this.#beating || this.#released || this.#lost) return;
    this.#beating = true;
    try {
      const seen = await inspect(this.path);
      if (seen === undefined) {
        // Removed by hand: still nobody else's, so take it again rather than stop being ready.
        if (await create(this.path, this.owner)) {
          this.#log?.warn({ lockFile: this.path }, 'data dir lock file was removed; recreated');
          return;
        }
      }
      const current = seen ?? (await inspect(this.path));
      if (current?.owner?.token !== this.owner.token) {
        this.#lost = true;
        clearInterval(this.#timer);
        this.#log?.error(
          { lockFile: this.path, owner: current?.owner ?? null },
          'data dir lock lost: another server took the lock file over; this one is no longer ready',
        );
        return;
      }
      const now = new Date();
      await utimes(this.path, now, now);
    } catch (error) {
      if (!this.#released)
        this.#log?.warn({ err: error, lockFile: this.path }, 'data dir lock heartbeat failed');
    } finally {
      this.#beating = false;
    }
  }

  /** On process exit (an uncaught error, process.exit): only synchronous calls work here. */
  readonly #onExit = (): void => {
    if (this.#released || this.#lost) return;
    try {
      if (parseOwner(readFileSync(this.path, 'utf8'))?.token === this.owner.token)
        unlinkSync(this.path);
    } catch {
      // Nothing to remove, or no way to: the file goes stale instead.
    }
  };
}

/** Creates the lock file for `owner`; false if it exists already. */
async function create(path: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${JSON.stringify(owner)}\n`);
  } catch (error) {
    // An empty lock file would stop every server for the stale time: leave none.
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return true;
}

/** The lock file's owner and identity, or undefined if there is none. */
async function inspect(path: string): Promise<Seen | undefined> {
  let handle;
  try {
    // Opening (not just stat) makes an NFS client revalidate the file's attributes.
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    const text = await handle.readFile('utf8');
    return { owner: parseOwner(text), mtimeMs: stats.mtimeMs, ino: stats.ino };
  } finally {
    await handle.close();
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner> | null;
    if (
      typeof value?.pid === 'number' &&
      typeof value.hostname === 'string' &&
      typeof value.startedAt === 'string' &&
      typeof value.token === 'string'
    ) {
      return value as LockOwner;
    }
  } catch {
    // Not written by this module (or cut short): the owner is unknown.
  }
  return undefined;
}

/**
 * Watches a recently touched lock file until the stale time has passed since its last touch
 * (and for two heartbeats at least, so a live owner is never taken for a dead one). Returns the
 * file as it changed (a live owner, or a newer one), 'gone', or 'stale'.
 */
async function watch(
  path: string,
  seen: Seen,
  heartbeatMs: number,
  staleMs: number,
): Promise<Seen | 'gone' | 'stale'> {
  const age = Math.max(0, Date.now() - seen.mtimeMs);
  const deadline = Date.now() + Math.min(staleMs, Math.max(2 * heartbeatMs, staleMs - age));
  const pollMs = Math.min(1000, Math.max(10, heartbeatMs / 4));
  while (Date.now() < deadline) {
    await sleep(pollMs);
    const now = await inspect(path);
    if (now === undefined) return 'gone';
    if (now.ino !== seen.ino || now.mtimeMs !== seen.mtimeMs) return now;
  }
  return 'stale';
}

/**
 * Takes a dead owner's lock file away, or leaves it to another server that is doing so.
 *
 * Several servers may judge the same file dead at once. Moving `path` aside is not safe for all
 * of them: the first one's new lock file may already be there, and while a later one moved it
 * aside and back, a third could create its own, so two would run. So the servers first race for
 * a claim named after the dead file (its inode and mtime): only the winner moves the lock file,
 * and no server ever moves a file it has not judged dead itself. The others wait a moment and
 * look again; they then find the winner's fresh, beating file. The claim is kept for the stale
 * time (a server that looked at the dead file a moment before it was moved may come late), and
 * a claim older than that is one whose maker died taking over: it is removed so the next round
 * can claim again. Returns the claim file this server made, if it made one.
 */
async function takeOver(
  path: string,
  dead: Seen,
  heartbeatMs: number,
  staleMs: number,
): Promise<string | undefined> {
  const claim = `${path}.${dead.ino}-${Math.floor(dead.mtimeMs)}.takeover`;
  let handle;
  try {
    handle = await open(claim, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const made = await stat(claim).catch(() => undefined);
    if (made !== undefined && Date.now() - made.mtimeMs > staleMs) {
      await unlink(claim).catch(() => undefined);
    } else {
      await sleep(Math.min(1000, Math.max(10, heartbeatMs / 4)));
    }
    return undefined;
  }
  await handle.close();
  const aside = `${path}.${randomUUID()}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return claim;
    throw error;
  }
  const moved = await stat(aside);
  if (moved.ino !== dead.ino || moved.mtimeMs !== dead.mtimeMs) {
    // Not the file judged dead (its owner beat after all, or clocks disagree): put it back.
    // Fails only if someone created a lock file meanwhile: that one holds the lock, and the
    // owner of the file put aside finds it lost at its next heartbeat.
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside);
  return claim;
}
