/**
 * The task manager end to end: a real worker pool (2 threads, shared by the file), a real
 * SQLite job store in a temp folder per test, task types defined here. Waits are generous (the
 * machine may be loaded); assertions on order and values are strict.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z, type ZodType } from 'zod';
import { WorkerPool } from '../../../src/pool/worker-pool.ts';
import { SqliteJobStore } from '../../../src/tasks/sqlite-job-store.ts';
import type { DataDirStatus } from '../../../src/storage/data-dir-check.ts';
import { submitErrorStatus, TaskFailure, TaskSubmitError } from '../../../src/tasks/task-errors.ts';
import {
  JobStateError,
  TaskManager,
  type JobEvent,
  type TaskManagerOptions,
} from '../../../src/tasks/task-manager.ts';
import {
  FINAL_STATUSES,
  type JobRecord,
  type JobStatus,
  type TaskRunContext,
  type TaskTypeDefinition,
} from '../../../src/tasks/task-types.ts';

const BUSY = new URL('../../fixtures/workers/busy-worker.ts', import.meta.url);
const GATE = new URL('../../fixtures/workers/gate-worker.ts', import.meta.url);
/** How long a test waits for something that should happen (a loaded CI machine is slow). */
const WAIT = 15_000;
const silent = pino({ level: 'silent' });

let pool: WorkerPool;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'relief-tasks-'));
  pool = new WorkerPool({ threads: 2 });
  // Workers load TypeScript through tsx: pay that once, not inside a timed test.
  await pool.check();
  expect(await pool.run(BUSY, 'add', { a: 1, b: 1 })).toBe(2);
}, 60_000);

