/** OGC API – Processes through HTTP: processes, execution, job status, long-poll, SSE, results. */
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TaskFailure } from '../../src/tasks/task-errors.ts';
import { parseJobEvents } from '../helpers/job-events.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

let server: TestServer;
const http = () => request(server.app.server);

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason as Error)), {
      once: true,
    });
  });

beforeAll(async () => {
  server = await startTestServer({
    setup: ({ tasks }) => {
      tasks.registerType({
        id: 'sum',
        title: 'Sum',
        version: '1.0.0',
        inputSchema: z.object({ a: z.number(), b: z.number() }).strict(),
        inputs: {
          a: { title: 'First addend', schema: { type: 'number' } },
          b: { title: 'Second addend', schema: { type: 'number' } },
        },
        outputs: { sum: { title: 'The sum', schema: { type: 'number' } } },
        jobControlOptions: ['async-execute', 'sync-execute', 'dismiss'],
        resumable: false,
        run: async ({ a, b }) => ({ sum: a + b }),
      });
      tasks.registerType({
        id: 'slow',
        title: 'Slow',
        version: '1.0.0',
        inputSchema: z.object({
          steps: z.number().int().min(1).max(100),
          stepMs: z.number().int().min(1).max(1000),
        }),
        inputs: {
          steps: { title: 'Steps', schema: { type: 'integer' } },
          stepMs: { title: 'Step duration', schema: { type: 'integer' } },
        },
        outputs: { steps: { title: 'Steps done', schema: { type: 'integer' } } },
        resumable: false,
        run: async ({ steps, stepMs }, ctx) => {
          for (let i = 1; i <= steps; i++) {
            await sleep(stepMs, ctx.signal);
            ctx.progress((i / steps) * 100, `step ${i} of ${steps}`);
          }
          return { steps };
        },
      });
      tasks.registerType({
        id: 'broken',
        title: 'Broken',
        version: '1.0.0',
        inputSchema: z.object({}),
        inputs: {},
        outputs: {},
        resumable: false,
        run: async () => {
          throw new TaskFailure('the upstream answered 500 three times');
        },
      });
      tasks.registerType({
        id: 'partial',
        title: 'Partial',
        version: '1.0.0',
        inputSchema: z.object({}),
        inputs: {},
        outputs: {},
        resumable: false,
        run: async () => {
          throw new TaskFailure('2 of 3 tiles failed', {
            items: [
              { item: 'N46E007', detail: 'HTTP 503 three times' },
              { item: 'N47E007', detail: 'corrupt gzip: invalid distance too far back' },
            ],
          });
        },
      });
    },
  });
});

afterAll(async () => {
  await server.close();
});

const execute = (process: string, inputs: unknown, headers: Record<string, string> = {}) =>
  http().post(`/processes/${process}/execution`).set(headers).send({ inputs });

describe('processes', () => {
  it('lists the registered processes and describes one', async () => {
    const list = await http().get('/processes');
    expect(list.status).toBe(200);
    expect(list.body.processes.map((p: { id: string }) => p.id)).toEqual([
      'sum',
      'slow',
      'broken',
      'partial',
    ]);
    const sum = await http().get('/processes/sum');
    expect(sum.body).toMatchObject({
      id: 'sum',
      title: 'Sum',
      version: '1.0.0',
      jobControlOptions: ['async-execute', 'sync-execute', 'dismiss'],
      inputs: { a: { schema: { type: 'number' } } },
      outputs: { sum: { title: 'The sum' } },
    });
    expect(sum.body.links[0].href).toMatch(/\/processes\/sum$/);
  });

  it('answers an unknown process with no-such-process', async () => {
    const response = await http().get('/processes/nope');
    expect(response.status).toBe(404);
    expect(response.type).toBe('application/problem+json');
    expect(response.body.type).toBe(
      'http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process',
    );
    const run = await execute('nope', {});
    expect(run.status).toBe(404);
  });
});

