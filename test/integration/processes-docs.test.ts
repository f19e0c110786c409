/**
 * docs/processes.md against the OpenAPI document at /api (issue 15): every job and operator
 * route the server publishes is documented with its method, every one the guide shows exists,
 * and the job document fields, event types and problem types it lists are the ones served.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let server: TestServer;
let guide: string;
let api: { paths: Record<string, Record<string, unknown>> };

beforeAll(async () => {
  server = await startTestServer({ env: { RELIEF_ADMIN_TOKEN: 'documented-token-0123' } });
  guide = await readFile(join(ROOT, 'docs', 'processes.md'), 'utf8');
  api = (await request(server.app.server).get('/api')).body;
});

afterAll(async () => {
  await server.close();
});

/** `METHOD /path` of every curl line in the guide, with {placeholders} as OpenAPI writes them. */
function documentedRoutes(): Set<string> {
  const routes = new Set<string>();
  for (const line of guide.split('\n')) {
    const curl = /^curl\b(.*)$/.exec(line.trim());
    if (curl === null) continue;
    const method = /-X (GET|POST|PUT|DELETE)\b/.exec(curl[1]!)?.[1] ?? 'GET';
    const url = /https?:\/\/localhost:8080(\/[^\s'"?]*)/.exec(curl[1]!)?.[1];
    if (url === undefined) continue;
    // The guide's examples name real groups and jobs; the API document names parameters.
    const path = url
      .replace(/\/jobs\/\{jobId\}/, '/jobs/{jobId}')
      .replace(/\/admin\/groups\/[^/]+$/, '/admin/groups/{group}')
      .replace(/\/processes\/[a-z-]+/, '/processes/{processId}');
    routes.add(`${method} ${path}`);
  }
  return routes;
}

function publishedRoutes(prefixes: string[]): Set<string> {
  const routes = new Set<string>();
  for (const [path, methods] of Object.entries(api.paths)) {
    if (!prefixes.some((p) => path === p || path.startsWith(`${p}/`))) continue;
    for (const method of Object.keys(methods)) {
      if (['get', 'post', 'put', 'delete'].includes(method)) {
        routes.add(`${method.toUpperCase()} ${path}`);
      }
    }
  }
  return routes;
}

describe('docs/processes.md', () => {
  it('documents every job and operator route of /api, and shows none that does not exist', () => {
    const documented = documentedRoutes();
    const published = publishedRoutes(['/jobs', '/admin', '/processes']);
    expect(published.size).toBeGreaterThan(10);
    expect(published).toContain('POST /jobs/{jobId}/hold');
    expect(published).toContain('PUT /admin/queue/concurrency');
    expect([...published].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !published.has(r))).toEqual([]);
  });

  it('lists the event types /jobs/events accepts and the job document fields served', () => {
    const parameters = (
      api.paths['/jobs/events']?.get as {
        parameters: { name: string; schema: { items: { enum: string[] } } }[];
      }
    ).parameters;
    const types = parameters.find((p) => p.name === 'type')!.schema.items.enum;
    expect(types.length).toBeGreaterThanOrEqual(9);
    for (const type of types) expect(guide).toContain(type);
    for (const field of [
      'progress',
      'held',
      'cancelling',
      'priority',
      'group',
      'dependsOn',
      'dependants',
      'error',
      'links',
    ]) {
      // A row of the job document table names it in code.
      expect(guide).toMatch(new RegExp(`^\\|[^\\n]*\`${field}\``, 'm'));
    }
    for (const kind of [
      'failed',
      'internal-error',
      'invalid-result',
      'storage-full',
      'storage-read-only',
      'interrupted',
      'process-unavailable',
      'dismissed',
      'abandoned',
      'upstream-ended',
    ]) {
      expect(guide).toContain(`\`${kind}\``);
    }
  });

  it('issue 13: tabulates the answer of every job route for every job state', () => {
    const table = guide.slice(guide.indexOf('**Answers by job state.**'));
    const header = table.split('\n').find((line) => line.startsWith('| job '));
    for (const route of [
      'GET /jobs/{jobId}',
      'GET /jobs/{jobId}/inputs',
      'GET /jobs/{jobId}/results',
      'DELETE /jobs/{jobId}',
    ]) {
      expect(header).toContain(`\`${route}\``);
      const [method, path] = route.split(' ');
      expect(api.paths[path!]).toHaveProperty(method!.toLowerCase());
    }
    const rows = table.split('\n').filter((line) => line.startsWith('| '));
    for (const state of ['unknown id', '`accepted`', '`running`', '`successful`', '`failed`']) {
      expect(rows.some((row) => row.startsWith(`| ${state}`))).toBe(true);
    }
    expect(rows.some((row) => row.startsWith('| `dismissed`') && row.includes('410'))).toBe(true);
  });
});