afterAll(async () => {
  await pool?.close();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

// ---- helpers ------------------------------------------------------------------------------

interface Harness {
  manager: TaskManager;
  store: SqliteJobStore;
  dir: string;
  file: string;
}

const teardown: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

async function harness(options: Partial<TaskManagerOptions> = {}, dir?: string): Promise<Harness> {
  const folder = dir ?? (await mkdtemp(join(root, 'case-')));
  const file = join(folder, 'jobs.db');
  const store = new SqliteJobStore(file);
  const manager = new TaskManager({
    store,
    pool,
    log: silent,
    maxConcurrent: 1,
    jobsDir: join(folder, 'jobs'),
    retentionSeconds: 3600,
    ...options,
  });
  teardown.push(async () => {
    await manager.shutdown(5000);
    store.close();
  });
  return { manager, store, dir: folder, file };
}

function taskType<I>(
  id: string,
  inputSchema: ZodType<I>,
  run: (input: I, context: TaskRunContext) => Promise<unknown>,
  extra: Partial<TaskTypeDefinition<I>> = {},
): TaskTypeDefinition<I> {
  return {
    id,
    title: `Test ${id}`,
    version: '1.0.0',
    inputSchema,
    inputs: {},
    outputs: {},
    resumable: false,
    run,
    ...extra,
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Rejects with the abort reason once `signal` aborts. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/** Waits for `gate`, or rejects when the task is aborted (so no test task outlives its test). */
function gated<T>(gate: Deferred<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([gate.promise, untilAborted(signal)]);
}

async function final(manager: TaskManager, id: string): Promise<JobRecord> {
  const job = await manager.waitForFinal(id, WAIT);
  if (job === undefined) throw new Error(`job ${id} vanished`);
  if (!FINAL_STATUSES.has(job.status)) throw new Error(`job ${id} still ${job.status}`);
  return job;
}

function statusOf(manager: TaskManager, id: string): JobStatus | undefined {
  return manager.get(id)?.status;
}

const empty = z.object({});
const named = z.object({ name: z.string() });

/**
 * Declared outputs for a test type (issue 13: results are checked against them), each output
 * with a title and the given JSON Schema.
 */
function outputs(
  schemas: Record<string, Record<string, unknown>>,
): Pick<TaskTypeDefinition, 'outputs'> {
  return {
    outputs: Object.fromEntries(
      Object.entries(schemas).map(([name, schema]) => [name, { title: name, schema }]),
    ),
  };
}
/** A result `{ name }`. */
const NAME = outputs({ name: { type: 'string' } });
/** A result `{ value }` of a number. */
const VALUE = outputs({ value: { type: 'number' } });
/** A result `{ text }`. */
const TEXT = outputs({ text: { type: 'string' } });

// ---- scheduling ---------------------------------------------------------------------------

describe('scheduling', () => {
  it('starts the highest priority first, FIFO within a priority', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const order: string[] = [];
    manager.registerType(
      taskType(
        'record',
        named,
        async ({ name }) => {
          order.push(name);
          return { name };
        },
        NAME,
      ),
    );
    manager.pause();
    const plan: [string, number][] = [
      ['low-1', -5],
      ['high-1', 10],
      ['high-2', 10],
      ['medium', 0],
      ['low-2', -5],
      ['high-3', 10],
    ];
    const jobs = plan.map(([name, priority]) => manager.submit('record', { name }, { priority }));
    expect(jobs.map((j) => j.status)).toEqual(plan.map(() => 'accepted'));
    expect(manager.stats).toMatchObject({ queued: 6, running: 0, paused: true });
    expect(order).toEqual([]);
    manager.resume();
    for (const job of jobs) expect((await final(manager, job.id)).status).toBe('successful');
    expect(order).toEqual(['high-1', 'high-2', 'high-3', 'medium', 'low-1', 'low-2']);
    expect(jobs.map((j) => manager.get(j.id)?.result)).toEqual(plan.map(([name]) => ({ name })));
  });

  it('a high-priority task submitted later overtakes queued lower ones', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const order: string[] = [];
    const gate = deferred();
    manager.registerType(
      taskType(
        'record',
        named,
        async ({ name }, context) => {
          order.push(name);
          if (name === 'first') await gated(gate, context.signal);
          return { name };
        },
        NAME,
      ),
    );
    const first = manager.submit('record', { name: 'first' });
    expect(first.status).toBe('running');
    const low = manager.submit('record', { name: 'low' });
    const urgent = manager.submit('record', { name: 'urgent' }, { priority: 1 });
    expect([low.status, urgent.status]).toEqual(['accepted', 'accepted']);
    gate.resolve();
    await final(manager, low.id);
    expect(order).toEqual(['first', 'urgent', 'low']);
  });

  it('never runs more than maxConcurrent tasks at once', async () => {
    const { manager } = await harness({ maxConcurrent: 2 });
    let entered = 0;
    let running = 0;
    let maxRunning = 0;
    const gate = deferred();
    manager.registerType(
      taskType('wait', empty, async (_input, context) => {
        entered++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        try {
          await gated(gate, context.signal);
          await sleep(50);
        } finally {
          running--;
        }
      }),
    );
    const jobs = Array.from({ length: 6 }, () => manager.submit('wait', {}));
    // The first two are inside run(); the others must wait for a free slot.
    await expect.poll(() => entered, { timeout: WAIT }).toBe(2);
    expect(manager.stats).toMatchObject({ running: 2, queued: 4 });
    expect(jobs.map((j) => statusOf(manager, j.id))).toEqual([
      'running',
      'running',
      'accepted',
      'accepted',
      'accepted',
      'accepted',
    ]);
    gate.resolve();
    const done = await Promise.all(jobs.map((j) => final(manager, j.id)));
    expect(done.map((j) => j.status)).toEqual(jobs.map(() => 'successful'));
    expect(done.map((j) => j.attempts)).toEqual(jobs.map(() => 1));
    expect(entered).toBe(6);
    expect(maxRunning).toBe(2);
  });

  it('rejects a non-positive or fractional maxConcurrent', async () => {
    const dir = await mkdtemp(join(root, 'case-'));
    const store = new SqliteJobStore(join(dir, 'jobs.db'));
    teardown.push(async () => store.close());
    for (const maxConcurrent of [0, -1, 1.5, Number.NaN]) {
      expect(
        () =>
          new TaskManager({
            store,
            pool,
            log: silent,
            maxConcurrent,
            jobsDir: dir,
            retentionSeconds: 1,
          }),
      ).toThrow(RangeError);
    }
  });

  it('pause holds new starts while running ones finish; resume starts the queue', async () => {
    const { manager } = await harness({ maxConcurrent: 2 });
    const started: string[] = [];
    const gate = deferred();
    manager.registerType(
      taskType(
        'record',
        named,
        async ({ name }, context) => {
          started.push(name);
          if (name === 'running') await gated(gate, context.signal);
          return { name };
        },
        NAME,
      ),
    );
    const running = manager.submit('record', { name: 'running' });
    expect(running.status).toBe('running');
    manager.pause();
    expect(manager.paused).toBe(true);
    const waiting = [
      manager.submit('record', { name: 'queued-1' }),
      manager.submit('record', { name: 'queued-2' }),
    ];
    expect(waiting.map((j) => j.status)).toEqual(['accepted', 'accepted']);
    gate.resolve();
    expect((await final(manager, running.id)).status).toBe('successful');
    // The finished task's slot is released; still nothing starts while paused.
    await expect.poll(() => manager.stats.running, { timeout: WAIT }).toBe(0);
    expect(manager.stats).toMatchObject({ queued: 2, paused: true });
    expect(waiting.map((j) => statusOf(manager, j.id))).toEqual(['accepted', 'accepted']);
    expect(started).toEqual(['running']);
    manager.resume();
    expect(manager.paused).toBe(false);
    for (const job of waiting) expect((await final(manager, job.id)).status).toBe('successful');
    // Both start at once (two slots); either may enter run() first.
    expect(started[0]).toBe('running');
    expect(started.slice(1).sort()).toEqual(['queued-1', 'queued-2']);
  });
});

// ---- dependencies -------------------------------------------------------------------------

describe('execute and prepare', () => {
  it('runs the async prepare step before recording, and refuses input it rejects', async () => {
    const { manager } = await harness();
    manager.registerType({
      ...taskType('prepared', z.object({ n: z.number() }), async (input) => input, {
        ...outputs({ n: { type: 'number' } }),
      }),
      prepare: async ({ n }) => {
        await sleep(5);
        if (n < 0) throw new TaskSubmitError('invalid-input', 'n must not be negative', 'n');
        return { n: n * 10 };
      },
    });
    expect(() => manager.submit('prepared', { n: 1 })).toThrow(/submit it with execute\(\)/);
    const job = await manager.execute('prepared', { n: 4 });
    expect(job.input).toEqual({ n: 40 });
    expect((await manager.waitForFinal(job.id, WAIT))?.result).toEqual({ n: 40 });
    await expect(manager.execute('prepared', { n: -1 })).rejects.toMatchObject({
      kind: 'invalid-input',
      locator: 'n',
    });
    await expect(manager.execute('prepared', { n: 'x' })).rejects.toMatchObject({
      kind: 'invalid-input',
    });
    expect(manager.list({ limit: 10, offset: 0 }).total).toBe(1);
  });
});

describe('pool lanes', () => {
  it('gives prepare the execute call’s signal, and a signal that never aborts without one', async () => {
    const { manager } = await harness();
    const seen: AbortSignal[] = [];
    manager.registerType({
      ...taskType('signalled', empty, async () => null),
      prepare: async (input, { signal }) => {
        seen.push(signal);
        return input;
      },
    });
    const controller = new AbortController();
    await manager.execute('signalled', {}, { signal: controller.signal });
    await manager.execute('signalled', {});
    expect(seen[0]).toBe(controller.signal);
    expect(seen[1]?.aborted).toBe(false);
  });

  it('runs a task’s pool jobs in the background lane unless it names another', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const lanes: unknown[] = [];
    manager.registerType(
      taskType(
        'held',
        z.object({ lane: z.enum(['interactive', 'background']).optional() }),
        async (input, context) => {
          const gate = new SharedArrayBuffer(4);
          await context.runOnPool(
            GATE,
            'holdUntilOpened',
            { gate },
            {
              ...(input.lane === undefined ? {} : { lane: input.lane }),
              onProgress: () => {
                lanes.push(structuredClone(pool.stats.lanes));
                Atomics.store(new Int32Array(gate), 0, 1);
                Atomics.notify(new Int32Array(gate), 0);
              },
            },
          );
          return null;
        },
      ),
    );
    await final(manager, manager.submit('held', {}).id);
    await final(manager, manager.submit('held', { lane: 'interactive' }).id);
    expect(lanes).toEqual([
      { interactive: { queued: 0, running: 0 }, background: { queued: 0, running: 1 } },
      { interactive: { queued: 0, running: 1 }, background: { queued: 0, running: 0 } },
    ]);
  });
});

describe('dependencies', () => {
  it('dismisses a waiting dependant whose upstream was removed after succeeding', async () => {
    const { manager } = await harness({ maxConcurrent: 2 });
    manager.registerType(taskType('leaf', named, async ({ name }) => ({ name }), NAME));
    const upstream = manager.submit('leaf', { name: 'up' });
    await manager.waitForFinal(upstream.id, WAIT);
    manager.pause();
    const dependant = manager.submit('leaf', { name: 'down' }, { dependsOn: [upstream.id] });
    await manager.remove(upstream.id);
    manager.resume();
    const result = await manager.waitForFinal(dependant.id, WAIT);
    expect(result).toMatchObject({ status: 'dismissed', attempts: 0 });
    expect(result?.error).toBe(`Upstream job ${upstream.id} no longer exists`);
  });

  it('passes upstream results to the dependant, which starts only after they succeed', async () => {
    const { manager } = await harness({ maxConcurrent: 3 });
    const gate = deferred();
    const seen: { name: string; upstream: (JobStatus | undefined)[]; deps: unknown }[] = [];
    manager.registerType(
      taskType(
        'double',
        z.object({ x: z.number() }),
        async ({ x }, context) => {
          await gated(gate, context.signal);
          return { value: x * 2 };
        },
        VALUE,
      ),
    );
    manager.registerType(
      taskType(
        'consume',
        named,
        async ({ name }, context) => {
          const upstreamIds = Object.keys(context.dependencies);
          seen.push({
            name,
            upstream: upstreamIds.map((id) => statusOf(manager, id)),
            deps: context.dependencies,
          });
          return { name, deps: context.dependencies };
        },
        outputs({ name: { type: 'string' }, deps: { type: 'object' } }),
      ),
    );
    const a = manager.submit('double', { x: 21 });
    const b = manager.submit('consume', { name: 'b' }, { dependsOn: [a.id] });
    const c = manager.submit('double', { x: 5 });
    const d = manager.submit('consume', { name: 'd' }, { dependsOn: [a.id, c.id, a.id] });
    expect(b).toMatchObject({ status: 'accepted', dependsOn: [a.id] });
    expect(b.message).toMatch(/upstream/i);
    // Duplicates are dropped.
    expect(d.dependsOn).toEqual([a.id, c.id]);
    // Slots are free (maxConcurrent 3) but the dependants wait.
    expect(manager.stats).toMatchObject({ running: 2, queued: 2 });
    expect(seen).toEqual([]);
    gate.resolve();
    const finalA = await final(manager, a.id);
    const finalB = await final(manager, b.id);
    const finalD = await final(manager, d.id);
    expect(finalA.result).toEqual({ value: 42 });
    expect(finalB.status).toBe('successful');
    expect(finalB.result).toEqual({ name: 'b', deps: { [a.id]: { value: 42 } } });
    expect(finalD.result).toEqual({
      name: 'd',
      deps: { [a.id]: { value: 42 }, [c.id]: { value: 10 } },
    });
    // Every upstream was already successful when its dependant started.
    expect(seen).toHaveLength(2);
    for (const entry of seen) expect(entry.upstream.every((s) => s === 'successful')).toBe(true);
    expect(Date.parse(finalB.started!)).toBeGreaterThanOrEqual(Date.parse(finalA.finished!));

    // Depending on a job that already succeeded runs at once with its result.
    const e = manager.submit('consume', { name: 'e' }, { dependsOn: [a.id] });
    expect((await final(manager, e.id)).result).toEqual({
      name: 'e',
      deps: { [a.id]: { value: 42 } },
    });
  });

  it('a failed upstream dismisses its dependants transitively, naming the upstream', async () => {
    const { manager } = await harness({ maxConcurrent: 2 });
    const gate = deferred();
    const started: string[] = [];
    manager.registerType(
      taskType(
        'step',
        z.object({ name: z.string(), fail: z.boolean().default(false) }),
        async ({ name, fail }, context) => {
          started.push(name);
          await gated(gate, context.signal);
          if (fail) throw new TaskFailure(`${name} broke`);
          return { name };
        },
        NAME,
      ),
    );
    const a = manager.submit('step', { name: 'a', fail: true });
    const other = manager.submit('step', { name: 'other' });
    const b = manager.submit('step', { name: 'b' }, { dependsOn: [a.id] });
    const c = manager.submit('step', { name: 'c' }, { dependsOn: [b.id] });
    const d = manager.submit('step', { name: 'd' }, { dependsOn: [c.id, other.id] });
    const unrelated = manager.submit('step', { name: 'unrelated' }, { dependsOn: [other.id] });
    const events: JobStatus[] = [];
    manager.subscribe(c.id, (event) => events.push(event.job.status));
    gate.resolve();
    const finalA = await final(manager, a.id);
    expect(finalA).toMatchObject({ status: 'failed', error: 'a broke' });
    const finalB = await final(manager, b.id);
    const finalC = await final(manager, c.id);
    const finalD = await final(manager, d.id);
    expect(finalB.status).toBe('dismissed');
    expect(finalB.error).toContain(a.id);
    expect(finalB.error).toMatch(/failed/);
    expect(finalC.status).toBe('dismissed');
    expect(finalC.error).toContain(b.id);
    expect(finalD.status).toBe('dismissed');
    expect(finalD.error).toContain(c.id);
    for (const job of [finalB, finalC, finalD]) {
      expect(job).toMatchObject({ attempts: 0, started: null });
      expect(job.finished).not.toBeNull();
    }
    expect(events).toEqual(['dismissed']);
    expect((await final(manager, unrelated.id)).status).toBe('successful');
    expect(started.sort()).toEqual(['a', 'other', 'unrelated']);
    // Nothing may depend on a failed or dismissed job.
    for (const upstream of [a.id, b.id]) {
      expect(() => manager.submit('step', { name: 'late' }, { dependsOn: [upstream] })).toThrow(
        expect.objectContaining({ kind: 'invalid-option', locator: 'dependsOn' }),
      );
    }
  });

  it('cancelling an upstream dismisses its dependants', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    manager.registerType(
      taskType('block', empty, async (_input, context) => untilAborted(context.signal)),
    );
    const a = manager.submit('block', {});
    const b = manager.submit('block', {}, { dependsOn: [a.id] });
    const c = manager.submit('block', {}, { dependsOn: [b.id] });
    // a is running: cancelling until its run() returns; its dependants can never run, so they
    // are dismissed at once.
    expect(manager.cancel(a.id)).toMatchObject({
      status: 'running',
      cancelRequested: 'Dismissed by request',
    });
    expect(manager.get(b.id)).toMatchObject({ status: 'dismissed' });
    expect((await final(manager, a.id)).status).toBe('dismissed');
    expect(manager.get(b.id)?.error).toBe(`Upstream job ${a.id} dismissed`);
    expect(manager.get(c.id)?.error).toBe(`Upstream job ${b.id} dismissed`);
    expect(manager.stats.queued).toBe(0);
  });
});

