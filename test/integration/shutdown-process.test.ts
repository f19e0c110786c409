/**
 * Issue 16, item 5 (default shutdown ends in SIGKILL): SIGTERM on a real `npm start` process,
 * under one deadline. An open job event stream ends at once with a `shutdown` event, a running
 * task is aborted and resumes from its checkpoint at the next start, a slow response that can
 * finish in time comes whole, and one that cannot is cut with a warning naming it; the process
 * exits 0 in every case.
 */
import { get } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { manifest, writePlugins } from '../fixtures/plugin-folders.ts';
import { parseJobEvents } from '../helpers/job-events.ts';
import { listeningPort, logLines, startRelief } from '../helpers/relief-process.ts';

let dir: string;

// A plugin outside the repository: it cannot import zod, so its input schema is written out.
const PLUGIN = `import { Readable } from 'node:stream';
import { definePlugin } from 'relief';

const anyInput = {
  safeParse: (data: unknown) => ({ success: true, data }),
  safeParseAsync: async (data: unknown) => ({ success: true, data }),
};

export default definePlugin({ register(relief) {
  relief.registerRoutes(async (app) => {
    // CHUNKS lines, one every EVERY ms: a slow streamed download.
    app.get('/stream', async (request, reply) => {
      const { chunks, every } = request.query as { chunks: string; every: string };
      let sent = 0;
      const body = new Readable({
        read() {
          if (sent === Number(chunks)) return void this.push(null);
          setTimeout(() => this.push('chunk ' + sent++ + '\\n'), sent === 0 ? 0 : Number(every));
        },
      });
      return reply.type('text/plain').send(body);
    });
    // One line, then nothing: a response that would never end.
    app.get('/hang', async (_request, reply) => {
      const body = new Readable({ read() {} });
      body.push('started\\n');
      return reply.type('text/plain').send(body);
    });
  });
  relief.registerTaskType({
    id: 'wait-for-abort',
    title: 'Waits for its abort signal',
    version: '1.0.0',
    inputSchema: anyInput as never,
    inputs: {},
    outputs: {
      resumedFrom: { title: 'The checkpoint it resumed from', schema: { type: 'object' } },
    },
    resumable: true,
    async run(_input, ctx) {
      if (ctx.checkpoint !== undefined) return { resumedFrom: ctx.checkpoint };
      ctx.saveCheckpoint({ step: 1 });
      ctx.progress(10, 'waiting for the abort signal');
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
      });
    },
  });
} });
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-shutdown-'));
  // Plugins are ES modules: outside this repository their folder says so with a package.json.
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writePlugins(join(dir, 'plugins'), [
    { folder: 'drain', manifest: manifest('drain'), files: { 'index.ts': PLUGIN } },
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(dataDir: string, env: Record<string, string> = {}) {
  return startRelief({
    RELIEF_PLUGINS_PATH: join(dir, 'plugins'),
    RELIEF_DATA_DIR: join(dir, dataDir),
    RELIEF_LOG_LEVEL: 'info',
    ...env,
  });
}

interface Streamed {
  /** What has arrived so far. */
  received: () => string;
  /** The whole exchange once the connection is done: `complete` is false when it was cut. */
  done: Promise<{ status: number; body: string; complete: boolean }>;
}

function stream(url: string): Streamed {
  let body = '';
  const done = new Promise<{ status: number; body: string; complete: boolean }>(
    (resolve, reject) => {
      get(url, (response) => {
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('close', () =>
          resolve({ status: response.statusCode ?? 0, body, complete: response.complete }),
        );
      }).on('error', reject);
    },
  );
  return { received: () => body, done };
}

/** Waits (vitest's waitFor: polled, bounded) until `condition` holds; usable in beforeAll. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await condition())) throw new Error('not yet');
    },
    { timeout: 10_000, interval: 50 },
  );
}

async function jobStatus(base: string, jobId: string): Promise<string> {
  return ((await (await fetch(`${base}/jobs/${jobId}`)).json()) as { status: string }).status;
}

describe('SIGTERM with an event stream, a running task and a slow download open', () => {
  let jobId: string;
  let events: Awaited<Streamed['done']>;
  let download: Awaited<Streamed['done']>;
  let exitCode: number | null;
  let logs: ReturnType<typeof logLines>;

  beforeAll(async () => {
    const relief = start('data');
    const base = `http://127.0.0.1:${await listeningPort(relief.output)}`;
    const created = await fetch(`${base}/processes/wait-for-abort/execution`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: {} }),
    });
    jobId = ((await created.json()) as { jobID: string }).jobID;
    await until(async () => (await jobStatus(base, jobId)) === 'running');
    const sse = stream(`${base}/jobs/${jobId}/events`);
    const slow = stream(`${base}/drain/stream?chunks=5&every=300`);
    await until(() => sse.received().includes('event: status'));
    await until(() => slow.received().includes('chunk 0'));
    relief.child.kill('SIGTERM');
    [events, download, exitCode] = await Promise.all([sse.done, slow.done, relief.exit]);
    logs = logLines(relief.output());
  }, 30_000);

  it('ends the event stream with a shutdown event, cuts nothing and exits 0', () => {
    expect(exitCode).toBe(0);
    expect(events.complete).toBe(true);
    expect(parseJobEvents(events.body).map((e) => e.event)).toEqual(['status', 'shutdown']);
    expect(parseJobEvents(events.body).at(-1)).toEqual({
      id: 2,
      event: 'shutdown',
      retry: '2000',
      data: expect.objectContaining({ jobID: jobId, status: 'running' }),
    });
    // The stream did not hold the shutdown until its connections were cut.
    expect(logs.find((l) => l.msg === 'stopped')).toMatchObject({ cutRequests: 0, tasksLeft: 0 });
    expect(logs.filter((l) => l.msg.startsWith('shutdown:'))).toEqual([]);
  });

  it('lets the slow download finish whole', () => {
    expect(download).toEqual({
      status: 200,
      body: 'chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n',
      complete: true,
    });
  });

  it('aborts the running task, which resumes from its checkpoint at the next start', async () => {
    expect(logs).toContainEqual(
      expect.objectContaining({
        jobId,
        msg: 'task interrupted by shutdown; it resumes on restart',
      }),
    );
    const relief = start('data');
    try {
      const base = `http://127.0.0.1:${await listeningPort(relief.output)}`;
      const job = (await (await fetch(`${base}/jobs/${jobId}?wait=20`)).json()) as {
        status: string;
      };
      expect(job.status).toBe('successful');
      const results = await (await fetch(`${base}/jobs/${jobId}/results`)).json();
      expect(results).toEqual({ resumedFrom: { step: 1 } });
    } finally {
      relief.child.kill('SIGTERM');
      expect(await relief.exit).toBe(0);
    }
  }, 30_000);
});

describe('SIGTERM with a response that outlives the deadline', () => {
  it('cuts it before the deadline, logs which request it cut, and exits 0', async () => {
    const relief = start('data-cut', { RELIEF_SHUTDOWN_TIMEOUT: '1' });
    const base = `http://127.0.0.1:${await listeningPort(relief.output)}`;
    const hanging = stream(`${base}/drain/hang`);
    await until(() => hanging.received() === 'started\n');
    relief.child.kill('SIGTERM');
    const [response, exitCode] = await Promise.all([hanging.done, relief.exit]);
    expect(exitCode).toBe(0);
    expect(response).toEqual({ status: 200, body: 'started\n', complete: false });
    const logs = logLines(relief.output());
    expect(logs.find((l) => l.msg.includes('their connections were cut'))).toMatchObject({
      requests: [{ method: 'GET', route: '/drain/hang', requestId: expect.any(String) }],
    });
    expect(logs.find((l) => l.msg === 'stopped')).toMatchObject({ cutRequests: 1 });
  }, 30_000);
});
