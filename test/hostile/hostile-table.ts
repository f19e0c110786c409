/**
 * Hostile cases as data: each case is one request and what its answer must be, and a table of
 * them becomes one `it` per case plus a closing check that the server still answers /health.
 *
 *   hostileTable('WMS GetMap', [
 *     ows('refuses a negative WIDTH', 'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&…', WMS130),
 *   ], () => target);
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectAllow,
  expectOgcException,
  expectProblem,
  type OgcReport,
  type Status,
} from './hostile-assertions.ts';
import type { HostileServer } from './hostile-server.ts';
import { sendRaw, serialise, type HttpAnswer } from './raw-http.ts';

export interface HostileRequest {
  method?: string;
  /** Path and query, sent exactly as written over a socket, or through app.inject. */
  url: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /**
   * Send over a real socket: for anything app.inject would normalise (dot segments, `*`,
   * framing headers) or that only the HTTP parser sees.
   */
  socket?: boolean;
  /** The whole request as bytes, for framing no serialiser would write (implies a socket). */
  raw?: string | Buffer;
}

export type Expected =
  | { format: 'ogc'; status?: Status; report?: OgcReport; allow?: boolean }
  | { format: 'problem'; status?: Status; allow?: boolean }
  /**
   * A malformed or foreign Host: refused (4xx in the route's format), or answered without
   * writing `host` into the body or a Location header — never reflected into a URL.
   */
  | { format: 'host-not-reflected'; host: string; ows: boolean };

export interface HostileCase {
  /** Says what the request does wrong and what the server must do, e.g. "refuses a DOCTYPE". */
  name: string;
  request: HostileRequest;
  expect: Expected;
}

export const WMS111: OgcReport = { service: 'WMS', version: '1.1.1' };
export const WMS130: OgcReport = { service: 'WMS', version: '1.3.0' };
export const WCS100: OgcReport = { service: 'WCS', version: '1.0.0' };
export const WCS201: OgcReport = { service: 'WCS', version: '2.0.1' };
export const WFS110: OgcReport = { service: 'WFS', version: '1.1.0' };
export const WFS200: OgcReport = { service: 'WFS', version: '2.0.0' };

/**
 * OWS Common 2.0 table 28 answers OperationNotSupported and OptionNotSupported with 501 Not
 * Implemented; Relief uses it for every service.
 */
export const NOT_IMPLEMENTED = 501;

/** pino's numeric level for `error`. */
const ERROR_LEVEL = 50;

/** A GET /ows case answered by an OGC exception (of the given form when known). */
export function ows(
  name: string,
  query: string,
  report?: OgcReport,
  extra: { status?: Status; headers?: Record<string, string>; socket?: boolean } = {},
): HostileCase {
  return {
    name,
    request: { url: `/ows?${query}`, headers: extra.headers, socket: extra.socket },
    expect: { format: 'ogc', report, status: extra.status },
  };
}

/** A POST /ows case answered by an OGC exception. */
export function owsPost(
  name: string,
  body: string | Buffer,
  contentType: string,
  report?: OgcReport,
  extra: { status?: Status; query?: string } = {},
): HostileCase {
  return {
    name,
    request: {
      method: 'POST',
      url: extra.query === undefined ? '/ows' : `/ows?${extra.query}`,
      headers: { 'content-type': contentType },
      body,
    },
    expect: { format: 'ogc', report, status: extra.status },
  };
}

/** A case answered by problem+json. */
export function rest(
  name: string,
  request: HostileRequest,
  expected: { status?: Status; allow?: boolean } = {},
): HostileCase {
  return { name, request, expect: { format: 'problem', ...expected } };
}

/**
 * Values known only once the server runs (e.g. the id of a finished job), substituted for
 * `{name}` in a case's URL and body: tables are built before the server starts.
 */
export const caseVariables = new Map<string, string>();

function substitute<T extends string | Buffer | undefined>(value: T): T {
  if (typeof value !== 'string' || !value.includes('{')) return value;
  return value.replace(
    /\{(\w+)\}/g,
    (whole, name: string) => caseVariables.get(name) ?? whole,
  ) as T;
}

export async function send(target: HostileServer, original: HostileRequest): Promise<HttpAnswer> {
  const request = { ...original, url: substitute(original.url), body: substitute(original.body) };
  const method = request.method ?? 'GET';
  if (request.raw !== undefined) return sendRaw(target.port, request.raw);
  if (request.socket === true) {
    return sendRaw(
      target.port,
      serialise({ method, target: request.url, headers: request.headers, body: request.body }),
    );
  }
  const response = await target.server.app.inject({
    method: method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.body === undefined ? {} : { payload: request.body }),
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined)
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return {
    status: response.statusCode,
    headers,
    body: response.rawPayload,
    text: response.payload,
  };
}

export function expectAnswer(answer: HttpAnswer, expected: Expected): void {
  if (expected.format === 'host-not-reflected') {
    if (answer.status >= 400) {
      expectAnswer(answer, expected.ows ? { format: 'ogc' } : { format: 'problem' });
      return;
    }
    expect(answer.status, answer.text.slice(0, 200)).toBeLessThan(300);
    // An empty Host would show as a URL without an authority.
    const written = expected.host === '' ? '://' + '/' : expected.host;
    const where = `${answer.headers.location ?? ''}\n${answer.text}`;
    expect(where.includes(written), `the answer writes the Host ${written.slice(0, 60)}`).toBe(
      false,
    );
    return;
  }
  if (expected.format === 'ogc') {
    expectOgcException(answer, { status: expected.status, report: expected.report });
    if (expected.allow === true) expectAllow(answer);
  } else {
    expectProblem(answer, { status: expected.status, allow: expected.allow });
  }
}

/** /health over a real socket: the server accepts connections and its event loop turns. */
export async function expectHealthy(target: HostileServer): Promise<void> {
  const answer = await sendRaw(target.port, serialise({ method: 'GET', target: '/health' }));
  expect(answer.status, answer.text).toBe(200);
  expect(JSON.parse(answer.text)).toMatchObject({ status: 'ok' });
}

/**
 * One `it` per case, then one that the server is still healthy and one that none of the cases
 * was logged as a server error.
 */
export function hostileTable(
  title: string,
  cases: readonly HostileCase[],
  target: () => HostileServer,
): void {
  const names = new Set<string>();
  for (const { name } of cases) {
    if (names.has(name)) throw new Error(`Two cases in "${title}" are named "${name}"`);
    names.add(name);
  }
  describe(title, () => {
    let firstLog = 0;
    beforeAll(() => {
      firstLog = target().server.logs.length;
    });
    // '%s' rather than '$name': vitest shortens interpolated object fields to 40 characters.
    it.each(cases.map((c) => [c.name, c] as const))(
      '%s',
      async (_name, { request, expect: expected }) => {
        expectAnswer(await send(target(), request), expected);
      },
    );
    it(`still answers /health after the ${title} cases`, async () => {
      await expectHealthy(target());
    });
    // Error level is for faults of the server; client mistakes logged there hide real faults.
    it(`logs nothing at error level for the ${title} cases`, () => {
      const errors = target()
        .server.logs.slice(firstLog)
        .filter((line) => line.level >= ERROR_LEVEL);
      const messages = errors.map((line) =>
        `${line.msg}: ${line.err?.message ?? ''}`.slice(0, 200),
      );
      expect(errors.length, messages.join('\n')).toBe(0);
    });
  });
}