// ---- cancelling ---------------------------------------------------------------------------

describe('cancelling', () => {
  it('stops a running task and its pool job within a second; the pool keeps working', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const poolBusy = deferred();
    const runSettled = deferred<number>();
    let runError: unknown;
    const counter = new Int32Array(new SharedArrayBuffer(4));
    manager.registerType(
      taskType(
        'spinner',
        empty,
        async (_input, context) => {
          try {
            return {
              value: await context.runOnPool<number>(
                BUSY,
                'spin',
                { ms: 10_000, counter: counter.buffer },
                { onProgress: () => poolBusy.resolve() },
              ),
            };
          } catch (error) {
            runError = error;
            throw error;
          } finally {
            runSettled.resolve(performance.now());
          }
        },
        VALUE,
      ),
    );
    manager.registerType(
      taskType(
        'adder',
        z.object({ a: z.number(), b: z.number() }),
        async (input, context) => ({ value: await context.runOnPool<number>(BUSY, 'add', input) }),
        VALUE,
      ),
    );
    const job = manager.submit('spinner', {});
    const statuses: JobStatus[] = [];
    manager.subscribe(job.id, (event) => statuses.push(event.job.status));
    await poolBusy.promise;
    await expect.poll(() => Atomics.load(counter, 0), { timeout: WAIT }).toBeGreaterThan(0);

    const cancelledAt = performance.now();
    // Not dismissed before its work has stopped: cancelling, until run() has returned.
    const cancelling = manager.cancel(job.id);
    expect(cancelling).toMatchObject({
      status: 'running',
      cancelRequested: 'Dismissed by request',
      finished: null,
    });
    const settledAt = await runSettled.promise;
    expect(settledAt - cancelledAt).toBeLessThan(1000);
    expect(runError).toMatchObject({ name: 'AbortError' });
    const dismissed = await final(manager, job.id);
    expect(dismissed).toMatchObject({
      status: 'dismissed',
      error: 'Dismissed by request',
      cancelRequested: null,
    });
    expect(dismissed.finished).not.toBeNull();
    await expect.poll(() => manager.stats.running, { timeout: WAIT }).toBe(0);

    // The pool still answers, on both threads at once (a replacement worker may have to start,
    // hence the loose bound; the spin it replaced had more than 9 s to go).
    const poolStart = performance.now();
    const [sum, spins] = await Promise.all([
      pool.run<number>(BUSY, 'add', { a: 2, b: 3 }),
      pool.run<number>(BUSY, 'spin', { ms: 20 }),
    ]);
    expect(sum).toBe(5);
    expect(spins).toBeGreaterThan(0);
    expect(performance.now() - poolStart).toBeLessThan(8000);
    // And through the manager.
    const adder = manager.submit('adder', { a: 20, b: 22 });
    expect(await final(manager, adder.id)).toMatchObject({
      status: 'successful',
      result: { value: 42 },
    });
    // The terminated worker spins no more.
    const spun = Atomics.load(counter, 0);
    await sleep(100);
    expect(Atomics.load(counter, 0)).toBe(spun);

    // Dismissed stays dismissed: the aborted run's rejection does not overwrite it.
    const after = manager.get(job.id)!;
    expect(after).toMatchObject({ status: 'dismissed', error: 'Dismissed by request' });
    expect(after.result).toBeUndefined();
    expect(statuses).toEqual(['running', 'dismissed']);
    // Cancelling again changes nothing.
    expect(manager.cancel(job.id)).toEqual(after);
  });

  it('issue 15 item 1: a task that ignores its signal is dismissed only when its run() returns, and keeps its slot until then', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const inside = deferred();
    const release = deferred();
    manager.registerType(
      taskType(
        'stubborn',
        empty,
        async (_input, context) => {
          inside.resolve();
          context.progress(10);
          await release.promise; // ignores the signal on purpose
          context.progress(90);
          context.saveCheckpoint({ late: true });
          return { text: 'late result' };
        },
        TEXT,
      ),
    );
    const next = deferred();
    manager.registerType(
      taskType('next', empty, async () => {
        next.resolve();
      }),
    );
    const job = manager.submit('stubborn', {});
    const queued = manager.submit('next', {});
    await inside.promise;
    const statuses: string[] = [];
    manager.subscribe(job.id, (event) =>
      statuses.push(
        `${event.job.status}${event.job.cancelRequested === null ? '' : ' (cancelling)'}`,
      ),
    );
    manager.cancel(job.id);
    // Clients are told it is being cancelled, not that it stopped; it still holds its slot.
    await sleep(200);
    expect(manager.get(job.id)).toMatchObject({
      status: 'running',
      cancelRequested: 'Dismissed by request',
      message: 'Cancelling: Dismissed by request',
      finished: null,
    });
    expect(statusOf(manager, queued.id)).toBe('accepted');
    // Cancelling again neither changes it nor counts it twice.
    expect(manager.cancel(job.id)?.status).toBe('running');
    release.resolve();
    await next.promise;
    expect((await final(manager, queued.id)).status).toBe('successful');
    expect(manager.get(job.id)).toMatchObject({
      status: 'dismissed',
      result: undefined,
      checkpoint: undefined,
      cancelRequested: null,
    });
    expect(statuses).toEqual(['running (cancelling)', 'dismissed']);
  });

  it('issue 15 item 1: a task that never stops is abandoned after the grace period: dismissed, saying so, and its slot freed', async () => {
    const { manager } = await harness({ maxConcurrent: 1, cancelGraceSeconds: 0.3 });
    const inside = deferred();
    const never = deferred();
    manager.registerType(
      taskType(
        'deaf',
        empty,
        async () => {
          inside.resolve();
          await never.promise;
          return { text: 'too late' };
        },
        TEXT,
      ),
    );
    const next = deferred();
    manager.registerType(
      taskType(
        'next',
        empty,
        async () => {
          next.resolve();
          return { text: 'ran' };
        },
        TEXT,
      ),
    );
    const job = manager.submit('deaf', {});
    const queued = manager.submit('next', {});
    await inside.promise;
    manager.cancel(job.id, 'Not wanted');
    expect(statusOf(manager, queued.id)).toBe('accepted');
    const dismissed = await final(manager, job.id);
    expect(dismissed.status).toBe('dismissed');
    expect(dismissed.error).toBe(
      'Not wanted (the task did not stop within 0.3 s and was abandoned)',
    );
    await next.promise;
    expect(await final(manager, queued.id)).toMatchObject({
      status: 'successful',
      result: { text: 'ran' },
    });
    // Its late return changes nothing.
    never.resolve();
    await sleep(50);
    expect(manager.get(job.id)).toMatchObject({ status: 'dismissed', result: undefined });
  });

  it('a cancelled queued task is dismissed and never starts', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const started: string[] = [];
    const gate = deferred();
    manager.registerType(
      taskType(
        'record',
        named,
        async ({ name }, context) => {
          started.push(name);
          await gated(gate, context.signal);
          return { name };
        },
        NAME,
      ),
    );
    const first = manager.submit('record', { name: 'first' });
    const victim = manager.submit('record', { name: 'victim' });
    const last = manager.submit('record', { name: 'last' });
    const cancelled = manager.cancel(victim.id, 'Not needed');
    expect(cancelled).toMatchObject({ status: 'dismissed', error: 'Not needed', attempts: 0 });
    expect(manager.stats.queued).toBe(1);
    gate.resolve();
    await final(manager, last.id);
    expect(started).toEqual(['first', 'last']);
    expect(manager.get(victim.id)).toMatchObject({ status: 'dismissed', started: null });
    expect(manager.get(first.id)?.status).toBe('successful');
    // Cancelling a finished job or an unknown one does nothing.
    expect(manager.cancel(first.id)?.status).toBe('successful');
    expect(manager.cancel('no-such-job')).toBeUndefined();
  });

  it('cancelGroup dismisses the queued and running members of that group only', async () => {
    const { manager } = await harness({ maxConcurrent: 2 });
    const started: string[] = [];
    const aborted: string[] = [];
    const gate = deferred();
    manager.registerType(
      taskType(
        'member',
        named,
        async ({ name }, context) => {
          started.push(name);
          try {
            await gated(gate, context.signal);
          } catch (error) {
            aborted.push(name);
            throw error;
          }
          return { name };
        },
        NAME,
      ),
    );
    const g1 = manager.submit('member', { name: 'g1' }, { group: 'g' });
    const h1 = manager.submit('member', { name: 'h1' }, { group: 'h' });
    const g2 = manager.submit('member', { name: 'g2' }, { group: 'g' });
    const h2 = manager.submit('member', { name: 'h2' }, { group: 'h' });
    const loose = manager.submit('member', { name: 'loose' });
    const g3 = manager.submit('member', { name: 'g3' }, { group: 'g' });
    expect([g1.status, h1.status]).toEqual(['running', 'running']);
    expect(g1.group).toBe('g');
    expect(loose.group).toBeNull();

    expect(manager.cancelGroup('g')).toBe(3);
    for (const job of [g2, g3]) {
      expect(manager.get(job.id)).toMatchObject({
        status: 'dismissed',
        error: 'Group g was dismissed',
      });
    }
    // The running member is dismissed once its run() has returned.
    expect(await final(manager, g1.id)).toMatchObject({
      status: 'dismissed',
      error: 'Group g was dismissed',
    });
    // g1 may still be unwinding: a second call finds nothing left to dismiss.
    expect(manager.cancelGroup('g')).toBe(0);
    expect(manager.cancelGroup('nobody')).toBe(0);
    await expect.poll(() => aborted, { timeout: WAIT }).toEqual(['g1']);
    // g1's slot goes to h2, the oldest queued job left (g1 and h1 enter run() in either order).
    await expect.poll(() => [...started].sort(), { timeout: WAIT }).toEqual(['g1', 'h1', 'h2']);
    expect(statusOf(manager, loose.id)).toBe('accepted');
    gate.resolve();
    for (const job of [h1, h2, loose]) {
      expect((await final(manager, job.id)).status).toBe('successful');
    }
    expect(started).toHaveLength(4);
    expect(started[3]).toBe('loose');
    expect(manager.get(g1.id)?.status).toBe('dismissed');
  });
});

