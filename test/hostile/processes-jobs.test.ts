/**
 * Hostile requests to OGC API – Processes: /processes, execution, /jobs with every query
 * parameter out of range (limit=Infinity, offset ≥ 2^63, wait=Infinity, …), malformed job ids,
 * the status, events, results and dismissal of jobs, and execution bodies that are not JSON,
 * nest 4 000 deep or break the schema. Each is refused with a problem+json 4xx.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { MAX_TILES, startHostileServer, type HostileServer } from './hostile-server.ts';
import { BAD_NUMBERS } from './hostile-values.ts';
import { caseVariables, hostileTable, rest, send, type HostileCase } from './hostile-table.ts';
import {
  BOWTIE,
  DEEP,
  HOLE_OUTSIDE,
  nestedArrays,
  nestedObjects,
  polygonWith,
  square,
} from './json-bodies.ts';

let target: HostileServer;
const running: string[] = [];

async function submit(body: object): Promise<string> {
  const answer = await send(target, {
    method: 'POST',
    url: '/processes/elevation-tiles/execution',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(answer.status, answer.text).toBe(201);
  return (JSON.parse(answer.text) as { jobID: string }).jobID;
}

beforeAll(async () => {
  target = await startHostileServer();
  const done = await submit({ inputs: { geometry: square(7.1, 46.1, 7.2, 46.2) } });
  expect((await send(target, { url: `/jobs/${done}?wait=30` })).text).toContain('successful');
  caseVariables.set('done', done);
  // A tile that trickles keeps this job running until it is dismissed.
  target.upstream.fault('N10E010', { slowBytesPerSecond: 10 });
  const slow = await submit({ inputs: { geometry: square(10.1, 10.1, 10.2, 10.2) } });
  running.push(slow);
  caseVariables.set('running', slow);
});
afterAll(async () => {
  for (const id of running) await send(target, { method: 'DELETE', url: `/jobs/${id}` });
  await target?.close();
});
const server = () => target;

const UNKNOWN_JOB = '00000000-0000-4000-8000-000000000000';
const JSON_TYPE = { 'content-type': 'application/json' };

const execute = (name: string, body: string, expected: { status?: number } = {}): HostileCase =>
  rest(
    `execution refuses ${name}`,
    { method: 'POST', url: '/processes/elevation-tiles/execution', headers: JSON_TYPE, body },
    expected,
  );
const withGeometry = (geometry: unknown) => JSON.stringify({ inputs: { geometry } });

const jobsListCases: HostileCase[] = [
  ...[
    ...BAD_NUMBERS,
    { label: '0', value: '0' },
    { label: '-1', value: '-1' },
    { label: '1001', value: '1001' },
    { label: '1.5', value: '1.5' },
  ].map((bad) =>
    rest(`/jobs refuses limit=${bad.label}`, { url: `/jobs?limit=${bad.value}` }, { status: 400 }),
  ),
  ...[
    ...BAD_NUMBERS,
    { label: '-1', value: '-1' },
    { label: '1e300', value: '1e300' },
    { label: '2^63', value: '9223372036854775808' },
    { label: '2^53 + 1', value: '9007199254740993' },
    { label: '1.5', value: '1.5' },
  ].map((bad) =>
    rest(
      `/jobs refuses offset=${bad.label}`,
      { url: `/jobs?offset=${bad.value}` },
      { status: 400 },
    ),
  ),
  rest('/jobs refuses an unknown status', { url: '/jobs?status=bogus' }, { status: 400 }),
  rest(
    '/jobs refuses a status list with an unknown one',
    { url: '/jobs?status=running,bogus' },
    { status: 400 },
  ),
  rest(
    '/jobs refuses a status with a NUL byte',
    { url: '/jobs?status=running%00' },
    { status: 400 },
  ),
  rest('/jobs refuses an empty status', { url: '/jobs?status=' }, { status: 400 }),
  rest(
    '/jobs refuses a processID with path traversal',
    { url: '/jobs?processID=..%2F..%2Fetc' },
    { status: 400 },
  ),
  rest(
    '/jobs refuses a processID of 700 characters',
    { url: `/jobs?processID=${'a'.repeat(700)}` },
    { status: 400 },
  ),
  rest(
    '/jobs refuses a processID with U+FFFF',
    { url: '/jobs?processID=%EF%BF%BF' },
    { status: 400 },
  ),
];

const jobCases: HostileCase[] = [
  rest('/jobs/{id} refuses an id that is not a UUID', { url: '/jobs/not-a-uuid' }),
  rest('/jobs/{id} refuses an upper-case UUID', {
    url: `/jobs/${UNKNOWN_JOB.toUpperCase().replace('0000-4', 'ABCD-4')}`,
  }),
  rest('/jobs/{id} refuses a UUID with a NUL byte', { url: `/jobs/${UNKNOWN_JOB}%00` }),
  rest('/jobs/{id} refuses an id of 10 000 characters', { url: `/jobs/${'f'.repeat(10_000)}` }),
  rest('/jobs/{id} refuses an encoded path traversal', { url: '/jobs/..%2F..%2Frelief.db' }),
  rest('/jobs/{id} refuses a path traversal', { url: '/jobs/../../relief.db', socket: true }),
  rest(
    '/jobs/{id} answers an unknown job with 404',
    { url: `/jobs/${UNKNOWN_JOB}` },
    { status: 404 },
  ),
  ...[
    ...BAD_NUMBERS.filter((bad) => bad.label !== 'empty'),
    { label: '-1', value: '-1' },
    { label: '61 (over the 60 s maximum)', value: '61' },
    { label: '1e300', value: '1e300' },
  ].map((bad) =>
    rest(
      `/jobs/{id} refuses wait=${bad.label}`,
      { url: `/jobs/{running}?wait=${bad.value}` },
      { status: 400 },
    ),
  ),
  rest(
    '/jobs/{id} refuses wait given twice',
    { url: '/jobs/{running}?wait=1&wait=Infinity' },
    { status: 400 },
  ),
  rest(
    '/jobs/{id}/events refuses an id that is not a UUID',
    { url: '/jobs/nope/events' },
    { status: 400 },
  ),
  rest(
    '/jobs/{id}/events answers an unknown job with 404',
    { url: `/jobs/${UNKNOWN_JOB}/events` },
    { status: 404 },
  ),
  rest('/jobs/{id}/results refuses an id that is not a UUID', { url: '/jobs/%00/results' }),
  rest(
    '/jobs/{id}/results answers an unknown job with 404',
    { url: `/jobs/${UNKNOWN_JOB}/results` },
    { status: 404 },
  ),
  rest(
    '/jobs/{id}/results answers a running job with 404 (result not ready)',
    { url: '/jobs/{running}/results' },
    { status: 404 },
  ),
  rest('DELETE /jobs/{id} refuses an id that is not a UUID', { method: 'DELETE', url: '/jobs/*' }),
  rest(
    'DELETE /jobs/{id} answers an unknown job with 404',
    { method: 'DELETE', url: `/jobs/${UNKNOWN_JOB}` },
    { status: 404 },
  ),
  rest(
    'DELETE /jobs refuses to dismiss every job',
    { method: 'DELETE', url: '/jobs' },
    { status: 405, allow: true },
  ),
];

const processCases: HostileCase[] = [
  rest(
    '/processes/{id} answers an unknown process with 404',
    { url: '/processes/nope' },
    { status: 404 },
  ),
  rest('/processes/{id} refuses an upper-case id', { url: '/processes/ELEVATION-TILES' }),
  rest('/processes/{id} refuses an encoded path traversal', {
    url: '/processes/..%2F..%2Fetc%2Fpasswd',
  }),
  rest('/processes/{id} refuses a NUL byte', { url: '/processes/elevation-tiles%00' }),
  rest('/processes/{id} refuses an id of 1 000 characters', {
    url: `/processes/${'a'.repeat(1000)}`,
  }),
  rest(
    'execution of an unknown process answers 404',
    { method: 'POST', url: '/processes/nope/execution', headers: JSON_TYPE, body: '{}' },
    { status: 404 },
  ),
  execute('a body that is not JSON', 'inputs=1', { status: 400 }),
  execute('truncated JSON', '{"inputs":{"geometry":', { status: 400 }),
  execute('a JSON array', '[1,2,3]', { status: 400 }),
  execute('a JSON string', '"run"', { status: 400 }),
  execute('JSON null', 'null', { status: 400 }),
  execute('inputs that are a number', '{"inputs":5}', { status: 400 }),
  execute('no geometry', '{"inputs":{}}', { status: 400 }),
  execute('a geometry that is a string', withGeometry('POLYGON((7 46,8 46,8 47,7 46))'), {
    status: 400,
  }),
  execute(
    'a priority that is a word',
    `{"priority":"high",${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`,
    { status: 400 },
  ),
  execute(
    'a priority of 1e400',
    `{"priority":1e400,${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`,
    { status: 400 },
  ),
  execute(
    'a priority of 1001',
    `{"priority":1001,${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`,
    { status: 400 },
  ),
  execute(
    'a priority of 1.5',
    `{"priority":1.5,${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`,
    { status: 400 },
  ),
  execute('an empty group', `{"group":"",${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`, {
    status: 400,
  }),
  execute(
    'a group of 101 characters',
    `{"group":"${'g'.repeat(101)}",${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`,
    { status: 400 },
  ),
  execute(
    'dependsOn with 101 jobs',
    `{"dependsOn":${JSON.stringify(Array.from({ length: 101 }, () => UNKNOWN_JOB))},${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`,
    { status: 400 },
  ),
  execute(
    'dependsOn an unknown job',
    `{"dependsOn":["${UNKNOWN_JOB}"],${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`,
  ),
  execute(
    'dependsOn ids of 10 000 characters',
    `{"dependsOn":["${'f'.repeat(10_000)}"],${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`,
    { status: 400 },
  ),
  execute(
    'an unknown response mode',
    `{"response":"evil",${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`,
    { status: 400 },
  ),
  execute('a self-intersecting (bowtie) polygon', withGeometry(BOWTIE), { status: 400 }),
  execute('a hole outside its shell', withGeometry(HOLE_OUTSIDE), { status: 400 }),
  execute(`an area over ${MAX_TILES} tiles`, withGeometry(square(0.5, 0.5, 10.5, 10.5)), {
    status: 400,
  }),
  execute('a latitude of 91', withGeometry(square(7, 90, 8, 91)), { status: 400 }),
  execute('a longitude of 1e400', withGeometry(square(7, 46, 8, 47)).replace('8,46', '1e400,46'), {
    status: 400,
  }),
  execute(
    'an unknown crs',
    JSON.stringify({ inputs: { geometry: square(7, 46, 7.1, 46.1), crs: 'EPSG:999999' } }),
    { status: 400 },
  ),
  execute(
    'a crs with path traversal',
    JSON.stringify({ inputs: { geometry: square(7, 46, 7.1, 46.1), crs: '../../etc/passwd' } }),
    { status: 400 },
  ),
  execute(
    `coordinates nested ${DEEP} deep`,
    `{"inputs":{"geometry":{"type":"Polygon","coordinates":${nestedArrays(DEEP)}}}}`,
    { status: 400 },
  ),
  execute(
    `properties nested ${DEEP} deep`,
    `{"inputs":{"geometry":{"type":"Feature","properties":${nestedObjects(DEEP)},"geometry":${JSON.stringify(square(7, 46, 7.1, 46.1))}}}}`,
    { status: 400 },
  ),
  execute(
    `a bbox nested ${DEEP} deep`,
    `{"inputs":{"geometry":${polygonWith(`"bbox":${nestedArrays(DEEP)}`)}}}`,
    { status: 400 },
  ),
  execute(
    `an unknown input nested ${DEEP} deep`,
    `{"inputs":{"geometry":${JSON.stringify(square(7, 46, 7.1, 46.1))},"extra":${nestedObjects(DEEP)}}}`,
    { status: 400 },
  ),
  execute(
    'a __proto__ member',
    `{"__proto__":{"polluted":true},${withGeometry(square(7, 46, 7.1, 46.1)).slice(1)}`,
    { status: 400 },
  ),
  rest(
    'execution refuses Prefer: wait=Infinity with a bowtie polygon',
    {
      method: 'POST',
      url: '/processes/elevation-tiles/execution',
      headers: { ...JSON_TYPE, prefer: 'wait=Infinity' },
      body: withGeometry(BOWTIE),
    },
    { status: 400 },
  ),
];

// Issue 15: the listing filters, the all-jobs event stream, hold/unhold, inputs and the operator
// routes (RELIEF_ADMIN_TOKEN is unset here: they refuse everything).
const jobControlCases: HostileCase[] = [
  rest(
    '/jobs refuses a group given 101 times',
    { url: `/jobs?${Array.from({ length: 101 }, (_, i) => `group=g${i}`).join('&')}` },
    { status: 400 },
  ),
  rest(
    '/jobs refuses a group of 101 characters',
    { url: `/jobs?group=${'g'.repeat(101)}` },
    { status: 400 },
  ),
  rest('/jobs refuses an empty group', { url: '/jobs?group=' }, { status: 400 }),
  ...['1001', '-1001', '1e3', '0x10', '99999', '1.5', ''].map((bad) =>
    rest(
      `/jobs refuses minPriority=${bad || 'empty'}`,
      { url: `/jobs?minPriority=${bad}` },
      { status: 400 },
    ),
  ),
  rest(
    '/jobs refuses maxPriority given twice',
    { url: '/jobs?maxPriority=1&maxPriority=2' },
    { status: 400 },
  ),
  ...[
    '9999-99-99T99:99:99Z',
    '2026-12-06',
    `2026-12-06T10:00:00.${'9'.repeat(100)}Z`,
    'now',
    '%00',
  ].map((bad) =>
    rest(
      `/jobs refuses createdAfter=${bad.slice(0, 30)}`,
      { url: `/jobs?createdAfter=${bad}` },
      { status: 400 },
    ),
  ),
  rest('/jobs refuses sortBy=__proto__', { url: '/jobs?sortBy=__proto__' }, { status: 400 }),
  rest(
    '/jobs refuses a sortBy with SQL in it',
    { url: '/jobs?sortBy=created%3B%20DROP%20TABLE%20jobs' },
    { status: 400 },
  ),
  rest(
    '/jobs refuses 200 unknown parameters, naming some',
    { url: `/jobs?${Array.from({ length: 200 }, (_, i) => `p${i}=1`).join('&')}` },
    { status: 400 },
  ),
  rest(
    '/jobs/events refuses an unknown event type',
    { url: '/jobs/events?type=job.exploded' },
    { status: 400 },
  ),
  rest(
    '/jobs/events refuses a group given 101 times',
    { url: `/jobs/events?${Array.from({ length: 101 }, () => 'group=g').join('&')}` },
    { status: 400 },
  ),
  rest(
    '/jobs/events refuses an unknown parameter',
    { url: '/jobs/events?since=0' },
    { status: 400 },
  ),
  rest(
    'POST /jobs/{id}/hold refuses a running job with 409',
    { method: 'POST', url: '/jobs/{running}/hold' },
    { status: 409 },
  ),
  rest(
    'POST /jobs/{id}/unhold refuses a finished job with 409',
    { method: 'POST', url: '/jobs/{done}/unhold' },
    { status: 409 },
  ),
  rest(
    'POST /jobs/{id}/hold answers an unknown job with 404',
    { method: 'POST', url: `/jobs/${UNKNOWN_JOB}/hold` },
    { status: 404 },
  ),
  rest(
    'POST /jobs/{id}/hold refuses an id that is not a UUID',
    { method: 'POST', url: '/jobs/not-a-uuid/hold' },
    { status: 400 },
  ),
  rest(
    '/jobs/{id}/inputs answers an unknown job with 404',
    { url: `/jobs/${UNKNOWN_JOB}/inputs` },
    { status: 404 },
  ),
  ...['Infinity', '-1', '61', '1e300'].map((bad) =>
    rest(
      `DELETE /jobs/{id} refuses wait=${bad}`,
      { method: 'DELETE', url: `/jobs/${UNKNOWN_JOB}?wait=${bad}` },
      { status: 400 },
    ),
  ),
  rest(
    '/admin/queue is refused while RELIEF_ADMIN_TOKEN is unset',
    { url: '/admin/queue' },
    { status: 403 },
  ),
  rest(
    '/admin/queue/pause refuses a 7 KB bearer token without the setting',
    {
      method: 'POST',
      url: '/admin/queue/pause',
      headers: { authorization: `Bearer ${'x'.repeat(7000)}` },
    },
    { status: 403 },
  ),
  rest(
    'DELETE /admin/queue/jobs is refused while RELIEF_ADMIN_TOKEN is unset',
    { method: 'DELETE', url: '/admin/queue/jobs' },
    { status: 403 },
  ),
];

hostileTable('/jobs listing', jobsListCases, server);
hostileTable('job control', jobControlCases, server);
hostileTable('/jobs/{id} and its routes', jobCases, server);
hostileTable('/processes and execution', processCases, server);
