/**
 * A tile source URL with credentials (`user:password@`, a token, a signature) is used, and never
 * shown: not in any log line, not in a job document, whether the upstream answers or fails.
 */
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from 'relief/testing';
import { FakeTileUpstream } from 'relief/testing';

const PLUGINS = fileURLToPath(new URL('../../', import.meta.url));
const USER = 'tileuser';
const PASSWORD = 'S3cr3t-Pass';
const TOKEN = 'T0k3n-Secret';
const SIGNATURE = 'Sig-Secret-123';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const SECRETS = [USER, PASSWORD, TOKEN, SIGNATURE, BASIC];

let upstream: FakeTileUpstream;
let server: TestServer;
const http = () => request(server.app.server);

const square = (west: number, south: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [west, south],
      [west + 1, south],
      [west + 1, south + 1],
      [west, south + 1],
      [west, south],
    ],
  ],
});

beforeAll(async () => {
  upstream = await FakeTileUpstream.start({ samples: 1201 });
  const source = upstream
    .url()
    .replace('//', `//${USER}:${PASSWORD}@`)
    .concat(`?token=${TOKEN}&X-Amz-Date=20240101T000000Z&X-Amz-Signature=${SIGNATURE}`);
  server = await startTestServer({
    pluginsPath: [PLUGINS],
    env: {
      RELIEF_ELEVATION_SOURCE: source,
      RELIEF_ELEVATION_ATTEMPTS: '2',
      RELIEF_ELEVATION_RETRY_BASE_MS: '5',
      RELIEF_ELEVATION_RETRY_MAX_MS: '20',
      RELIEF_WORKERS: '1',
    },
  });
});

afterAll(async () => {
  await server?.close();
  await upstream?.close();
});

/** Runs a job to its end; returns every document a client can read about it, as text. */
async function runJob(west: number, south: number): Promise<{ status: string; text: string }> {
  const created = await http().post('/elevation').send(square(west, south));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.jobID as string;
  const job = await http().get(`/jobs/${id}?wait=30`);
  const results = await http().get(`/jobs/${id}/results`);
  const list = await http().get('/jobs');
  return {
    status: job.body.status as string,
    text: [created.text, job.text, results.text, list.text].join('\n'),
  };
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('a tile source with credentials', () => {
  it('sends them upstream: user:password as Basic authorization, the query as written', async () => {
    const { status, text } = await runJob(7, 46);
    expect(status).toBe('successful');
    const [sent] = upstream.requests;
    expect(sent?.authorization).toBe(`Basic ${BASIC}`);
    expect(sent?.query).toBe(
      `token=${TOKEN}&X-Amz-Date=20240101T000000Z&X-Amz-Signature=${SIGNATURE}`,
    );
    expectNoSecret(text);
  });

  it('keeps them out of the job documents and the log when the upstream fails', async () => {
    upstream.fault('N10E010', { status: 503 });
    const { status, text } = await runJob(10, 10);
    expect(status).toBe('failed');
    // The failure is explained (the test would pass vacuously on an empty message)…
    expect(text).toContain('No tile could be fetched: N10E010 (');
    expect(upstream.count('N10E010')).toBe(2);
    expectNoSecret(text);
    // …and so is each retry in the log.
    expect(server.logs.some((l) => l.msg === 'tile download failed; retrying')).toBe(true);
    expect(server.logs.some((l) => l.msg === 'tile download failed')).toBe(true);
  });

  it('logs the source redacted, readable otherwise, and no secret anywhere in the log', () => {
    const ready = server.logs.find((l) => l.msg === 'elevation plugin ready');
    expect(ready?.source).toBe(
      `http://***:***@127.0.0.1:${upstream.port}/{dir}/{name}.hgt.gz?token=***&X-Amz-Date=20240101T000000Z&X-Amz-Signature=***`,
    );
    expect(server.logText.length).toBeGreaterThan(10);
    for (const line of server.logText) expectNoSecret(line);
  });
});