// ---- progress -----------------------------------------------------------------------------

describe('progress', () => {
  it('coalesces a flood of reports into at most one event per interval', async () => {
    const { manager } = await harness({ maxConcurrent: 1, progressIntervalMs: 100 });
    let firstReport = 0;
    manager.registerType(
      taskType(
        'chatty',
        empty,
        async (_input, context) => {
          firstReport = Date.now();
          for (let i = 0; i < 1000; i++) {
            context.progress(i / 10, `step ${i}`);
            if (i % 10 === 9) await sleep(3);
          }
          return { text: 'done' };
        },
        TEXT,
      ),
    );
    manager.pause();
    const job = manager.submit('chatty', {});
    const events: (JobEvent & { at: number })[] = [];
    const ended = deferred<number>();
    manager.subscribe(job.id, (event) => {
      events.push({ ...event, at: Date.now() });
      if (FINAL_STATUSES.has(event.job.status)) ended.resolve(Date.now());
    });
    manager.resume();
    const endedAt = await ended.promise;
    const elapsed = endedAt - firstReport;
    expect(elapsed).toBeGreaterThanOrEqual(300);

    const progress = events.filter((e) => e.type === 'progress');
    const statuses = events.filter((e) => e.type === 'status');
    expect(statuses.map((e) => e.job.status)).toEqual(['running', 'successful']);
    expect(events[0]?.type).toBe('status');
    expect(events.at(-1)).toMatchObject({
      type: 'status',
      job: { status: 'successful', progress: 100, result: { text: 'done' } },
    });
    // One at once, at most one per further 100 ms, and the pending one when the task ended.
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 2);
    expect(progress[0]?.job).toMatchObject({ progress: 0, message: 'step 0' });
    // 100 is the successful end, never a running task's progress.
    expect(progress.at(-1)?.job).toMatchObject({ progress: 99, message: 'step 999' });
    const values = progress.map((e) => e.job.progress);
    expect([...values].sort((x, y) => x - y)).toEqual(values);
    for (let i = 1; i < progress.length - 1; i++) {
      expect(progress[i]!.at - progress[i - 1]!.at).toBeGreaterThanOrEqual(95);
    }
    expect(manager.get(job.id)).toMatchObject({ status: 'successful', progress: 100 });
  });

  it('records progress in the store while the task runs', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const gate = deferred();
    manager.registerType(
      taskType('halfway', empty, async (_input, context) => {
        context.progress(49.6, 'half');
        await gated(gate, context.signal);
      }),
    );
    const job = manager.submit('halfway', {});
    await expect
      .poll(() => manager.get(job.id), { timeout: WAIT })
      .toMatchObject({ status: 'running', progress: 50, message: 'half' });
    gate.resolve();
    expect(await final(manager, job.id)).toMatchObject({ progress: 100, message: 'Completed' });
  });
});

// ---- failures -----------------------------------------------------------------------------

describe('failures', () => {
  it('shows a TaskFailure message to clients as is', async () => {
    const { manager } = await harness();
    manager.registerType(
      taskType('fetcher', empty, async () => {
        throw new TaskFailure('upstream 500');
      }),
    );
    const job = manager.submit('fetcher', {});
    expect(await final(manager, job.id)).toMatchObject({
      status: 'failed',
      error: 'upstream 500',
      message: 'upstream 500',
      attempts: 1,
    });
  });

  it('takes credentials out of a URL quoted in a TaskFailure message', async () => {
    const { manager } = await harness();
    manager.registerType(
      taskType('leaky', empty, async () => {
        throw new TaskFailure('cannot fetch https://u:hunter2@tiles.example/N46.hgt?token=t0k');
      }),
    );
    const job = manager.submit('leaky', {});
    const expected = 'cannot fetch https://***:***@tiles.example/N46.hgt?token=***';
    expect(await final(manager, job.id)).toMatchObject({
      status: 'failed',
      error: expected,
      message: expected,
    });
  });

  it('fails a task whose result cannot be stored, and carries on', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    // The count matches its schema (any value): it is storing it that fails.
    manager.registerType(
      taskType('bigint', empty, async () => ({ count: 10n }), outputs({ count: {} })),
    );
    manager.registerType(taskType('fine', empty, async () => ({ text: 'fine' }), TEXT));
    const bad = manager.submit('bigint', {});
    const next = manager.submit('fine', {});
    const failed = await final(manager, bad.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/internal error/);
    expect(failed.result).toBeUndefined();
    expect(await final(manager, next.id)).toMatchObject({
      status: 'successful',
      result: { text: 'fine' },
    });
  });

  it('a subscriber that throws breaks neither the job nor the other subscribers', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const gate = deferred();
    manager.registerType(
      taskType(
        'gate',
        empty,
        async (_input, context) => {
          await gated(gate, context.signal);
          return { text: 'ok' };
        },
        TEXT,
      ),
    );
    manager.pause();
    const job = manager.submit('gate', {});
    const seen: JobStatus[] = [];
    manager.subscribe(job.id, () => {
      throw new Error('listener bug');
    });
    manager.subscribe(job.id, (event) => seen.push(event.job.status));
    manager.resume();
    gate.resolve();
    expect(await final(manager, job.id)).toMatchObject({
      status: 'successful',
      result: { text: 'ok' },
    });
    expect(seen).toEqual(['running', 'successful']);
  });

  it('hides the details of an unexpected error and logs them', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const { manager } = await harness({ log: pino({ level: 'error' }, sink) });
    manager.registerType(
      taskType('leaky', empty, async () => {
        throw new Error('secret path /etc/x');
      }),
    );
    const job = manager.submit('leaky', {});
    const failed = await final(manager, job.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).not.toContain('secret');
    expect(failed.error).not.toContain('/etc/x');
    expect(failed.error).toMatch(/log/);
    expect(failed.error).toContain(job.id);
    expect(failed.message).toBe(failed.error);
    await expect.poll(() => lines.join(''), { timeout: WAIT }).toContain('secret path /etc/x');
    const entry = JSON.parse(lines.find((l) => l.includes('secret'))!) as Record<string, unknown>;
    expect(entry).toMatchObject({ jobId: job.id, process: 'leaky', msg: 'task failed' });
  });
});

// ---- waitForFinal -------------------------------------------------------------------------

