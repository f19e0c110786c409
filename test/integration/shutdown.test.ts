/**
 * Closing the server (what SIGTERM runs, here without the deadline): long-lived responses answer
 * at once instead of holding the close (event streams end with a `shutdown` event, long polls and
 * `Prefer: wait` return the job as it is), and running tasks are aborted while ordinary
 * responses are still being answered, not after; queued jobs stay queued.
 */
import { get } from 'node:http';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { SqliteJobStore } from '../../src/tasks/sqlite-job-store.ts';
import type { TaskTypeDefinition } from '../../src/tasks/task-types.ts';
import { parseJobEvents } from '../helpers/job-events.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

let server: TestServer;
let base: string;
let closing: Promise<void> | undefined;
/** Jobs whose task saw its abort signal, in order. */
let aborted: string[];
/** Releases the request held by GET /test/held, once it has arrived. */
let release: (() => void) | undefined;
/** URLs of the requests the server has taken, in order. */
let arrived: string[];

const close = () => (closing ??= server.app.close());

/** A task that runs until its signal aborts. */
function holdType(id: string, extra: Partial<TaskTypeDefinition> = {}): TaskTypeDefinition {
  return {
    id,
    title: 'Holds until aborted',
    version: '1.0.0',
    inputSchema: z.object({}),
    inputs: {},
    outputs: {},
    resumable: true,
    run: (_input, ctx) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener(
          'abort',
          () => {
            aborted.push(ctx.jobId);
            reject(ctx.signal.reason as Error);
          },
          { once: true },
        );
      }),
    ...extra,
  };
}

beforeEach(async () => {
  aborted = [];
  arrived = [];
  release = undefined;
  closing = undefined;
  server = await startTestServer({
    env: { RELIEF_MAX_CONCURRENT_TASKS: '1' },
    setup: ({ app, tasks }) => {
      app.addHook('onRequest', (request, _reply, done) => {
        arrived.push(request.url);
        done();
      });
      tasks.registerType(holdType('hold'));
      tasks.registerType(
        holdType('hold-sync', { jobControlOptions: ['async-execute', 'sync-execute'] }),
      );
      app.get('/test/held', async () => {
        await new Promise<void>((resolve) => (release = resolve));
        return { released: true };
      });
    },
  });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const address = server.app.server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  await close();
  await rm(server.dataDir, { recursive: true, force: true });
});

async function execute(processId: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/processes/${processId}/execution`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ inputs: {} }),
  });
  return { status: response.status, body: (await response.json()) as { jobID: string } };
}

async function running(processId: string): Promise<string> {
  const { body } = await execute(processId);
  await vi.waitFor(() => expect(server.tasks.get(body.jobID)?.status).toBe('running'));
  return body.jobID;
}

/** GET with the body as text, readable while it arrives. */
function open(path: string): { received: () => string; done: Promise<string> } {
  let text = '';
  const done = new Promise<string>((resolve, reject) => {
    get(`${base}${path}`, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve(text));
    }).on('error', reject);
  });
  return { received: () => text, done };
}

describe('closing the server', () => {
  it('ends an open job event stream with a shutdown event carrying the job and a retry delay', async () => {
    const jobId = await running('hold');
    const events = open(`/jobs/${jobId}/events`);
    await vi.waitFor(() => expect(events.received()).toContain('event: status'));
    await close();
    const [first, last, ...more] = parseJobEvents(await events.done);
    expect(more).toEqual([]);
    expect(first).toMatchObject({ id: 1, event: 'status' });
    expect(last).toEqual({
      id: 2,
      event: 'shutdown',
      retry: '2000',
      data: expect.objectContaining({ jobID: jobId, status: 'running' }),
    });
  });

  it('answers a long poll at once with the job as it is', async () => {
    const jobId = await running('hold');
    const poll = open(`/jobs/${jobId}?wait=60`);
    // Taken before the close: it answers then, however far it has got.
    await vi.waitFor(() => expect(arrived).toContain(`/jobs/${jobId}?wait=60`));
    await close();
    expect(JSON.parse(await poll.done)).toMatchObject({ jobID: jobId, status: 'running' });
  });

  it('answers a Prefer: wait execution at once with 201 and the job', async () => {
    const answer = execute('hold-sync', { prefer: 'wait=60' });
    await vi.waitFor(() => expect(server.tasks.stats.running).toBe(1));
    await close();
    const { status, body } = await answer;
    expect(status).toBe(201);
    expect(body).toMatchObject({ processID: 'hold-sync', status: 'running' });
  });

  it('aborts running tasks while responses are still in flight, and leaves queued jobs queued', async () => {
    const runningJob = await running('hold');
    const queuedJob = (await execute('hold')).body.jobID;
    expect(server.tasks.get(queuedJob)?.status).toBe('accepted');
    const held = open('/test/held');
    await vi.waitFor(() => expect(release).toBeTypeOf('function'));
    const closed = close();
    // The task is aborted although a response is still being answered...
    await vi.waitFor(() => expect(aborted).toEqual([runningJob]));
    expect(held.received()).toBe('');
    // ...which still finishes whole.
    release?.();
    expect(JSON.parse(await held.done)).toEqual({ released: true });
    await closed;
    // The records stay as they were: the next start resumes both.
    const store = new SqliteJobStore(join(server.dataDir, 'relief.db'));
    try {
      expect(store.get(runningJob)?.status).toBe('running');
      expect(store.get(queuedJob)?.status).toBe('accepted');
    } finally {
      store.close();
    }
  });
});
