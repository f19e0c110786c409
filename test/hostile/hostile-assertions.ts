/**
 * What every refused request must look like: a 4xx (or the status a standard names), and a body
 * in the route's error format — an OGC exception report that a strict XML parser accepts for
 * /ows, RFC 9457 problem+json everywhere else — that leaks no stack trace and no server path.
 */
import { expect } from 'vitest';
import { all, attr, parseXml, type XmlDocument } from '../helpers/parse-xml.ts';
import type { HttpAnswer } from './raw-http.ts';

/** The report forms of src/errors/exception-report.ts, by service and version. */
export type OgcReport =
  | { service: 'WMS'; version: '1.1.1' | '1.3.0' }
  | { service: 'WCS'; version: '1.0.0' | '2.0.1' }
  | { service: 'WFS'; version: '1.1.0' | '2.0.0' };

const OGC_NS = 'http://www.opengis.net/ogc';
const OWS_NS: Record<string, string> = {
  'WCS 2.0.1': 'http://www.opengis.net/ows/2.0',
  'WFS 2.0.0': 'http://www.opengis.net/ows/1.1',
  'WFS 1.1.0': 'http://www.opengis.net/ows',
};
const OWS_NAMESPACES = new Set(Object.values(OWS_NS).concat('http://www.opengis.net/ows/1.1'));

/** Asserts an OGC exception report: well-formed, of the expected form, with a code per exception. */
export function expectOgcException(
  answer: HttpAnswer,
  options: { status?: Status; report?: OgcReport } = {},
): XmlDocument {
  expectClientError(answer, options.status);
  expect(answer.headers['content-type'] ?? '', 'Content-Type').toMatch(/(\/xml|\+xml|se_xml)\b/);
  expectNoLeak(answer.text);
  expectXmlCharacters(answer.text);
  const document = parseXml(answer.text);
  const bare = document.name.replace(/^.*:/, '');
  if (bare === 'ServiceExceptionReport') {
    const exceptions = all(document.root, 'ServiceException');
    expect(exceptions.length, 'ServiceException elements').toBeGreaterThan(0);
    for (const exception of exceptions) expect(attr(exception, 'code')).toBeTruthy();
  } else {
    expect(document.name, 'root element').toBe('ows:ExceptionReport');
    expect(OWS_NAMESPACES.has(document.namespace ?? ''), `namespace ${document.namespace}`).toBe(
      true,
    );
    const exceptions = all(document.root, 'ows:Exception');
    expect(exceptions.length, 'ows:Exception elements').toBeGreaterThan(0);
    for (const exception of exceptions) expect(attr(exception, 'exceptionCode')).toBeTruthy();
  }
  if (options.report !== undefined) expectReportForm(document, options.report);
  return document;
}

function expectReportForm(document: XmlDocument, report: OgcReport): void {
  const key = `${report.service} ${report.version}`;
  switch (key) {
    case 'WMS 1.1.1':
      expect(document.name).toBe('ServiceExceptionReport');
      expect(attr(document.root, 'version')).toBe('1.1.1');
      return;
    case 'WMS 1.3.0':
      expect(document.name).toBe('ServiceExceptionReport');
      expect(document.namespace).toBe(OGC_NS);
      expect(attr(document.root, 'version')).toBe('1.3.0');
      return;
    case 'WCS 1.0.0':
      expect(document.name).toBe('ServiceExceptionReport');
      expect(document.namespace).toBe(OGC_NS);
      expect(attr(document.root, 'version')).toBe('1.2.0');
      return;
    default:
      expect(document.name).toBe('ows:ExceptionReport');
      expect(document.namespace).toBe(OWS_NS[key]);
  }
}

/** Asserts an RFC 9457 problem document whose status member equals the HTTP status. */
export function expectProblem(
  answer: HttpAnswer,
  options: { status?: Status; allow?: boolean } = {},
): Record<string, unknown> {
  expectClientError(answer, options.status);
  expect(answer.headers['content-type'] ?? '', 'Content-Type').toMatch(
    /^application\/problem\+json\b/,
  );
  expectNoLeak(answer.text);
  let body: unknown;
  expect(() => (body = JSON.parse(answer.text)), 'body is JSON').not.toThrow();
  expect(body).toBeTypeOf('object');
  const problem = body as Record<string, unknown>;
  expect(problem.type, 'type').toBeTypeOf('string');
  expect(problem.title, 'title').toBeTypeOf('string');
  expect(problem.status, 'status member').toBe(answer.status);
  if (options.allow === true) expectAllow(answer);
  return problem;
}

/** A 405 names the methods the resource does support (RFC 9110 §15.5.6). */
export function expectAllow(answer: HttpAnswer): void {
  expect(answer.headers.allow, 'Allow header').toMatch(/^[A-Z]+(\s*,\s*[A-Z]+)*$/);
}

/** One status, or the statuses a standard allows (e.g. 414 or 431 for an overlong request line). */
export type Status = number | readonly number[];

/** The status is the one given, else any 4xx: never a 2xx, 3xx or 5xx for hostile input. */
export function expectClientError(answer: HttpAnswer, status: Status | undefined): void {
  const context = `${answer.status}: ${answer.text.slice(0, 300)}`;
  if (typeof status === 'number') expect(answer.status, context).toBe(status);
  else if (status !== undefined) expect(status, context).toContain(answer.status);
  else {
    expect(answer.status, context).toBeGreaterThanOrEqual(400);
    expect(answer.status, context).toBeLessThan(500);
  }
}

const ROOT = process.cwd();
const LEAKS: Array<[RegExp, string]> = [
  [/\n\s+at \S.*[(:]\d+:\d+\)?/, 'a stack trace'],
  [/\bat (async )?[\w.<>]+ \((node:|file:|\/)/, 'a stack frame'],
  [/node_modules/, 'a node_modules path'],
  [/file:\/\//, 'a file URL'],
  [/\/tmp\/relief-/, 'a temporary folder'],
];

/** No stack trace, no module path, no server folder in an answer to a client. */
export function expectNoLeak(text: string): void {
  expect(text.includes(ROOT), 'the body names the server folder').toBe(false);
  for (const [pattern, what] of LEAKS) {
    expect(pattern.test(text), `the body contains ${what}: ${text.slice(0, 300)}`).toBe(false);
  }
}

/**
 * XML 1.0 allows only these characters, raw or as references (§2.2, WFC: Legal Character); a
 * strict parser (libxml2, Xerces) refuses anything else, while fast-xml-parser's validator
 * does not check them.
 */
export function expectXmlCharacters(text: string): void {
  const illegal = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.exec(text);
  expect(
    illegal,
    `illegal XML character U+${illegal?.[0].codePointAt(0)?.toString(16).padStart(4, '0')}`,
  ).toBeNull();
  for (const reference of text.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const digits = reference[1] as string;
    const code = digits.startsWith('x') ? Number.parseInt(digits.slice(1), 16) : Number(digits);
    const legal =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    expect(legal, `illegal XML character reference ${reference[0]}`).toBe(true);
  }
}