describe('execution', () => {
  it('is asynchronous by default: 201, Location, and the job is there at once', async () => {
    const created = await execute('sum', { a: 2, b: 40 });
    expect(created.status).toBe(201);
    expect(created.headers.location).toMatch(/\/jobs\/[0-9a-f-]{36}$/);
    expect(created.body).toMatchObject({ processID: 'sum', type: 'process' });
    expect(['accepted', 'running', 'successful']).toContain(created.body.status);
    const jobId = created.body.jobID as string;
    const polled = await http().get(`/jobs/${jobId}?wait=10`);
    expect(polled.body).toMatchObject({ jobID: jobId, status: 'successful', progress: 100 });
    expect(polled.body.finished).toBeDefined();
    const resultsLink = polled.body.links.find(
      (l: { rel: string }) => l.rel === 'http://www.opengis.net/def/rel/ogc/1.0/results',
    );
    expect(resultsLink.href).toMatch(new RegExp(`/jobs/${jobId}/results$`));
    const results = await http().get(`/jobs/${jobId}/results`);
    expect(results.body).toEqual({ sum: 42 });
  });

  it('answers synchronously with Prefer: wait where the process allows it', async () => {
    const response = await execute('sum', { a: 1, b: 2 }, { prefer: 'wait=10' });
    expect(response.status).toBe(200);
    expect(response.headers['preference-applied']).toBe('wait=10');
    expect(response.body).toEqual({ sum: 3 });
    const notAllowed = await execute('slow', { steps: 1, stepMs: 1 }, { prefer: 'wait=10' });
    expect(notAllowed.status).toBe(201);
  });

  it('rejects invalid inputs with a 400 and stores nothing', async () => {
    const before = (await http().get('/jobs')).body.numberMatched as number;
    for (const inputs of [{ a: 'two', b: 1 }, { a: 1 }, { a: 1, b: 2, c: 3 }]) {
      const response = await execute('sum', inputs);
      expect(response.status).toBe(400);
      expect(response.type).toBe('application/problem+json');
      expect(response.body.detail).toBeTruthy();
    }
    const badBody = await http().post('/processes/sum/execution').send({ inputs: 5 });
    expect(badBody.status).toBe(400);
    const badPriority = await http()
      .post('/processes/sum/execution')
      .send({ inputs: { a: 1, b: 1 }, priority: 5000 });
    expect(badPriority.status).toBe(400);
    expect((await http().get('/jobs')).body.numberMatched).toBe(before);
  });
});

