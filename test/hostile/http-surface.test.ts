/**
 * Hostile requests at the HTTP level, over real sockets where the framing matters: static-file
 * traversal in every spelling, malformed or hostile headers (Host, Content-Length,
 * Content-Type, sizes), wrong methods on every route (405 with Allow), `GET *`, bodies in
 * content codings the server does not speak, and the small REST routes (/health, /ready,
 * /plugins, /project, /api, /conformance, the landing page and the hello plugin's routes).
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll } from 'vitest';
import { startHostileServer, type HostileServer } from './hostile-server.ts';
import { hostileTable, rest, type HostileCase, type HostileRequest } from './hostile-table.ts';
import { square } from './json-bodies.ts';

let target: HostileServer;
beforeAll(async () => {
  target = await startHostileServer();
});
afterAll(async () => {
  await target?.close();
});
const server = () => target;

const JOB = '00000000-0000-4000-8000-000000000000';
const SMALL = JSON.stringify(square(7.1, 46.1, 7.2, 46.2));
/** A request written byte for byte, for framing no serialiser would produce. */
const raw = (bytes: string): HostileRequest => ({
  url: bytes.slice(0, bytes.indexOf(' HTTP/')),
  raw: bytes,
});
const socket = (url: string, extra: Partial<HostileRequest> = {}): HostileRequest => ({
  url,
  socket: true,
  ...extra,
});

const staticCases: HostileCase[] = [
  ['a dot-segment traversal', '/../package.json'],
  ['a deep dot-segment traversal', '/../../../../../../etc/passwd'],
  ['an encoded slash traversal', '/..%2fpackage.json'],
  ['encoded dot segments', '/%2e%2e/package.json'],
  ['fully encoded dot segments', '/%2e%2e%2fpackage.json'],
  ['upper-case encoded dot segments', '/%2E%2E/%2E%2E/etc/passwd'],
  ['double-encoded dot segments', '/%252e%252e/package.json'],
  ['overlong UTF-8 dots (%c0%ae)', '/%c0%ae%c0%ae/package.json'],
  ['an overlong UTF-8 slash (%c0%af)', '/..%c0%afpackage.json'],
  ['a backslash traversal', '/..\\package.json'],
  ['an encoded backslash traversal', '/..%5cpackage.json'],
  ['a traversal below a real folder', '/app/../../package.json'],
  ['a traversal after a file name', '/index.html/../../package.json'],
  ['a NUL byte after a file name', '/index.html%00.png'],
  ['a NUL byte alone', '/%00'],
  ['a dotfile', '/.env'],
  ['a .git folder', '/.git/config'],
  ['an absolute path in the path', '//etc/passwd'],
  ['a Windows drive path', '/C:%5cwindows%5cwin.ini'],
  ['a lone percent sign', '/%'],
  ['an invalid percent-escape', '/%zz'],
  ['invalid UTF-8', '/%ff%fe'],
  ['a lone surrogate in percent-encoding', '/%ed%a0%80'],
  ['a right-to-left override', '/%e2%80%aeexe.html'],
  ['a path of 8 000 characters', `/${'a'.repeat(8000)}`],
  ['a path of 2 000 segments', `/${'a/'.repeat(2000)}index.html`],
  ['a path of 1 000 dot segments', `/${'../'.repeat(1000)}etc/passwd`],
].map(([name, url]) => rest(`static files refuse ${name}`, socket(url as string)));

const hostHeaderCases: HostileCase[] = [
  ['with a path and query', 'evil.example/phish?'],
  ['with markup', 'evil.example"><script>x</script>'],
  ['with a space', 'evil example'],
  ['that is empty', ''],
  ['with a port out of range', 'localhost:99999'],
  ['with a negative port', 'localhost:-1'],
  ['with an unclosed IPv6 bracket', '[::1'],
  ['with user information', 'user@evil.example'],
  ['of 10 000 characters', `${'a'.repeat(10_000)}.example`],
  ['with a backslash', 'evil.example\\@localhost'],
].flatMap(([name, host]) =>
  [
    ['/processes', '/processes', false],
    ['the JSON landing page', '/?f=json', false],
    ['WMS capabilities', '/ows?SERVICE=WMS&REQUEST=GetCapabilities', true],
    ['WFS capabilities', '/ows?SERVICE=WFS&REQUEST=GetCapabilities', true],
  ].map(([where, url, ows]): HostileCase => ({
    name: `${where as string} never writes a Host ${name as string} into a URL`,
    request: socket(url as string, { headers: { Host: host as string } }),
    expect: { format: 'host-not-reflected', host: host as string, ows: ows as boolean },
  })),
);

for (const [url, body] of [
  ['/elevation', JSON.stringify(square(7.1, 46.1, 7.2, 46.2))],
  [
    '/processes/elevation-tiles/execution',
    JSON.stringify({ inputs: { geometry: square(7.1, 46.1, 7.2, 46.2) } }),
  ],
] as const) {
  hostHeaderCases.push({
    name: `POST ${url} never writes a Host with a path and query into its Location`,
    request: socket(url, {
      method: 'POST',
      headers: { Host: 'evil.example/phish?', 'Content-Type': 'application/json' },
      body,
    }),
    expect: { format: 'host-not-reflected', host: 'evil.example/phish?', ows: false },
  });
}

