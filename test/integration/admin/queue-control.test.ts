/**
 * Issue 15 item 5: operators steer the job queue over HTTP (/admin, behind RELIEF_ADMIN_TOKEN):
 * pause, resume, drain, concurrency, dismiss a group or everything.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestServer, type TestServer } from '../../../src/testing/test-server.ts';

const TOKEN = 'operator-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

let server: TestServer;
let off: TestServer;
const http = () => request(server.app.server);

/** Gates the `hold` task: each job runs until its name is released (or it is cancelled). */
const released = new Set<string>();
const waiters = new Map<string, () => void>();
function release(name: string): void {
  released.add(name);
  waiters.get(name)?.();
}

beforeAll(async () => {
  server = await startTestServer({
    env: { RELIEF_ADMIN_TOKEN: TOKEN, RELIEF_MAX_CONCURRENT_TASKS: '2' },
    setup: ({ tasks }) => {
      tasks.registerType({
        id: 'hold',
        title: 'Hold',
        version: '1.0.0',
        inputSchema: z.object({ name: z.string() }),
        inputs: { name: { title: 'Name', schema: { type: 'string' } } },
        outputs: { name: { title: 'Name', schema: { type: 'string' } } },
        resumable: false,
        run: async ({ name }, ctx) => {
          if (!released.has(name)) {
            await new Promise<void>((resolve, reject) => {
              waiters.set(name, resolve);
              ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), {
                once: true,
              });
            });
          }
          return { name };
        },
      });
    },
  });
  off = await startTestServer();
});

afterAll(async () => {
  for (const name of waiters.keys()) release(name);
  await server?.close();
  await off?.close();
});

const submit = async (name: string, group?: string) => {
  const answer = await http()
    .post('/processes/hold/execution')
    .send({ inputs: { name }, ...(group === undefined ? {} : { group }) });
  expect(answer.status).toBe(201);
  return answer.body.jobID as string;
};
const statusOf = async (id: string) => (await http().get(`/jobs/${id}`)).body.status as string;
const queue = async () => (await http().get('/admin/queue').set(auth)).body;

describe('issue 15 item 5: queue control for operators', () => {
  it('is refused without the setting (403) and without the token (401), naming what is needed', async () => {
    const disabled = await request(off.app.server).get('/admin/queue').set(auth);
    expect(disabled.status).toBe(403);
    expect(disabled.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(disabled.body.detail).toContain('RELIEF_ADMIN_TOKEN');
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: TOKEN },
    ]) {
      const answer = await http().post('/admin/queue/pause').set(headers);
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    // Nothing was paused by the refused requests.
    expect(await queue()).toMatchObject({ state: 'running', paused: false, maxConcurrent: 2 });
  });

  it('pauses (new jobs wait), resumes, changes the concurrency and drains', async () => {
    const paused = await http().post('/admin/queue/pause').set(auth);
    expect(paused.body).toMatchObject({ state: 'paused', paused: true });
    const a = await submit('a');
    const b = await submit('b');
    const c = await submit('c');
    expect([await statusOf(a), await statusOf(b), await statusOf(c)]).toEqual([
      'accepted',
      'accepted',
      'accepted',
    ]);
    expect(await queue()).toMatchObject({ queued: 3, running: 0 });

    // One at a time from now on.
    const one = await http().put('/admin/queue/concurrency').set(auth).send({ maxConcurrent: 1 });
    expect(one.body).toMatchObject({ maxConcurrent: 1 });
    for (const bad of [{ maxConcurrent: 0 }, { maxConcurrent: 1.5 }, { maxConcurrent: 5000 }, {}]) {
      expect((await http().put('/admin/queue/concurrency').set(auth).send(bad)).status).toBe(400);
    }
    expect((await http().post('/admin/queue/resume').set(auth)).body.state).toBe('running');
    await expect.poll(() => statusOf(a)).toBe('running');
    expect(await statusOf(b)).toBe('accepted');

    // Drain: paused at once; 202 while a still runs, 200 once it has ended.
    const busy = await http().post('/admin/queue/drain?wait=0.2').set(auth);
    expect(busy.status).toBe(202);
    expect(busy.body).toMatchObject({ state: 'draining', running: 1, queued: 2 });
    const drained = http().post('/admin/queue/drain?wait=30').set(auth);
    setTimeout(() => release('a'), 100);
    const done = await drained;
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'paused', running: 0, queued: 2 });
    expect(await statusOf(a)).toBe('successful');
    expect(await statusOf(b)).toBe('accepted');

    // Back to two at a time: b and c start together.
    await http().put('/admin/queue/concurrency').set(auth).send({ maxConcurrent: 2 });
    await http().post('/admin/queue/resume').set(auth);
    await expect
      .poll(async () => [await statusOf(b), await statusOf(c)])
      .toEqual(['running', 'running']);
    release('b');
    release('c');
    await expect.poll(() => statusOf(c)).toBe('successful');
  });

  it('dismisses one group, queued and running, and then everything', async () => {
    const g1 = await submit('g1', 'survey');
    const other = await submit('other');
    const g2 = await submit('g2', 'survey');
    const last = await submit('last');
    await expect.poll(() => statusOf(other)).toBe('running');
    const group = await http().delete('/admin/groups/survey').set(auth);
    expect(group.status).toBe(200);
    expect(group.body).toMatchObject({ group: 'survey', dismissed: 2 });
    await expect.poll(() => statusOf(g1)).toBe('dismissed');
    expect(await statusOf(g2)).toBe('dismissed');
    // g1's slot went to the next job.
    await expect.poll(() => statusOf(last)).toBe('running');
    expect(await statusOf(other)).toBe('running');

    const all = await http().delete('/admin/queue/jobs').set(auth);
    expect(all.body.dismissed).toBe(2);
    await expect
      .poll(async () => [await statusOf(other), await statusOf(last)])
      .toEqual(['dismissed', 'dismissed']);
    expect(await queue()).toMatchObject({ queued: 0, running: 0, cancelling: 0 });
    expect((await http().delete('/admin/groups/nobody').set(auth)).body.dismissed).toBe(0);
  });

  it('is described in the OpenAPI document with its bearer scheme', async () => {
    const api = (await http().get('/api')).body;
    expect(api.components.securitySchemes.adminToken).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    for (const path of [
      '/admin/queue',
      '/admin/queue/drain',
      '/admin/queue/concurrency',
      '/admin/groups/{group}',
    ]) {
      expect(Object.keys(api.paths)).toContain(path);
    }
  });
});
