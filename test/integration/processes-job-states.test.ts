/**
 * Issue 13 through HTTP: task results are checked against the outputs their process declares (a
 * plugin's task type returning `5` or undeclared members fails its job with a structured error,
 * logged on the plugin's logger), and every job route answers consistently for every job state
 * (docs/processes.md, "Answers by job state").
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';
import { manifest, writePlugins } from '../fixtures/plugin-folders.ts';

const OGC = 'http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0';
const PLUGIN_NAME = 'job-states';

// A plugin outside the repository: it cannot import zod, so its input schema is written out.
const PLUGIN = `import { definePlugin, TaskFailure } from 'relief';

const anyInput = {
  safeParse: (data: unknown) => ({ success: true, data }),
  safeParseAsync: async (data: unknown) => ({ success: true, data }),
};
const gates = new Map<string, () => void>();

const type = (id: string, outputs: Record<string, unknown>, run: (input: any, ctx: any) => Promise<unknown>) => ({
  id,
  title: 'Test ' + id,
  version: '1.0.0',
  inputSchema: anyInput as never,
  inputs: {},
  outputs,
  resumable: false,
  run,
});
const DONE = { done: { title: 'Done', schema: { type: 'boolean' } } };

export default definePlugin({ register(relief) {
  // Runs until POST /job-states/release/{key}, or until it is cancelled.
  relief.registerTaskType(type('held', DONE, (input, ctx) => new Promise((resolve, reject) => {
    gates.set(input.key, () => resolve({ done: true }));
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
  })));
  // Ignores its signal on purpose: once cancelled, it stays cancelling until released.
  relief.registerTaskType(type('stubborn', DONE, (input) => new Promise((resolve) => {
    gates.set(input.key, () => resolve({ done: true }));
  })));
  relief.registerTaskType(type('ok', DONE, async () => ({ done: true })));
  relief.registerTaskType(type('bad', DONE, async () => {
    throw new TaskFailure('1 of 2 tiles failed', { items: [{ item: 'N46E007', detail: 'HTTP 503' }] });
  }));
  relief.registerTaskType(type('five', { total: { title: 'Total', schema: { type: 'number' } } }, async () => 5));
  relief.registerTaskType(type('sloppy', {
    sum: { title: 'Sum', schema: { type: 'number' } },
    note: { title: 'Note', schema: { type: 'string' }, minOccurs: 0 },
  }, async () => ({ sum: 'one', debug: { internal: true } })));
  relief.registerRoutes(async (app) => {
    app.post('/release/:key', async (request) => {
      const { key } = request.params as { key: string };
      gates.get(key)?.();
      return { released: gates.delete(key) };
    });
  });
} });
`;

let dir: string;
let server: TestServer;
const http = () => request(server.app.server);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-job-states-'));
  // Plugins are ES modules: outside this repository their folder says so with a package.json.
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writePlugins(join(dir, 'plugins'), [
    { folder: PLUGIN_NAME, manifest: manifest(PLUGIN_NAME), files: { 'index.ts': PLUGIN } },
  ]);
  server = await startTestServer({
    pluginsPath: [join(dir, 'plugins')],
    env: { RELIEF_MAX_CONCURRENT_TASKS: '4' },
  });
});

afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function execute(processId: string, inputs: unknown = {}, extra: object = {}) {
  const response = await http()
    .post(`/processes/${processId}/execution`)
    .send({ inputs, ...extra });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.jobID as string;
}

async function settled(jobId: string) {
  return (await http().get(`/jobs/${jobId}?wait=30`)).body as Record<string, unknown>;
}

async function running(jobId: string): Promise<void> {
  await expect
    .poll(async () => (await http().get(`/jobs/${jobId}`)).body.status, { timeout: 15_000 })
    .toBe('running');
}

describe('issue 13: results checked against the declared outputs', () => {
  it('fails a job whose task returns a bare value, with an invalid-result error, a results answer that says so, and an error line on the plugin’s logger', async () => {
    const jobId = await execute('five');
    const job = await settled(jobId);
    const detail =
      'Test five returned a result that does not match its declared outputs: the result must be an object of the declared outputs ("total"), not a number';
    expect(job).toMatchObject({ status: 'failed', message: detail });
    expect(job.error).toEqual({
      type: 'urn:relief:job-problem:invalid-result',
      title: 'The task returned a result that does not match its declared outputs',
      detail,
    });
    expect(job.links).not.toContainEqual(
      expect.objectContaining({ rel: 'http://www.opengis.net/def/rel/ogc/1.0/results' }),
    );
    const results = await http().get(`/jobs/${jobId}/results`);
    expect(results.status).toBe(500);
    expect(results.type).toBe('application/problem+json');
    expect(results.body).toEqual({
      type: 'urn:relief:job-problem:invalid-result',
      title: 'The task returned a result that does not match its declared outputs',
      status: 500,
      detail,
      code: 'job-results-failed',
      locator: 'jobId',
      instance: `/jobs/${jobId}/results`,
      jobID: jobId,
    });
    const line = server.logs.find(
      (l) => l.jobId === jobId && l.msg.startsWith('task result does not match'),
    );
    expect(line).toMatchObject({ level: 50, plugin: PLUGIN_NAME, process: 'five' });
  });

  it('names the undeclared and invalid outputs in the error and its items; the server goes on', async () => {
    const jobId = await execute('sloppy');
    const job = await settled(jobId);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({
      type: 'urn:relief:job-problem:invalid-result',
      items: [
        { item: 'debug', detail: 'not a declared output' },
        { item: 'sum', detail: 'does not match its schema: must be number' },
      ],
    });
    expect(String((job.error as { detail: string }).detail)).toContain(
      '"debug" not a declared output; "sum" does not match its schema: must be number',
    );
    const results = await http().get(`/jobs/${jobId}/results`);
    expect(results.body.items).toEqual((job.error as { items: unknown }).items);
    // A well-behaved type of the same plugin still succeeds.
    const ok = await execute('ok');
    expect(await settled(ok)).toMatchObject({ status: 'successful' });
    expect((await http().get(`/jobs/${ok}/results`)).body).toEqual({ done: true });
  });
});

describe('issue 13: consistent answers for every job state', () => {
  interface Answer {
    status: number;
    type?: string;
  }
  const answers = async (jobId: string): Promise<Record<string, Answer>> => {
    const of = (r: request.Response): Answer => ({
      status: r.status,
      ...(r.status >= 400 ? { type: r.body.type as string } : {}),
    });
    return {
      status: of(await http().get(`/jobs/${jobId}`)),
      inputs: of(await http().get(`/jobs/${jobId}/inputs`)),
      results: of(await http().get(`/jobs/${jobId}/results`)),
    };
  };
  const exists = { status: { status: 200 }, inputs: { status: 200 } };

  it('answers each of status, inputs and results as documented for queued, running, cancelling, successful, failed and dismissed jobs', async () => {
    const runningId = await execute('held', { key: 'running' });
    await running(runningId);
    const queuedId = await execute('ok', {}, { dependsOn: [runningId] });
    const heldId = await execute('ok', {}, { dependsOn: [runningId] });
    expect((await http().post(`/jobs/${heldId}/hold`)).status).toBe(200);
    const successfulId = await execute('ok');
    const failedId = await execute('bad');
    const dismissedId = await execute('held', { key: 'dismissed' });
    await running(dismissedId);
    expect((await http().delete(`/jobs/${dismissedId}`)).body.status).toBe('dismissed');
    await settled(successfulId);
    await settled(failedId);

    for (const id of [queuedId, heldId]) {
      expect(await answers(id)).toEqual({
        ...exists,
        results: { status: 404, type: `${OGC}/result-not-ready` },
      });
    }
    const notReady = await http().get(`/jobs/${heldId}/results`);
    expect(notReady.body.detail).toBe(
      `Job ${heldId} is accepted (held); its results are not ready yet`,
    );
    expect(await answers(runningId)).toEqual({
      ...exists,
      results: { status: 404, type: `${OGC}/result-not-ready` },
    });
    expect(await answers(successfulId)).toEqual({ ...exists, results: { status: 200 } });
    expect(await answers(failedId)).toEqual({
      ...exists,
      results: { status: 500, type: 'urn:relief:job-problem:failed' },
    });
    expect(await answers(dismissedId)).toEqual({
      ...exists,
      results: { status: 410, type: 'urn:relief:job-problem:dismissed' },
    });

    // The results answer of a job that ended without results is the error its document shows.
    for (const id of [failedId, dismissedId]) {
      const document = (await http().get(`/jobs/${id}`)).body;
      const results = (await http().get(`/jobs/${id}/results`)).body;
      expect(results).toMatchObject({ ...document.error, jobID: id, locator: 'jobId' });
      expect((await http().get(`/jobs/${id}/inputs`)).body).toMatchObject({
        processID: document.processID,
      });
    }
    expect((await http().get(`/jobs/${failedId}/results`)).body).toMatchObject({
      code: 'job-results-failed',
      detail: '1 of 2 tiles failed',
      items: [{ item: 'N46E007', detail: 'HTTP 503' }],
    });
    expect((await http().get(`/jobs/${dismissedId}/results`)).body).toMatchObject({
      status: 410,
      code: 'job-dismissed',
      title: 'The job was dismissed',
      detail: 'Dismissed by request',
    });

    // Release the running one: it and the queued one after it succeed; the held one waits.
    await http().post(`/${PLUGIN_NAME}/release/running`);
    expect(await settled(runningId)).toMatchObject({ status: 'successful' });
    expect(await settled(queuedId)).toMatchObject({ status: 'successful' });
    expect((await http().get(`/jobs/${runningId}/results`)).body).toEqual({ done: true });
    expect((await http().delete(`/jobs/${heldId}`)).body).toMatchObject({ status: 'dismissed' });
  });

  it('answers a job being cancelled as running: DELETE 202, results not ready (it will have none), then 410 once it stopped', async () => {
    const jobId = await execute('stubborn', { key: 'cancelling' });
    await running(jobId);
    const cancelling = await http().delete(`/jobs/${jobId}?wait=0`);
    expect(cancelling.status).toBe(202);
    expect(cancelling.body).toMatchObject({ status: 'running', cancelling: true });
    expect((await http().get(`/jobs/${jobId}`)).body).toMatchObject({
      status: 'running',
      cancelling: true,
    });
    expect((await http().get(`/jobs/${jobId}/inputs`)).body).toEqual({
      processID: 'stubborn',
      inputs: { key: 'cancelling' },
    });
    const results = await http().get(`/jobs/${jobId}/results`);
    expect(results.status).toBe(404);
    expect(results.body).toMatchObject({
      type: `${OGC}/result-not-ready`,
      detail: `Job ${jobId} is being cancelled; it will end dismissed, without results`,
    });
    // A second DELETE while it is still stopping answers the same.
    expect((await http().delete(`/jobs/${jobId}?wait=0`)).status).toBe(202);
    // Its run() returns (with a result nobody wants now): dismissed, results gone.
    await http().post(`/${PLUGIN_NAME}/release/cancelling`);
    expect(await settled(jobId)).toMatchObject({ status: 'dismissed' });
    const gone = await http().get(`/jobs/${jobId}/results`);
    expect(gone.status).toBe(410);
    expect(gone.body.type).toBe('urn:relief:job-problem:dismissed');
  });

  it('removes finished jobs on DELETE (dismissed, with only the links that still lead somewhere), after which every route says no-such-job', async () => {
    const successful = await execute('ok');
    const failed = await execute('bad');
    const dismissed = await execute('held', { key: 'to-remove' });
    await running(dismissed);
    await http().delete(`/jobs/${dismissed}`);
    for (const id of [successful, failed, dismissed]) await settled(id);

    for (const id of [successful, failed, dismissed]) {
      const removed = await http().delete(`/jobs/${id}`);
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({
        jobID: id,
        status: 'dismissed',
        message: 'Job and its results removed',
        error: {
          type: 'urn:relief:job-problem:dismissed',
          title: 'The job was dismissed',
          detail: 'Job and its results removed',
        },
      });
      expect(removed.body.links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'process']);
      expect(await answers(id)).toEqual({
        status: { status: 404, type: `${OGC}/no-such-job` },
        inputs: { status: 404, type: `${OGC}/no-such-job` },
        results: { status: 404, type: `${OGC}/no-such-job` },
      });
      const again = await http().delete(`/jobs/${id}`);
      expect(again.status).toBe(404);
      expect(again.body.type).toBe(`${OGC}/no-such-job`);
    }
  });

  it('answers an unknown job, and one expired after the retention, with no-such-job on every route', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const noSuchJob = { status: 404, type: `${OGC}/no-such-job` };
    expect(await answers(unknown)).toEqual({
      status: noSuchJob,
      inputs: noSuchJob,
      results: noSuchJob,
    });
    expect((await http().delete(`/jobs/${unknown}`)).body.type).toBe(`${OGC}/no-such-job`);

    const expired = await execute('ok');
    await settled(expired);
    // Past the retention (default 7 days): the sweep removes it with its files.
    expect(await server.tasks.expire(Date.now() + 8 * 86_400_000)).toBeGreaterThan(0);
    expect(await answers(expired)).toEqual({
      status: noSuchJob,
      inputs: noSuchJob,
      results: noSuchJob,
    });
    const deleted = await http().delete(`/jobs/${expired}`);
    expect(deleted.status).toBe(404);
    expect(deleted.body.type).toBe(`${OGC}/no-such-job`);
  });
});