const framingCases: HostileCase[] = [
  rest(
    'refuses a request without Host',
    raw('GET /processes HTTP/1.1\r\nConnection: close\r\n\r\n'),
    { status: 400 },
  ),
  rest(
    'refuses two Host headers',
    raw(
      'GET /processes HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
    ),
    { status: 400 },
  ),
  rest(
    'refuses two different Content-Length headers',
    raw(
      `POST /elevation HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: ${SMALL.length}\r\nConnection: close\r\n\r\n${SMALL}`,
    ),
    { status: 400 },
  ),
  rest(
    'refuses Content-Length with Transfer-Encoding (request smuggling)',
    raw(
      `POST /elevation HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
    ),
    { status: 400 },
  ),
  ...['abc', '-1', '1e400', '0x10', '18446744073709551616'].map((length) =>
    rest(
      `refuses a Content-Length of ${length}`,
      raw(
        `POST /elevation HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n{}`,
      ),
    ),
  ),
  rest(
    'refuses a chunk size that is not hexadecimal',
    raw(
      'POST /elevation HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    ),
    { status: 400 },
  ),
  rest(
    'refuses a header of 64 KB',
    socket('/health', { headers: { 'X-Big': 'x'.repeat(64 * 1024) } }),
    { status: 431 },
  ),
  rest('refuses a URL of 100 KB', socket(`/processes?${'a'.repeat(100 * 1024)}`), {
    status: [414, 431],
  }),
  rest(
    'refuses a NUL byte in a header',
    raw('GET /health HTTP/1.1\r\nHost: localhost\r\nX-Evil: a\u0000b\r\nConnection: close\r\n\r\n'),
    { status: 400 },
  ),
  rest(
    'refuses a header name with a space',
    raw('GET /health HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\nConnection: close\r\n\r\n'),
    { status: 400 },
  ),
  rest(
    'refuses a header line without a colon',
    raw('GET /health HTTP/1.1\r\nHost: localhost\r\nNoColonHere\r\nConnection: close\r\n\r\n'),
    { status: 400 },
  ),
  rest(
    'refuses a bare LF inside a header value',
    raw('GET /health HTTP/1.1\r\nHost: localhost\r\nX-Evil: a\rb\r\nConnection: close\r\n\r\n'),
    { status: 400 },
  ),
  rest(
    'refuses an unknown method',
    raw('FOO / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
    { status: [400, 405, 501] },
  ),
  rest(
    'refuses a lower-case method',
    raw('get / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
    { status: 400 },
  ),
  rest('refuses an Expect it cannot meet', socket('/health', { headers: { Expect: 'evil' } }), {
    status: 417,
  }),
  rest(
    'refuses a Content-Type of 10 000 characters',
    socket('/elevation', {
      method: 'POST',
      headers: { 'Content-Type': `application/json; x=${'y'.repeat(10_000)}` },
      body: '{',
    }),
  ),
  rest(
    'refuses two media types in one Content-Type',
    socket('/elevation', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json, application/xml' },
      body: SMALL,
    }),
  ),
  rest(
    'refuses a Content-Type of only separators',
    socket('/elevation', { method: 'POST', headers: { 'Content-Type': ';;;' }, body: SMALL }),
    { status: 415 },
  ),
  rest(
    'refuses a body without a Content-Type',
    socket('/elevation', { method: 'POST', headers: { 'Content-Type': '' }, body: SMALL }),
    { status: 415 },
  ),
  rest(
    'refuses JSON declared as UTF-16 that is UTF-8',
    socket('/elevation', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-16' },
      body: SMALL,
    }),
  ),
  rest(
    'refuses JSON in UTF-7',
    socket('/elevation', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-7' },
      body: '+AHs-}',
    }),
  ),
  rest(
    'refuses a Content-Type with an unterminated quoted charset',
    socket('/elevation', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset="utf-8' },
      body: '{',
    }),
  ),
];

const ROUTES: Array<{ url: string; allowed: string[] }> = [
  { url: '/', allowed: ['GET'] },
  { url: '/health', allowed: ['GET'] },
  { url: '/ready', allowed: ['GET'] },
  { url: '/plugins', allowed: ['GET'] },
  { url: '/project', allowed: ['GET'] },
  { url: '/api', allowed: ['GET'] },
  { url: '/conformance', allowed: ['GET'] },
  { url: '/processes', allowed: ['GET'] },
  { url: '/processes/elevation-tiles', allowed: ['GET'] },
  { url: '/processes/elevation-tiles/execution', allowed: ['POST'] },
  { url: '/jobs', allowed: ['GET'] },
  { url: `/jobs/${JOB}`, allowed: ['GET', 'DELETE'] },
  { url: `/jobs/${JOB}/events`, allowed: ['GET'] },
  { url: `/jobs/${JOB}/results`, allowed: ['GET'] },
  { url: '/elevation', allowed: ['POST'] },
  { url: '/elevation/tiles/N46/N46E007.hgt', allowed: ['GET'] },
  { url: '/hello/greeting', allowed: ['GET'] },
  { url: '/index.html', allowed: ['GET'] },
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

const methodCases: HostileCase[] = [
  ...ROUTES.flatMap(({ url, allowed }) =>
    METHODS.filter((method) => !allowed.includes(method)).map((method) =>
      rest(
        `${method} ${url} is 405 with Allow`,
        {
          method,
          url,
          headers: { 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        },
        { status: 405, allow: true },
      ),
    ),
  ),
  ...['PUT', 'DELETE', 'PATCH', 'OPTIONS'].map((method): HostileCase => ({
    name: `${method} /ows is 405 with Allow, as an OGC exception`,
    request: { method, url: '/ows?SERVICE=WMS&REQUEST=GetCapabilities' },
    expect: { format: 'ogc', status: 405, allow: true },
  })),
  rest('TRACE / is 405 with Allow', socket('/', { method: 'TRACE' }), { status: 405, allow: true }),
  rest('GET * is refused, not the landing page', socket('*'), { status: 400 }),
  rest('POST * is refused', socket('*', { method: 'POST', body: '{}' })),
  rest('GET with an absolute URI for another host is refused', socket('http://evil.example/phish')),
];

const encodingCases: HostileCase[] = [
  ['gzip', gzipSync(SMALL)],
  ['gzip but a plain body', SMALL],
  ['deflate but a plain body', SMALL],
  ['br but a plain body', SMALL],
  ['an unknown coding', SMALL],
  ['gzip of a gzip bomb (10 MB of zeros)', gzipSync(Buffer.alloc(10 * 1024 * 1024))],
  ['gzip, truncated', gzipSync(SMALL).subarray(0, 10)],
].map(([name, body], i) =>
  rest(`POST /elevation refuses Content-Encoding ${name as string}`, {
    method: 'POST',
    url: '/elevation',
    headers: {
      'content-type': 'application/json',
      'content-encoding': ['gzip', 'gzip', 'deflate', 'br', 'x-evil', 'gzip', 'gzip'][i] as string,
    },
    body: body as string | Buffer,
  }),
);
encodingCases.push(
  {
    name: 'POST /ows refuses a gzip-declared XML body, as an OGC exception',
    request: {
      method: 'POST',
      url: '/ows',
      headers: { 'content-type': 'text/xml', 'content-encoding': 'gzip' },
      body: gzipSync('<GetCapabilities service="WMS"/>'),
    },
    expect: { format: 'ogc' },
  },
  rest('execution refuses a gzip-declared plain JSON body', {
    method: 'POST',
    url: '/processes/elevation-tiles/execution',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: JSON.stringify({ inputs: { geometry: square(7.1, 46.1, 7.2, 46.2) } }),
  }),
);

const routeCases: HostileCase[] = [
  rest('/health/x is 404', { url: '/health/x' }, { status: 404 }),
  rest('/health with a NUL byte is refused', { url: '/health%00' }),
  rest('/ready/.. traversal is refused', socket('/ready/../../package.json')),
  rest('/plugins with an encoded traversal is refused', { url: '/plugins/..%2f..%2fpackage.json' }),
  rest(
    '/project with encoded dot segments is refused',
    socket('/project/%2e%2e/%2e%2e/package.json'),
  ),
  rest('/api with a traversal is refused', socket('/api/../../package.json')),
  rest('/conformance/x is 404', { url: '/conformance/x' }, { status: 404 }),
  rest('/processes/ with 1 000 slashes is refused', { url: `/processes${'/'.repeat(1000)}x` }),
  rest('an unknown route is 404 problem+json', { url: '/wp-admin/install.php' }, { status: 404 }),
  rest('a route with U+FFFF is refused', { url: '/%EF%BF%BF' }),
  rest('the landing page refuses a path with a NUL byte', socket('/%00?f=json')),
  rest('/hello/count refuses n=1e400', { url: '/hello/count?n=1e400' }, { status: 400 }),
  rest('/hello/count refuses n=-1', { url: '/hello/count?n=-1' }, { status: 400 }),
  rest('/hello/count refuses n=Infinity', { url: '/hello/count?n=Infinity' }, { status: 400 }),
  rest('/hello/count refuses n=0x10', { url: '/hello/count?n=0x10' }, { status: 400 }),
  rest(
    '/hello/count refuses n over its maximum',
    { url: '/hello/count?n=1000000000' },
    { status: 400 },
  ),
];

hostileTable('static files', staticCases, server);
hostileTable('Host headers', hostHeaderCases, server);
hostileTable('HTTP framing and headers', framingCases, server);
hostileTable('methods', methodCases, server);
hostileTable('content codings', encodingCases, server);
hostileTable('small REST routes', routeCases, server);