describe('jobs', () => {
  it('long-polls: returns as soon as the job ends, or when the wait runs out', async () => {
    const created = await execute('slow', { steps: 3, stepMs: 100 });
    const jobId = created.body.jobID as string;
    const start = Date.now();
    const early = await http().get(`/jobs/${jobId}?wait=0.05`);
    expect(['accepted', 'running']).toContain(early.body.status);
    const done = await http().get(`/jobs/${jobId}?wait=30`);
    expect(done.body.status).toBe('successful');
    expect(Date.now() - start).toBeLessThan(10_000);
    expect((await http().get(`/jobs/${jobId}?wait=61`)).status).toBe(400);
    expect((await http().get(`/jobs/${jobId}?wait=-1`)).status).toBe(400);
  });

  it('streams ordered status and progress as server-sent events, closing at the end', async () => {
    const created = await execute('slow', { steps: 5, stepMs: 60 });
    const jobId = created.body.jobID as string;
    const response = await http()
      .get(`/jobs/${jobId}/events`)
      .buffer(true)
      .parse((res, callback) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => callback(null, text));
      });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = parseJobEvents(response.body as string);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    const progress = events.map((e) => e.data.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toMatchObject({
      event: 'status',
      data: { status: 'successful', progress: 100 },
    });
  });

  it('dismisses a running job, after which it has no results; deleting a finished job removes it', async () => {
    const created = await execute('slow', { steps: 100, stepMs: 100 });
    const jobId = created.body.jobID as string;
    await expect.poll(async () => (await http().get(`/jobs/${jobId}`)).body.status).toBe('running');
    // The answer waits for the job to have really stopped (its run() returned).
    const dismissed = await http().delete(`/jobs/${jobId}`);
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toMatchObject({ jobID: jobId, status: 'dismissed' });
    expect(dismissed.body.cancelling).toBeUndefined();
    expect((await http().get(`/jobs/${jobId}`)).body.status).toBe('dismissed');
    // Issue 13: it still exists, so not no-such-job: its results are gone for good (410), and the
    // answer is its error, as its job document shows it.
    const results = await http().get(`/jobs/${jobId}/results`);
    expect(results.status).toBe(410);
    expect(results.body).toMatchObject({
      type: 'urn:relief:job-problem:dismissed',
      detail: 'Dismissed by request',
    });
    const removed = await http().delete(`/jobs/${jobId}`);
    expect(removed.status).toBe(200);
    expect((await http().get(`/jobs/${jobId}`)).status).toBe(404);
  });

  it('reports results not ready and failed jobs with the OGC exception types', async () => {
    const slow = await execute('slow', { steps: 50, stepMs: 100 });
    const notReady = await http().get(`/jobs/${slow.body.jobID}/results`);
    expect(notReady.status).toBe(404);
    expect(notReady.body.type).toMatch(/result-not-ready$/);
    await http().delete(`/jobs/${slow.body.jobID}`);
    const broken = await execute('broken', {});
    const failed = await http().get(`/jobs/${broken.body.jobID}?wait=10`);
    expect(failed.body).toMatchObject({
      status: 'failed',
      message: 'the upstream answered 500 three times',
    });
    const results = await http().get(`/jobs/${broken.body.jobID}/results`);
    expect(results.status).toBe(500);
    expect(results.type).toBe('application/problem+json');
    // The job's own error: its type tells why (/req/core/job-results-failed).
    expect(results.body).toMatchObject({
      type: 'urn:relief:job-problem:failed',
      detail: 'the upstream answered 500 three times',
    });
  });

  it('lists jobs filtered by status and process, with paging links and the total', async () => {
    for (let i = 0; i < 3; i++) {
      const created = await execute('sum', { a: i, b: i }, { prefer: 'wait=10' });
      expect(created.status).toBe(200);
    }
    const all = await http().get('/jobs?processID=sum&status=successful&limit=2');
    expect(all.status).toBe(200);
    expect(all.body.numberReturned).toBe(2);
    expect(all.body.numberMatched).toBeGreaterThanOrEqual(4);
    expect(
      all.body.jobs.every(
        (j: { processID: string; status: string }) =>
          j.processID === 'sum' && j.status === 'successful',
      ),
    ).toBe(true);
    const next = all.body.links.find((l: { rel: string }) => l.rel === 'next');
    expect(next.href).toContain('offset=2');
    const page2 = await http().get(
      new URL(next.href as string).pathname + new URL(next.href as string).search,
    );
    expect(page2.body.links.some((l: { rel: string }) => l.rel === 'prev')).toBe(true);
    const ids = new Set(
      [...all.body.jobs, ...page2.body.jobs].map((j: { jobID: string }) => j.jobID),
    );
    expect(ids.size).toBe(all.body.jobs.length + page2.body.jobs.length);
    const multi = await http().get('/jobs?status=failed,dismissed');
    expect(
      multi.body.jobs.every((j: { status: string }) => ['failed', 'dismissed'].includes(j.status)),
    ).toBe(true);
    expect((await http().get('/jobs?status=done')).status).toBe(400);
    expect((await http().get('/jobs?limit=0')).status).toBe(400);
  });

  it('issue 15 item 4: unknown filters are a 400 naming every one of them, not a silently unfiltered list', async () => {
    const answer = await http().get('/jobs?group=a&state=running&q=x&limit=2');
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.body.detail).toContain('"state"');
    expect(answer.body.detail).toContain('"q"');
    expect(answer.body.detail).not.toContain('"group"');
    expect(answer.body.detail).not.toContain('"limit"');
    // The same on the status route: an unknown parameter is refused, not dropped.
    const one = await execute('sum', { a: 1, b: 2 }, { prefer: 'wait=10' });
    const status = await http().get(`${new URL(one.headers.location as string).pathname}?wiat=5`);
    expect(status.status).toBe(400);
    expect(status.body.detail).toContain('"wiat"');
  });

  it('issue 15 item 4: lists by group, priority range and creation time, sorted as asked, with links that keep the filters', async () => {
    const submit = (priority: number, group: string) =>
      http()
        .post('/processes/sum/execution')
        .set({ prefer: 'wait=10' })
        .send({ inputs: { a: priority, b: 0 }, priority, group });
    const before = new Date(Date.now() - 1).toISOString();
    const made: string[] = [];
    for (const [priority, group] of [
      [5, 'listing-a'],
      [-3, 'listing-a'],
      [9, 'listing-b'],
      [1, 'listing-a'],
    ] as const) {
      const answer = await submit(priority, group);
      expect(answer.status).toBe(200);
      made.push(answer.headers.location?.split('/').pop() ?? '');
    }
    const byGroup = await http().get('/jobs?group=listing-a&sortBy=-priority&limit=2');
    expect(byGroup.status).toBe(200);
    expect(byGroup.body.numberMatched).toBe(3);
    expect(byGroup.body.jobs.map((j: { jobID: string }) => j.jobID)).toEqual([made[0], made[3]]);
    const next = byGroup.body.links.find((l: { rel: string }) => l.rel === 'next');
    const nextUrl = new URL(next.href as string);
    expect(nextUrl.searchParams.get('group')).toBe('listing-a');
    expect(nextUrl.searchParams.get('sortBy')).toBe('-priority');
    const page2 = await http().get(nextUrl.pathname + nextUrl.search);
    expect(page2.body.jobs.map((j: { jobID: string }) => j.jobID)).toEqual([made[1]]);

    const range = await http().get(
      `/jobs?group=listing-a&group=listing-b&minPriority=0&maxPriority=5&sortBy=created`,
    );
    expect(range.body.jobs.map((j: { jobID: string }) => j.jobID)).toEqual([made[0], made[3]]);
    const since = await http().get(
      `/jobs?createdAfter=${encodeURIComponent(before)}&processID=sum&sortBy=created&limit=100`,
    );
    expect(since.body.jobs.map((j: { jobID: string }) => j.jobID)).toEqual(made);
    const none = await http().get(
      `/jobs?createdBefore=${encodeURIComponent(before)}&group=listing-b`,
    );
    expect(none.body).toMatchObject({ numberMatched: 0, jobs: [] });

    for (const bad of [
      'minPriority=1001',
      'maxPriority=abc',
      'createdAfter=2026-12-06',
      'createdBefore=2026-13-45T99:00:00Z',
      'sortBy=name',
    ]) {
      const answer = await http().get(`/jobs?${bad}`);
      expect(answer.status, bad).toBe(400);
      expect(answer.body.detail, bad).toContain(bad.split('=')[0]);
    }
  });

  it('issue 15 item 6: job documents carry inputs, priority, group, dependencies both ways, structured errors, and no progress while queued', async () => {
    const upstream = await http()
      .post('/processes/slow/execution')
      .send({ inputs: { steps: 100, stepMs: 50 }, priority: 7, group: 'docs' });
    const upId = upstream.body.jobID as string;
    const waiting = await http()
      .post('/processes/sum/execution')
      .send({ inputs: { a: 2, b: 3 }, dependsOn: [upId] });
    const waitId = waiting.body.jobID as string;
    const queued = (await http().get(`/jobs/${waitId}`)).body;
    expect(queued).toMatchObject({ status: 'accepted', priority: 0, dependsOn: [upId] });
    expect(queued).not.toHaveProperty('progress');
    expect(queued).not.toHaveProperty('group');
    const up = (await http().get(`/jobs/${upId}`)).body;
    expect(up).toMatchObject({ priority: 7, group: 'docs', dependsOn: [], dependants: [waitId] });
    const inputsLink = up.links.find((l: { rel: string }) => l.rel === 'inputs');
    const inputs = await http().get(new URL(inputsLink.href as string).pathname);
    expect(inputs.body).toEqual({ processID: 'slow', inputs: { steps: 100, stepMs: 50 } });

    // Dismissed: the upstream by request, its dependant because of it; each says how.
    await http().delete(`/jobs/${upId}`);
    expect((await http().get(`/jobs/${upId}`)).body.error).toEqual({
      type: 'urn:relief:job-problem:dismissed',
      title: 'The job was dismissed',
      detail: 'Dismissed by request',
    });
    expect((await http().get(`/jobs/${waitId}`)).body.error).toMatchObject({
      type: 'urn:relief:job-problem:upstream-ended',
      detail: `Upstream job ${upId} dismissed`,
    });

    // Failed with per-item errors.
    const partial = await execute('partial', {});
    const failed = (await http().get(`/jobs/${partial.body.jobID}?wait=10`)).body;
    expect(failed).toMatchObject({ status: 'failed', message: '2 of 3 tiles failed' });
    expect(failed.error).toEqual({
      type: 'urn:relief:job-problem:failed',
      title: 'The task reported a failure',
      detail: '2 of 3 tiles failed',
      items: [
        { item: 'N46E007', detail: 'HTTP 503 three times' },
        { item: 'N47E007', detail: 'corrupt gzip: invalid distance too far back' },
      ],
    });
    // A successful job has no error, and progress 100.
    const ok = await execute('sum', { a: 1, b: 1 });
    const done = (await http().get(`/jobs/${ok.body.jobID}?wait=10`)).body;
    expect(done).toMatchObject({ status: 'successful', progress: 100 });
    expect(done).not.toHaveProperty('error');
  });

  it('issue 15 item 7: holds and releases a queued job over HTTP (409 for one that is not queued)', async () => {
    const blocker = await execute('slow', { steps: 100, stepMs: 50 });
    const upstream = blocker.body.jobID as string;
    const waiting = await http()
      .post('/processes/sum/execution')
      .send({ inputs: { a: 4, b: 5 }, dependsOn: [upstream] });
    const id = waiting.body.jobID as string;
    const held = await http().post(`/jobs/${id}/hold`);
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ status: 'accepted', held: true, message: 'Held' });
    expect((await http().get(`/jobs/${id}`)).body.held).toBe(true);
    const conflict = await http().post(`/jobs/${upstream}/hold`);
    expect(conflict.status).toBe(409);
    expect(conflict.body.detail).toMatch(/running; only a queued job can be held/);
    const released = await http().post(`/jobs/${id}/unhold`);
    expect(released.body).toMatchObject({ status: 'accepted' });
    expect(released.body).not.toHaveProperty('held');
    expect((await http().post(`/jobs/00000000-0000-4000-8000-000000000000/hold`)).status).toBe(404);
    await http().delete(`/jobs/${upstream}`);
  });

  it("issue 15 item 7: streams every job's events at /jobs/events, filtered by group and event type", async () => {
    if (!server.app.server.listening) {
      await new Promise<void>((resolve) =>
        server.app.server.listen(0, '127.0.0.1', () => resolve()),
      );
    }
    const { port } = server.app.server.address() as AddressInfo;
    const events: { event: string; data: Record<string, unknown> }[] = [];
    const path =
      '/jobs/events?group=watched&type=job.started&type=job.finished&type=job.failed&type=group.finished';
    const opened = new Promise<() => void>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const blocks = text.split('\n\n');
          text = blocks.pop() ?? '';
          for (const block of blocks) {
            if (!block.startsWith('id:')) continue;
            const lines = Object.fromEntries(
              block
                .split('\n')
                .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
            );
            events.push({ event: lines.event as string, data: JSON.parse(lines.data as string) });
          }
        });
        resolve(() => req.destroy());
      });
      req.on('error', reject);
    });
    const close = await opened;
    try {
      const ok = await http()
        .post('/processes/sum/execution')
        .send({ inputs: { a: 1, b: 2 }, group: 'watched' });
      const bad = await http()
        .post('/processes/partial/execution')
        .send({ inputs: {}, group: 'watched' });
      await http()
        .post('/processes/sum/execution')
        .send({ inputs: { a: 0, b: 0 }, group: 'other' });
      await expect
        .poll(() =>
          events.some(
            (e) =>
              e.event === 'group.finished' &&
              e.data.counts &&
              (e.data.counts as Record<string, number>).failed === 1,
          ),
        )
        .toBe(true);
      const okId = ok.body.jobID as string;
      const badId = bad.body.jobID as string;
      const of = (id: string) =>
        events.filter((e) => e.data.jobID === id).map((e) => `${e.event} ${String(e.data.status)}`);
      expect(of(okId)).toEqual(['job.started running', 'job.finished successful']);
      expect(of(badId)).toEqual(['job.started running', 'job.failed failed']);
      expect(events.at(-1)).toEqual({
        event: 'group.finished',
        data: { group: 'watched', counts: { failed: 1, successful: 1 } },
      });
      // Nothing of the other group, nor of the unwanted event types.
      expect(events.every((e) => e.event === 'group.finished' || e.data.group === 'watched')).toBe(
        true,
      );
      // (The sum may have ended before the other job joined its group: then the group finished
      // once before, with one job.)
      expect(
        events.every((e) =>
          ['job.started', 'job.finished', 'job.failed', 'group.finished'].includes(e.event),
        ),
      ).toBe(true);
    } finally {
      close();
    }
    expect((await http().get('/jobs/events?type=job.exploded')).status).toBe(400);
  });

  it('refuses non-decimal, out-of-range and repeated limit/offset with a 400 naming the parameter (no SQLite 500)', async () => {
    const cases: [string, string][] = [
      ['limit', 'Infinity'],
      ['limit', 'NaN'],
      ['limit', '0'],
      ['limit', '1001'],
      ['limit', '0x10'],
      ['limit', '1e1'],
      ['limit', '%201'],
      ['limit', '+5'],
      ['limit', '-0'],
      ['limit', ''],
      ['limit', '1.0'],
      ['offset', '1e300'],
      ['offset', '-1'],
      ['offset', '-0'],
      ['offset', '9223372036854775808'],
      ['offset', '9007199254740992'],
      ['offset', '0.5'],
    ];
    for (const [name, value] of cases) {
      const response = await http().get(`/jobs?${name}=${value}`);
      expect(response.status, `${name}=${value}`).toBe(400);
      expect(response.type).toBe('application/problem+json');
      expect(String(response.body.locator ?? response.body.detail)).toContain(name);
    }
    const repeated = await http().get('/jobs?limit=1&limit=2');
    expect(repeated.status).toBe(400);
    expect(String(repeated.body.locator ?? repeated.body.detail)).toContain('limit');
    const largest = await http().get(`/jobs?limit=1000&offset=${Number.MAX_SAFE_INTEGER}`);
    expect(largest.status).toBe(200);
    expect(largest.body.numberReturned).toBe(0);
  });

  it('refuses wait=Infinity and every other non-decimal or out-of-range wait with a 400', async () => {
    const created = await execute('sum', { a: 1, b: 2 });
    expect(created.status).toBe(201);
    const path = new URL(created.headers.location as string).pathname;
    for (const value of ['Infinity', '1e400', 'NaN', '61', '60.0000001', '-0', '0x1', '%201', '']) {
      const response = await http().get(`${path}?wait=${value}`);
      expect(response.status, `wait=${value}`).toBe(400);
      expect(response.type).toBe('application/problem+json');
      expect(String(response.body.locator ?? response.body.detail)).toContain('wait');
    }
    expect((await http().get(`${path}?wait=1&wait=2`)).status).toBe(400);
    expect((await http().get(`${path}?wait=0.5`)).status).toBe(200);
  });

  it('rejects bad job ids and answers unknown ones with no-such-job', async () => {
    expect((await http().get('/jobs/not-a-uuid')).status).toBe(400);
    const unknown = await http().get('/jobs/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe(
      'http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job',
    );
  });
});

describe('API description', () => {
  it('publishes conformance classes, an OpenAPI document and a JSON landing page', async () => {
    const conformance = await http().get('/conformance');
    expect(conformance.body.conformsTo).toContain(
      'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core',
    );
    const api = await http().get('/api');
    const doc = JSON.parse(api.text) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/processes',
        '/processes/{processId}/execution',
        '/jobs',
        '/jobs/{jobId}',
        '/jobs/{jobId}/events',
        '/jobs/{jobId}/results',
      ]),
    );
    expect(doc.paths['/jobs/{jobId}']).toHaveProperty('delete');
    const landing = await http().get('/?f=json');
    expect(landing.body.links.map((l: { rel: string }) => l.rel)).toEqual(
      expect.arrayContaining([
        'self',
        'service-desc',
        'http://www.opengis.net/def/rel/ogc/1.0/processes',
      ]),
    );
    const html = await http().get('/').set('accept', 'text/html');
    expect(html.type).toBe('text/html');
  });
});