describe('waitForFinal', () => {
  it('resolves as soon as the job ends', async () => {
    const { manager } = await harness();
    const gate = deferred();
    manager.registerType(
      taskType(
        'gate',
        empty,
        async (_input, context) => {
          await gated(gate, context.signal);
          return { value: 7 };
        },
        VALUE,
      ),
    );
    const job = manager.submit('gate', {});
    const waited = manager.waitForFinal(job.id, 60_000);
    const t0 = performance.now();
    setTimeout(() => gate.resolve(), 50);
    const done = await waited;
    expect(done).toMatchObject({ status: 'successful', result: { value: 7 } });
    expect(performance.now() - t0).toBeLessThan(30_000);
    // A final job answers at once.
    expect(await manager.waitForFinal(job.id, 60_000)).toEqual(done);
    expect(await manager.waitForFinal('no-such-job', 60_000)).toBeUndefined();
  });

  it('answers with the current state when the timeout runs out', async () => {
    const { manager } = await harness();
    manager.registerType(
      taskType('block', empty, async (_input, context) => untilAborted(context.signal)),
    );
    const job = manager.submit('block', {});
    const t0 = performance.now();
    const current = await manager.waitForFinal(job.id, 200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
    expect(current?.status).toBe('running');
    // A zero timeout answers at once.
    expect((await manager.waitForFinal(job.id, 0))?.status).toBe('running');
  });

  it('answers when its signal aborts, even one aborted already', async () => {
    const { manager } = await harness();
    manager.registerType(
      taskType('block', empty, async (_input, context) => untilAborted(context.signal)),
    );
    const job = manager.submit('block', {});
    const controller = new AbortController();
    const waited = manager.waitForFinal(job.id, 60_000, controller.signal);
    controller.abort();
    expect((await waited)?.status).toBe('running');
    const t0 = performance.now();
    expect((await manager.waitForFinal(job.id, 60_000, controller.signal))?.status).toBe('running');
    expect(performance.now() - t0).toBeLessThan(30_000);
  });
});

// ---- restart recovery ---------------------------------------------------------------------

describe('restart recovery', () => {
  it('resumes resumable jobs with their checkpoint and fails the others clearly', async () => {
    const first = await harness({ maxConcurrent: 4 });
    const attemptsSeen: { name: string; attempt: number; checkpoint: unknown }[] = [];
    const running = { count: 0, all: deferred() };
    const stepType = (id: string, resumable: boolean) =>
      taskType(
        id,
        named,
        async ({ name }, context) => {
          const attempt = context.checkpoint === undefined ? 1 : 2;
          attemptsSeen.push({ name, attempt, checkpoint: context.checkpoint });
          if (context.checkpoint === undefined && name !== 'queued') {
            context.saveCheckpoint({ name, step: 1 });
            if (++running.count === 4) running.all.resolve();
            await untilAborted(context.signal);
          }
          return { name, resumedFrom: context.checkpoint ?? null };
        },
        {
          resumable,
          ...outputs({ name: { type: 'string' }, resumedFrom: { type: 'object', nullable: true } }),
        },
      );
    first.manager.registerType(stepType('resumable', true));
    first.manager.registerType(stepType('fragile', false));
    first.manager.registerType(stepType('vanishing', true));
    const resumable = first.manager.submit('resumable', { name: 'resumable' });
    const fragile = first.manager.submit('fragile', { name: 'fragile' });
    const vanishing = first.manager.submit('vanishing', { name: 'vanishing' });
    const blocker = first.manager.submit('resumable', { name: 'blocker' });
    // Queued at shutdown: a resumable one, and dependants of the jobs that will fail.
    const queued = first.manager.submit('resumable', { name: 'queued' });
    const afterResumable = first.manager.submit(
      'resumable',
      { name: 'queued' },
      { dependsOn: [resumable.id] },
    );
    const afterFragile = first.manager.submit(
      'resumable',
      { name: 'queued' },
      { dependsOn: [fragile.id] },
    );
    const afterVanishing = first.manager.submit(
      'resumable',
      { name: 'queued' },
      { dependsOn: [vanishing.id] },
    );
    const afterAfter = first.manager.submit(
      'resumable',
      { name: 'queued' },
      { dependsOn: [afterFragile.id] },
    );
    await running.all.promise;
    await expect
      .poll(() => first.store.get(blocker.id)?.checkpoint, { timeout: WAIT })
      .toEqual({ name: 'blocker', step: 1 });

    const t0 = performance.now();
    await first.manager.shutdown(1000);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(() => first.manager.submit('resumable', { name: 'x' })).toThrow(
      expect.objectContaining({ kind: 'shutting-down' }),
    );
    for (const job of [resumable, fragile, vanishing, blocker]) {
      expect(first.store.get(job.id)).toMatchObject({
        status: 'running',
        attempts: 1,
        finished: null,
      });
    }
    for (const job of [queued, afterResumable, afterFragile, afterVanishing, afterAfter]) {
      expect(first.store.get(job.id)).toMatchObject({ status: 'accepted', attempts: 0 });
    }
    const firstStarted = first.store.get(resumable.id)!.started;
    first.store.close();

    // A new process: same database file, the vanishing type is gone.
    attemptsSeen.length = 0;
    const second = await harness({ maxConcurrent: 4 }, first.dir);
    second.manager.registerType(stepType('resumable', true));
    second.manager.registerType(stepType('fragile', false));
    await second.manager.start();

    const r = await final(second.manager, resumable.id);
    expect(r).toMatchObject({
      status: 'successful',
      attempts: 2,
      started: firstStarted,
      result: { name: 'resumable', resumedFrom: { name: 'resumable', step: 1 } },
    });
    expect(await final(second.manager, blocker.id)).toMatchObject({
      status: 'successful',
      attempts: 2,
    });
    expect(await final(second.manager, queued.id)).toMatchObject({
      status: 'successful',
      attempts: 1,
      result: { name: 'queued', resumedFrom: null },
    });
    expect(await final(second.manager, afterResumable.id)).toMatchObject({
      status: 'successful',
    });

    const f = await final(second.manager, fragile.id);
    expect(f.status).toBe('failed');
    expect(f.error).toMatch(/interrupted/i);
    const v = await final(second.manager, vanishing.id);
    expect(v.status).toBe('failed');
    expect(v.error).toContain('"vanishing"');
    expect(v.error).toMatch(/no longer available/);

    // Dependants of the jobs that could not resume are dismissed, not left waiting forever.
    expect(await final(second.manager, afterFragile.id)).toMatchObject({ status: 'dismissed' });
    expect(errorOf(second.manager, afterFragile.id)).toContain(fragile.id);
    expect(await final(second.manager, afterVanishing.id)).toMatchObject({
      status: 'dismissed',
    });
    expect(errorOf(second.manager, afterVanishing.id)).toContain(vanishing.id);
    expect(await final(second.manager, afterAfter.id)).toMatchObject({ status: 'dismissed' });
    expect(second.manager.stats).toMatchObject({ queued: 0 });

    expect(attemptsSeen.filter((s) => s.attempt === 2).map((s) => s.checkpoint)).toEqual(
      expect.arrayContaining([
        { name: 'resumable', step: 1 },
        { name: 'blocker', step: 1 },
      ]),
    );
    // Neither the failed nor the dismissed ones ran again.
    expect(attemptsSeen.map((s) => s.name).sort()).toEqual([
      'blocker',
      'queued',
      'queued',
      'resumable',
    ]);
  });
});

function errorOf(manager: TaskManager, id: string): string {
  return manager.get(id)?.error ?? '';
}

// ---- expiry -------------------------------------------------------------------------------

describe('expiry and removal', () => {
  it('removes finished jobs past the retention with their folders and calls cleanup', async () => {
    const { manager, store, dir } = await harness({ maxConcurrent: 2, retentionSeconds: 3600 });
    const cleaned: [string, unknown][] = [];
    manager.registerType(
      taskType(
        'filer',
        z.object({
          name: z.string(),
          fail: z.boolean().default(false),
          block: z.boolean().default(false),
        }),
        async ({ name, fail, block }, context) => {
          await writeFile(join(context.workDir, 'out.txt'), name);
          if (block) await untilAborted(context.signal);
          if (fail) throw new TaskFailure('no');
          return { file: 'out.txt', name };
        },
        {
          ...outputs({ file: { type: 'string' }, name: { type: 'string' } }),
          cleanup: (jobId, result) => {
            cleaned.push([jobId, result]);
          },
        },
      ),
    );
    const workDir = (id: string) => join(dir, 'jobs', id);
    const old = manager.submit('filer', { name: 'old' });
    await final(manager, old.id);
    const recent = manager.submit('filer', { name: 'recent' });
    const failed = manager.submit('filer', { name: 'failed', fail: true });
    const blocked = manager.submit('filer', { name: 'blocked', block: true });
    await final(manager, recent.id);
    await final(manager, failed.id);
    await expect
      .poll(() => existsSync(join(workDir(blocked.id), 'out.txt')), { timeout: WAIT })
      .toBe(true);
    expect(await readFile(join(workDir(old.id), 'out.txt'), 'utf8')).toBe('old');
    // `old` finished two hours ago.
    store.update(old.id, { finished: new Date(Date.now() - 7200_000).toISOString() });

    expect(await manager.expire()).toBe(1);
    expect(manager.get(old.id)).toBeUndefined();
    expect(existsSync(workDir(old.id))).toBe(false);
    expect(cleaned).toEqual([[old.id, { file: 'out.txt', name: 'old' }]]);
    for (const job of [recent, failed, blocked]) {
      expect(manager.get(job.id)).toBeDefined();
      expect(existsSync(workDir(job.id))).toBe(true);
    }

    // Two hours on, the others are past the retention too; the running one stays.
    expect(await manager.expire(Date.now() + 7200_000)).toBe(2);
    expect(manager.get(recent.id)).toBeUndefined();
    expect(manager.get(failed.id)).toBeUndefined();
    expect(existsSync(workDir(recent.id))).toBe(false);
    expect(existsSync(workDir(failed.id))).toBe(false);
    expect(cleaned.slice(1)).toEqual([
      [recent.id, { file: 'out.txt', name: 'recent' }],
      [failed.id, undefined],
    ]);
    expect(manager.get(blocked.id)?.status).toBe('running');
    expect(existsSync(workDir(blocked.id))).toBe(true);
    expect(await manager.expire(Date.now() + 7200_000)).toBe(0);
  });

  it('remove() deletes a finished job with its files and refuses an unfinished one', async () => {
    const { manager, dir } = await harness({ maxConcurrent: 1 });
    const cleaned: string[] = [];
    manager.registerType(
      taskType(
        'filer',
        named,
        async ({ name }, context) => {
          await writeFile(join(context.workDir, 'out.txt'), name);
          if (name === 'block') await untilAborted(context.signal);
          return { name };
        },
        {
          ...NAME,
          cleanup: (jobId) => {
            cleaned.push(jobId);
            throw new Error('cleanup trouble is logged, not thrown');
          },
        },
      ),
    );
    const done = manager.submit('filer', { name: 'done' });
    await final(manager, done.id);
    const blocked = manager.submit('filer', { name: 'block' });
    await expect.poll(() => statusOf(manager, blocked.id), { timeout: WAIT }).toBe('running');
    await expect(manager.remove(blocked.id)).rejects.toThrow(/cancel it first/);
    expect((await manager.remove(done.id))?.id).toBe(done.id);
    expect(manager.get(done.id)).toBeUndefined();
    expect(existsSync(join(dir, 'jobs', done.id))).toBe(false);
    expect(cleaned).toEqual([done.id]);
    expect(await manager.remove(done.id)).toBeUndefined();
  });
});

// ---- submitting ---------------------------------------------------------------------------

describe('submit validation', () => {
  it('rejects bad requests with the right kind and stores nothing', async () => {
    const { manager } = await harness();
    manager.registerType(
      taskType(
        'tiles',
        z.object({ zoom: z.number().int().min(0).max(22), format: z.string().default('png') }),
        async (input) => input,
        outputs({ zoom: { type: 'integer' }, format: { type: 'string' } }),
      ),
    );
    const total = () => manager.list({ limit: 100, offset: 0 }).total;
    const submitError = (fn: () => unknown): TaskSubmitError => {
      try {
        fn();
      } catch (error) {
        if (error instanceof TaskSubmitError) return error;
        throw error;
      }
      throw new Error('submit did not throw');
    };

    expect(submitError(() => manager.submit('no-such', {}))).toMatchObject({
      kind: 'no-such-process',
    });
    const invalid = submitError(() => manager.submit('tiles', { zoom: 99 }));
    expect(invalid).toMatchObject({ kind: 'invalid-input', locator: 'zoom' });
    expect(invalid.message).toMatch(/^zoom: /);
    expect(submitError(() => manager.submit('tiles', 'not an object'))).toMatchObject({
      kind: 'invalid-input',
    });
    expect(total()).toBe(0);

    const bad: [Parameters<TaskManager['submit']>[2], string][] = [
      [{ priority: 1.5 }, 'priority'],
      [{ priority: 1001 }, 'priority'],
      [{ priority: Number.NaN }, 'priority'],
      [{ priority: '1' as unknown as number }, 'priority'],
      [{ group: '' }, 'group'],
      [{ group: 'x'.repeat(101) }, 'group'],
      [{ group: 5 as unknown as string }, 'group'],
      [{ dependsOn: ['no-such-job'] }, 'dependsOn'],
    ];
    for (const [options, locator] of bad) {
      expect(submitError(() => manager.submit('tiles', { zoom: 3 }, options))).toMatchObject({
        kind: 'invalid-option',
        locator,
      });
    }
    expect(total()).toBe(0);

    // The good one is stored with its parsed (defaulted) input and options.
    const job = manager.submit('tiles', { zoom: 3 }, { priority: -1000, group: 'x'.repeat(100) });
    expect(job).toMatchObject({
      processId: 'tiles',
      input: { zoom: 3, format: 'png' },
      priority: -1000,
      group: 'x'.repeat(100),
    });
    expect(total()).toBe(1);
    expect((await final(manager, job.id)).result).toEqual({ zoom: 3, format: 'png' });
  });

  it('validates task type registration', async () => {
    const { manager } = await harness();
    const ok = taskType('ok-type', empty, async () => null);
    manager.registerType(ok, 'plugin-a');
    expect(() => manager.registerType(ok, 'plugin-b')).toThrow(/already registered by plugin-a/);
    for (const id of ['Upper', '1abc', 'a_b', '', 'x'.repeat(64)]) {
      expect(() => manager.registerType(taskType(id, empty, async () => null))).toThrow(TypeError);
    }
    expect(manager.types().map((t) => t.id)).toEqual(['ok-type']);
    manager.unregisterOwner('plugin-a');
    expect(manager.type('ok-type')).toBeUndefined();
    expect(manager.stats.types).toBe(0);
  });

  it('lists jobs newest first, filtered by process and status', async () => {
    const { manager } = await harness();
    manager.registerType(taskType('one', empty, async () => ({ value: 1 }), VALUE));
    manager.registerType(
      taskType('two', empty, async () => {
        throw new TaskFailure('two fails');
      }),
    );
    const jobs = [manager.submit('one', {}), manager.submit('two', {}), manager.submit('one', {})];
    for (const job of jobs) await final(manager, job.id);
    const all = manager.list({ limit: 10, offset: 0 });
    expect(all.total).toBe(3);
    expect(all.jobs.map((j) => j.id)).toEqual([jobs[2]!.id, jobs[1]!.id, jobs[0]!.id]);
    const failed = manager.list({ status: ['failed'], limit: 10, offset: 0 });
    expect(failed.jobs.map((j) => j.id)).toEqual([jobs[1]!.id]);
    const ones = manager.list({ processId: ['one'], limit: 1, offset: 1 });
    expect(ones).toMatchObject({ total: 2 });
    expect(ones.jobs.map((j) => j.id)).toEqual([jobs[0]!.id]);
  });
});

describe('storage', () => {
  it('refuses new jobs while the data dir is low on space or unwritable, and stores nothing', async () => {
    let state: DataDirStatus = { status: 'ok', freeBytes: 10, minFreeBytes: 5 };
    let checks = 0;
    const storage = {
      check: () => {
        checks++;
        return Promise.resolve(state);
      },
      latest: () => state,
    };
    const { manager } = await harness({ storage });
    manager.registerType(taskType('echo', named, async (input) => input, NAME));
    const total = () => manager.list({ limit: 100, offset: 0 }).total;

    state = { status: 'low-space', freeBytes: 1, minFreeBytes: 5, reason: '1 bytes free' };
    expect(() => manager.submit('echo', { name: 'a' })).toThrow(
      expect.objectContaining({ kind: 'insufficient-storage' }),
    );
    await expect(manager.execute('echo', { name: 'a' })).rejects.toMatchObject({
      kind: 'insufficient-storage',
      message: 'Not enough free disk space for a new job; try again later',
    });
    // execute waits for a current state (the check reuses a recent one itself).
    expect(checks).toBe(1);
    for (const status of ['unwritable', 'lock-lost'] as const) {
      state = { status, freeBytes: null, minFreeBytes: 5, reason: 'EROFS' };
      await expect(manager.execute('echo', { name: 'a' })).rejects.toMatchObject({
        kind: 'storage-unavailable',
      });
    }
    expect(total()).toBe(0);

    // Once there is room again, jobs are taken and run.
    state = { status: 'ok', freeBytes: 10, minFreeBytes: 5 };
    const job = await manager.execute('echo', { name: 'b' });
    expect((await final(manager, job.id)).result).toEqual({ name: 'b' });
  });

  it('maps each refusal to its HTTP status', () => {
    const status = (kind: TaskSubmitError['kind']) =>
      submitErrorStatus(new TaskSubmitError(kind, 'x'));
    expect(status('invalid-input')).toBe(400);
    expect(status('invalid-option')).toBe(400);
    expect(status('no-such-process')).toBe(404);
    expect(status('shutting-down')).toBe(503);
    expect(status('storage-unavailable')).toBe(503);
    expect(status('insufficient-storage')).toBe(507);
  });
});

describe('issue 15 item 2: no lost queued work', () => {
  it('jobs queued at shutdown come back queued whatever their type, keep their order, and run; a job being cancelled comes back dismissed', async () => {
    const first = await harness({ maxConcurrent: 1 });
    const ran: string[] = [];
    const started = deferred();
    const fragile = (manager: TaskManager, block: boolean) =>
      manager.registerType(
        taskType(
          'fragile',
          named,
          async ({ name }, context) => {
            ran.push(name);
            if (block) {
              started.resolve();
              await new Promise<never>(() => undefined); // ignores its signal on purpose
            }
            void context;
            return { name };
          },
          { resumable: false, ...NAME },
        ),
      );
    fragile(first.manager, true);
    const cancelling = first.manager.submit('fragile', { name: 'cancelling' });
    const low = first.manager.submit('fragile', { name: 'low' }, { priority: -5 });
    const a = first.manager.submit('fragile', { name: 'a' });
    const b = first.manager.submit('fragile', { name: 'b' }, { group: 'kept' });
    await started.promise;
    first.manager.cancel(cancelling.id, 'Not wanted');
    await first.manager.shutdown(100);
    expect(first.store.get(cancelling.id)).toMatchObject({
      status: 'running',
      cancelRequested: 'Not wanted',
    });
    first.store.close();

    ran.length = 0;
    const second = await harness({ maxConcurrent: 1 }, first.dir);
    fragile(second.manager, false);
    await second.manager.start();
    expect(second.manager.get(cancelling.id)).toMatchObject({
      status: 'dismissed',
      error: 'Not wanted',
      cancelRequested: null,
    });
    for (const job of [a, b, low]) {
      expect(await final(second.manager, job.id)).toMatchObject({
        status: 'successful',
        attempts: 1,
        result: job.input,
      });
    }
    expect(second.manager.get(b.id)?.group).toBe('kept');
    // Priority first, then the order they were submitted in.
    expect(ran).toEqual(['a', 'b', 'low']);
  });
});

describe('issue 15 item 7: task model parity', () => {
  it('holds a queued job in its place until released, across a restart, and refuses to hold one that runs', async () => {
    const first = await harness({ maxConcurrent: 1 });
    const ran: string[] = [];
    const gate = deferred();
    const recorder = (manager: TaskManager) =>
      manager.registerType(
        taskType(
          'record',
          named,
          async ({ name }, context) => {
            ran.push(name);
            if (name === 'first') await gated(gate, context.signal);
            return { name };
          },
          { resumable: false, ...NAME },
        ),
      );
    recorder(first.manager);
    const running = first.manager.submit('record', { name: 'first' });
    const held = first.manager.submit('record', { name: 'held' }, { priority: 5 });
    const next = first.manager.submit('record', { name: 'next' });
    expect(first.manager.hold(held.id)).toMatchObject({
      status: 'accepted',
      held: true,
      message: 'Held',
    });
    expect(() => first.manager.hold(running.id)).toThrow(JobStateError);
    expect(() => first.manager.unhold(running.id)).toThrow(JobStateError);
    expect(first.manager.hold('no-such-job')).toBeUndefined();
    gate.resolve();
    expect((await final(first.manager, next.id)).status).toBe('successful');
    // Its higher priority did not matter while held.
    expect(ran).toEqual(['first', 'next']);
    expect(first.manager.get(held.id)).toMatchObject({ status: 'accepted', held: true });
    await first.manager.shutdown(1000);
    first.store.close();

    ran.length = 0;
    const second = await harness({ maxConcurrent: 1 }, first.dir);
    recorder(second.manager);
    await second.manager.start();
    await sleep(50);
    expect(second.manager.get(held.id)).toMatchObject({ status: 'accepted', held: true });
    expect(ran).toEqual([]);
    expect(second.manager.unhold(held.id)).toMatchObject({ held: false });
    expect(await final(second.manager, held.id)).toMatchObject({
      status: 'successful',
      result: { name: 'held' },
    });
  });

  it('tells plugins about every job (started, finished, failed, dismissed) and when a group has finished', async () => {
    const { manager } = await harness({ maxConcurrent: 2 });
    manager.registerType(
      taskType(
        'outcome',
        named,
        async ({ name }) => {
          if (name === 'bad') throw new TaskFailure('bad input');
          return { name };
        },
        NAME,
      ),
    );
    const events: string[] = [];
    const unsubscribe = manager.onEvent((event) => {
      events.push(
        event.type === 'group.finished'
          ? `group.finished ${event.group} ${JSON.stringify(event.counts)}`
          : `${event.type} ${(event.job.input as { name: string }).name}`,
      );
    });
    // A listener that throws disturbs nobody.
    manager.onEvent(() => {
      throw new Error('broken listener');
    });
    const good = manager.submit('outcome', { name: 'good' }, { group: 'g' });
    const bad = manager.submit('outcome', { name: 'bad' }, { group: 'g' });
    await final(manager, good.id);
    await final(manager, bad.id);
    expect(events.filter((e) => e.endsWith(' good'))).toEqual([
      'job.accepted good',
      'job.started good',
      'job.finished good',
    ]);
    expect(events.filter((e) => e.endsWith(' bad'))).toEqual([
      'job.accepted bad',
      'job.started bad',
      'job.failed bad',
    ]);
    expect(events.filter((e) => e.startsWith('group.finished'))).toEqual([
      'group.finished g {"failed":1,"successful":1}',
    ]);
    unsubscribe();
    manager.submit('outcome', { name: 'unseen' });
    expect(events.some((e) => e.endsWith('unseen'))).toBe(false);
  });
});

describe('issue 15 item 7: subtasks', () => {
  const addTypes = (manager: TaskManager, gates: Map<string, ReturnType<typeof deferred>>) => {
    manager.registerType(
      taskType(
        'child',
        named,
        async ({ name }, context) => {
          context.progress(50, 'half way');
          const gate = gates.get(name);
          if (gate !== undefined) await gated(gate, context.signal);
          if (name.startsWith('bad')) throw new TaskFailure(`${name} broke`);
          return { text: `${name} done` };
        },
        { resumable: false, ...TEXT },
      ),
    );
    manager.registerType(
      taskType(
        'parent',
        z.object({ children: z.array(z.string()) }),
        async ({ children }, context) => {
          for (const name of children) await context.spawn('child', { name });
          return { own: 'parent done' };
        },
        {
          resumable: false,
          ...outputs({
            own: { type: 'string' },
            subtasks: { type: 'array', items: { type: 'string' } },
          }),
          combine: (result, subtasks) => ({
            ...(result as object),
            subtasks: Object.values(subtasks)
              .map((child) => (child as { text: string }).text)
              .sort(),
          }),
        },
      ),
    );
  };

  it('completes a parent when its subtasks do, with their results, without holding a slot meanwhile', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const gates = new Map([['a', deferred()]]);
    addTypes(manager, gates);
    const events: string[] = [];
    manager.onEvent((e) => {
      if (e.type !== 'group.finished' && e.job.processId === 'parent')
        events.push(`${e.type} ${e.job.progress}`);
    });
    const parent = manager.submit(
      'parent',
      { children: ['a', 'b'] },
      { group: 'family', priority: 3 },
    );
    // With one slot, the children can only run because the parent's run() gave it back.
    await expect.poll(() => manager.get(parent.id)?.awaitingSubtasks, { timeout: WAIT }).toBe(true);
    const children = manager.subtasks(parent.id);
    expect(children).toHaveLength(2);
    for (const id of children) {
      expect(manager.get(id)).toMatchObject({ parentId: parent.id, group: 'family', priority: 3 });
    }
    await expect.poll(() => manager.get(children[0]!)?.progress, { timeout: WAIT }).toBe(50);
    expect(manager.get(parent.id)).toMatchObject({
      status: 'running',
      message: 'Waiting for 2 of 2 subtasks',
    });
    gates.get('a')!.resolve();
    const done = await final(manager, parent.id);
    expect(done).toMatchObject({
      status: 'successful',
      progress: 100,
      awaitingSubtasks: false,
      result: { own: 'parent done', subtasks: ['a done', 'b done'] },
    });
    // Progress grew with the subtasks' and never went back.
    const progress = events
      .filter((e) => e.startsWith('job.progress'))
      .map((e) => Number(e.split(' ')[1]));
    expect(progress.length).toBeGreaterThan(0);
    expect([...progress].sort((x, y) => x - y)).toEqual(progress);
    expect(events.at(-1)).toBe('job.finished 100');
  });

  it('fails a parent whose subtask failed, naming it, and cancels the unfinished subtasks of a cancelled parent', async () => {
    const { manager } = await harness({ maxConcurrent: 2 });
    // None of the cancelled parent's subtasks can end on its own: two run, one waits.
    const gates = new Map([
      ['slow', deferred()],
      ['queued-1', deferred()],
      ['queued-2', deferred()],
    ]);
    addTypes(manager, gates);
    const failing = manager.submit('parent', { children: ['good', 'bad-1'] });
    const failed = await final(manager, failing.id);
    const bad = manager.subtasks(failing.id).find((id) => manager.get(id)?.status === 'failed');
    expect(failed).toMatchObject({ status: 'failed', error: '1 of 2 subtasks did not succeed' });
    expect(failed.problem?.items).toEqual([{ item: bad, detail: 'child failed: bad-1 broke' }]);

    const cancelled = manager.submit('parent', { children: ['slow', 'queued-1', 'queued-2'] });
    await expect
      .poll(() => manager.get(cancelled.id)?.awaitingSubtasks, { timeout: WAIT })
      .toBe(true);
    manager.cancel(cancelled.id);
    expect((await final(manager, cancelled.id)).status).toBe('dismissed');
    for (const id of manager.subtasks(cancelled.id)) {
      expect(await final(manager, id)).toMatchObject({
        status: 'dismissed',
        error: `Parent job ${cancelled.id} ended`,
      });
    }
  });

  it('nests: a subtask with subtasks of its own completes its parent only when all have ended', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const gates = new Map([['leaf-1', deferred()]]);
    addTypes(manager, gates);
    manager.registerType(
      taskType(
        'middle',
        empty,
        async (_input, context) => {
          await context.spawn('parent', { children: ['leaf-1', 'leaf-2'] });
          return { own: 'middle' };
        },
        { resumable: false, ...outputs({ own: { type: 'string' } }) },
      ),
    );
    const top = manager.submit('middle', {});
    await expect.poll(() => manager.get(top.id)?.awaitingSubtasks, { timeout: WAIT }).toBe(true);
    const [inner] = manager.subtasks(top.id);
    await expect.poll(() => manager.get(inner!)?.awaitingSubtasks, { timeout: WAIT }).toBe(true);
    // leaf-2 cannot start before leaf-1 ends (one slot): top reflects leaf-1's progress through inner.
    await expect.poll(() => manager.get(top.id)?.progress, { timeout: WAIT }).toBeGreaterThan(50);
    expect(manager.get(top.id)?.status).toBe('running');
    gates.get('leaf-1')!.resolve();
    expect(await final(manager, top.id)).toMatchObject({ status: 'successful', progress: 100 });
    expect(manager.get(inner!)).toMatchObject({
      status: 'successful',
      result: { own: 'parent done', subtasks: ['leaf-1 done', 'leaf-2 done'] },
    });
  });

  it('a parent waiting for its subtasks at a restart completes once they have run', async () => {
    const first = await harness({ maxConcurrent: 1 });
    const gates = new Map([['first', deferred()]]);
    addTypes(first.manager, gates);
    const parent = first.manager.submit('parent', { children: ['first', 'second'] });
    await expect
      .poll(() => first.manager.get(parent.id)?.awaitingSubtasks, { timeout: WAIT })
      .toBe(true);
    await first.manager.shutdown(100);
    first.store.close();

    const second = await harness({ maxConcurrent: 1 }, first.dir);
    addTypes(second.manager, new Map());
    await second.manager.start();
    const done = await final(second.manager, parent.id);
    // 'first' was running and cannot resume: it failed, so the parent did.
    expect(done.status).toBe('failed');
    const [a, b] = second.manager.subtasks(parent.id).map((id) => second.manager.get(id)!);
    expect(a).toMatchObject({ status: 'failed' });
    expect(a?.error).toMatch(/interrupted/);
    // 'second' was queued: it survived the restart and ran.
    expect(b).toMatchObject({ status: 'successful', result: { text: 'second done' } });
  });
});

describe('issue 13: results checked against the declared outputs', () => {
  /** A logger whose lines are kept, as a plugin's would be (its `plugin` binding). */
  function capturedLog(plugin: string) {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n'))
          if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    return { log: pino({ level: 'info' }, sink).child({ plugin }), lines };
  }

  it('fails a job whose result is not an object of its outputs, logs it on the owner’s logger, and carries on', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    const { log, lines } = capturedLog('sloppy-plugin');
    manager.registerType(
      taskType('five', empty, async () => 5, outputs({ total: { type: 'number' } })),
      'sloppy-plugin',
      log,
    );
    manager.registerType(taskType('fine', empty, async () => ({ text: 'fine' }), TEXT));
    const bad = manager.submit('five', {});
    const dependant = manager.submit('fine', {}, { dependsOn: [bad.id] });
    const next = manager.submit('fine', {});
    const failed = await final(manager, bad.id);
    const detail =
      'Test five returned a result that does not match its declared outputs: the result must be an object of the declared outputs ("total"), not a number';
    expect(failed).toMatchObject({ status: 'failed', error: detail, message: detail });
    expect(failed.result).toBeUndefined();
    expect(failed.problem).toEqual({
      type: 'urn:relief:job-problem:invalid-result',
      title: 'The task returned a result that does not match its declared outputs',
      detail,
    });
    // Nothing crashed: its dependant is dismissed as for any failure, the queue goes on.
    expect(await final(manager, dependant.id)).toMatchObject({
      status: 'dismissed',
      error: `Upstream job ${bad.id} failed`,
    });
    expect(await final(manager, next.id)).toMatchObject({
      status: 'successful',
      result: { text: 'fine' },
    });
    const line = lines.find((l) => l.level === 50);
    expect(line).toMatchObject({
      plugin: 'sloppy-plugin',
      jobId: bad.id,
      process: 'five',
      msg: 'task result does not match the outputs its type declares; the job failed',
    });
  });

  it('names every undeclared, missing and invalid output in the error and its items', async () => {
    const { manager } = await harness();
    const { outputs: declared } = outputs({
      sum: { type: 'number' },
      count: { type: 'integer' },
      note: { type: 'string' },
    });
    // `note` is optional: absent, it is no problem.
    const withOptional = { outputs: { ...declared, note: { ...declared.note!, minOccurs: 0 } } };
    manager.registerType(
      taskType(
        'sloppy',
        empty,
        async () => ({ sum: 'three', summary: { n: 1 }, extra: true, ignored: undefined }),
        withOptional,
      ),
    );
    const job = manager.submit('sloppy', {});
    const failed = await final(manager, job.id);
    expect(failed.status).toBe('failed');
    expect(failed.problem?.type).toBe('urn:relief:job-problem:invalid-result');
    expect(failed.problem?.items).toEqual([
      { item: 'summary', detail: 'not a declared output' },
      { item: 'extra', detail: 'not a declared output' },
      { item: 'sum', detail: 'does not match its schema: must be number' },
      { item: 'count', detail: 'required output missing' },
    ]);
    expect(failed.error).toBe(
      'Test sloppy returned a result that does not match its declared outputs: "summary" not a declared output; "extra" not a declared output; "sum" does not match its schema: must be number; "count" required output missing (declared outputs: "sum", "count", "note")',
    );
  });

  it('validates nested values against the JSON Schema, and accepts optional outputs left out and an empty result', async () => {
    const { manager } = await harness({ maxConcurrent: 2 });
    const schemaOutputs = {
      outputs: {
        tiles: {
          title: 'Tiles',
          schema: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string' }, size: { type: 'integer', minimum: 0 } },
            },
          },
        },
        repairs: {
          title: 'Repairs',
          schema: { type: 'array', items: { type: 'string' } },
          minOccurs: 0,
        },
      },
    };
    manager.registerType(
      taskType(
        'tiles',
        z.object({ size: z.number() }),
        async ({ size }) => ({ tiles: [{ name: 'N46E007', size }] }),
        schemaOutputs,
      ),
    );
    manager.registerType(taskType('nothing', empty, async () => undefined));
    const good = manager.submit('tiles', { size: 10 });
    const bad = manager.submit('tiles', { size: -1 });
    const nothing = manager.submit('nothing', {});
    expect(await final(manager, good.id)).toMatchObject({
      status: 'successful',
      result: { tiles: [{ name: 'N46E007', size: 10 }] },
    });
    expect((await final(manager, bad.id)).problem?.items).toEqual([
      { item: 'tiles', detail: 'does not match its schema at /0/size: must be >= 0' },
    ]);
    expect(await final(manager, nothing.id)).toMatchObject({ status: 'successful', result: {} });
  });

  it('checks what combine() makes of a parent’s result, and fails a parent at once without combine()', async () => {
    const { manager } = await harness({ maxConcurrent: 1 });
    manager.registerType(
      taskType('kid', named, async ({ name }) => ({ name }), { resumable: false, ...NAME }),
    );
    manager.registerType(
      taskType(
        'combined',
        empty,
        async (_input, context) => {
          await context.spawn('kid', { name: 'k' });
          return { own: 'x' };
        },
        {
          ...outputs({ own: { type: 'string' } }),
          combine: (result, subtasks) => ({ ...(result as object), subtasks }),
        },
      ),
    );
    manager.registerType(
      taskType(
        'uncombined',
        empty,
        async (_input, context) => {
          await context.spawn('kid', { name: 'k' });
          return 'not an object';
        },
        outputs({ own: { type: 'string' } }),
      ),
    );
    const combined = manager.submit('combined', {});
    const failed = await final(manager, combined.id);
    expect(failed).toMatchObject({ status: 'failed', awaitingSubtasks: false });
    expect(failed.problem).toMatchObject({
      type: 'urn:relief:job-problem:invalid-result',
      items: [{ item: 'subtasks', detail: 'not a declared output' }],
    });
    // Its subtask ran (the result was wrong only once combined) and stays successful.
    const [kid] = manager.subtasks(combined.id);
    expect(manager.get(kid!)).toMatchObject({ status: 'successful', result: { name: 'k' } });

    const uncombined = manager.submit('uncombined', {});
    const early = await final(manager, uncombined.id);
    expect(early.problem?.type).toBe('urn:relief:job-problem:invalid-result');
    // Failed as soon as run() returned: its subtask is not wanted any more.
    const [orphan] = manager.subtasks(uncombined.id);
    expect(await final(manager, orphan!)).toMatchObject({
      status: 'dismissed',
      error: `Parent job ${uncombined.id} ended`,
    });
  });

  it('refuses to register outputs without a usable schema', async () => {
    const { manager } = await harness();
    const run = async () => ({});
    expect(() =>
      manager.registerType(
        taskType('no-schema', empty, run, { outputs: { x: { title: 'X' } } } as never),
      ),
    ).toThrow(/output "x" needs a schema/);
    expect(() =>
      manager.registerType(
        taskType('bad-schema', empty, run, outputs({ x: { type: 'no-such-type' } })),
      ),
    ).toThrow(/schema of output "x" is not a valid JSON Schema/);
    expect(() =>
      manager.registerType(taskType('no-outputs', empty, run, { outputs: undefined } as never)),
    ).toThrow(/outputs must be an object/);
    expect(manager.types()).toEqual([]);
  });
});
