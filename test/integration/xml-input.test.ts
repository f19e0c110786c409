/**
 * XML that clients send, through HTTP (issue 10, items 1 and 7): a POSTed OWS document is read
 * up to its root start tag only; a WFS FILTER is bounded by RELIEF_MAX_XML_BYTES and parsed on
 * the pool; a DTD (internal entities, billion laughs, external SYSTEM identifiers) is refused
 * with the OGC exception of the request, wherever the XML comes from.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FeatureCollection } from 'geojson';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { first, parseXml, attr, texts } from '../helpers/parse-xml.ts';
import { holdPoolThread } from '../helpers/hold-pool-thread.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const MiB = 1024 * 1024;
const FES = 'http://www.opengis.net/fes/2.0';

const places: FeatureCollection = {
  type: 'FeatureCollection',
  features: ['Bern', 'Zürich', 'Basel'].map((name, k) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [7 + k, 46 + k / 2] },
    properties: { name },
  })),
};

let server: TestServer;
let port: number;
/** A web server standing in for an attacker's host: it counts the requests it gets. */
let lure: Server;
let lureHits = 0;
let lureUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  server.layers.publish(
    { name: 'places', title: 'Places', kind: 'vector', source: { kind: 'features', data: places } },
    'test',
  );
  await new Promise<void>((resolve) => server.app.server.listen(0, '127.0.0.1', resolve));
  port = (server.app.server.address() as AddressInfo).port;
  lure = createServer((_req, res) => {
    lureHits++;
    res.end('<!ENTITY secret "lured">');
  });
  await new Promise<void>((resolve) => lure.listen(0, '127.0.0.1', resolve));
  lureUrl = `http://127.0.0.1:${(lure.address() as AddressInfo).port}/evil.dtd`;
});

afterAll(async () => {
  await new Promise((resolve) => lure?.close(resolve));
  await server?.close();
});

/** The OWS exception of an answer, with its status. */
function owsException(response: { status: number; text: string }) {
  const doc = parseXml(response.text);
  expect(doc.name).toBe('ows:ExceptionReport');
  const exception = first(doc.root, 'ows:Exception');
  return {
    status: response.status,
    code: attr(exception, 'exceptionCode'),
    locator: attr(exception, 'locator'),
    text: texts(exception, 'ows:ExceptionText')[0] ?? '',
  };
}

const postXml = (body: string) =>
  request(server.app.server).post('/ows').set('content-type', 'application/xml').send(body);

const postForm = (fields: Record<string, string>) =>
  request(server.app.server)
    .post('/ows')
    .set('content-type', 'application/x-www-form-urlencoded')
    .send(new URLSearchParams(fields).toString());

const GET_CAPABILITIES =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a client comment -->\n' +
  '<wfs:GetCapabilities xmlns:wfs="http://www.opengis.net/wfs/2.0" service="WFS" version="2.0.0">';

/** 9.5 MB that no XML parser accepts: unclosed elements, undefined entities, a NUL. */
function hostileTail(bytes: number): string {
  const unit = "<unclosed attr='x'>&undefined; \u0000 ]]> ";
  return unit.repeat(Math.ceil(bytes / unit.length));
}

function billionLaughs(root: string): string {
  const entities = Array.from(
    { length: 9 },
    (_, k) => `<!ENTITY lol${k + 1} "${`&lol${k === 0 ? '' : k};`.repeat(10)}">`,
  ).join('');
  return `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${entities}]>${root.replace('LOL', '&lol9;')}`;
}

describe('a POSTed XML body', () => {
  it('reads the operation of a 3 MB XML body from its root start tag, never parsing the rest', async () => {
    const response = await postXml(`${GET_CAPABILITIES}${hostileTail(3 * 1e6)}`);
    expect(response.status, response.text.slice(0, 500)).toBe(200);
    expect(parseXml(response.text).name).toBe('wfs:WFS_Capabilities');
  });

  it('refuses a 9.5 MB XML body with a 413 as it arrives, before gathering it', async () => {
    const response = await postXml(`${GET_CAPABILITIES}${hostileTail(9.5 * 1e6)}`);
    expect(owsException(response)).toMatchObject({ status: 413 });
  });

  it('answers /health while a 3 MB XML body is being handled', async () => {
    const tail = hostileTail(3 * 1e6);
    const body = Buffer.from(`${GET_CAPABILITIES}${tail}`);
    const events: string[] = [];
    const xmlAnswer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const post = httpRequest(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/ows',
          headers: { 'content-type': 'application/xml', 'content-length': body.length },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            events.push('xml answered');
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
          });
        },
      );
      post.on('error', reject);
      // All but the last kilobyte: the request is in the server's hands and cannot finish yet.
      post.write(body.subarray(0, body.length - 1024), () => {
        void request(server.app.server)
          .get('/health')
          .then((health) => {
            events.push(`health ${health.status}`);
            post.end(body.subarray(body.length - 1024));
          }, reject);
      });
    });
    const answer = await xmlAnswer;
    expect(events).toEqual(['health 200', 'xml answered']);
    expect(answer.status).toBe(200);
    expect(parseXml(answer.text).name).toBe('wfs:WFS_Capabilities');
  });

  it('stops looking for the root start tag after RELIEF_MAX_XML_BYTES, with a 413', async () => {
    const response = await postXml(
      `<?xml version="1.0"?><!--${' '.repeat(2 * MiB)}-->${GET_CAPABILITIES}</wfs:GetCapabilities>`,
    );
    expect(owsException(response)).toMatchObject({
      status: 413,
      code: 'OperationParsingFailed',
      text: expect.stringContaining(`within the first ${MiB} characters`),
    });
  });

  it('refuses a malformed root start tag with OperationParsingFailed', async () => {
    const response = await postXml('<GetCapabilities service="WFS" service="WMS"/>');
    expect(owsException(response)).toMatchObject({
      status: 400,
      code: 'OperationParsingFailed',
      text: 'The XML request body is not well-formed: the attribute service appears twice',
    });
  });

  it.each([
    [
      'a billion-laughs DTD',
      () => billionLaughs('<GetCapabilities service="WFS">LOL</GetCapabilities>'),
    ],
    [
      'an external DTD on a file',
      () =>
        '<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><GetCapabilities service="WFS"/>',
    ],
    [
      'an external entity over http',
      () =>
        `<!DOCTYPE r [<!ENTITY % ext SYSTEM "${lureUrl}"> %ext;]><GetCapabilities service="WFS">&secret;</GetCapabilities>`,
    ],
  ])('refuses a DOCTYPE in a POSTed XML body: %s', async (_name, body) => {
    const response = await postXml(body());
    expect(owsException(response)).toMatchObject({
      status: 400,
      code: 'OperationParsingFailed',
      text: 'The XML request body has a document type declaration (<!DOCTYPE> or <!ENTITY>); DTDs and entities are not accepted',
    });
    expect(response.text).not.toContain('root:');
    expect(lureHits).toBe(0);
  });
});

describe('a WFS FILTER', () => {
  const filterOf = (inner: string) => `<fes:Filter xmlns:fes="${FES}">${inner}</fes:Filter>`;
  const getFeature = (filter: string) =>
    postForm({
      SERVICE: 'WFS',
      VERSION: '2.0.0',
      REQUEST: 'GetFeature',
      TYPENAMES: 'places',
      OUTPUTFORMAT: 'application/json',
      FILTER: filter,
    });
  const names = (text: string) =>
    (JSON.parse(text) as FeatureCollection).features.map((f) => f.properties?.name as string);

  it.each([
    ['a billion-laughs DTD', () => billionLaughs(filterOf('<fes:ResourceId rid="LOL"/>'))],
    [
      'internal entities',
      () => `<!DOCTYPE f [<!ENTITY id "places.2">]>${filterOf('<fes:ResourceId rid="&id;"/>')}`,
    ],
    [
      'an external DTD on a file',
      () => `<!DOCTYPE f SYSTEM "file:///etc/passwd">${filterOf('<fes:ResourceId rid="&x;"/>')}`,
    ],
    [
      'an external DTD over http',
      () => `<!DOCTYPE f SYSTEM "${lureUrl}">${filterOf('<fes:ResourceId rid="&secret;"/>')}`,
    ],
  ])('refuses a DOCTYPE in a WFS FILTER (%s), as a form and in the URL', async (_name, filter) => {
    const expected = {
      status: 400,
      code: 'InvalidParameterValue',
      locator: 'FILTER',
      text: 'FILTER has a document type declaration (<!DOCTYPE> or <!ENTITY>); DTDs and entities are not accepted',
    };
    expect(owsException(await getFeature(filter()))).toEqual(expected);
    const url = `/ows?SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=places&FILTER=${encodeURIComponent(filter())}`;
    expect(owsException(await request(server.app.server).get(url))).toEqual(expected);
    expect(lureHits).toBe(0);
  });

  it('refuses an entity the filter does not define instead of keeping it as text', async () => {
    const response = await getFeature(filterOf('<fes:ResourceId rid="&id;"/>'));
    expect(owsException(response)).toMatchObject({
      status: 400,
      code: 'InvalidParameterValue',
      locator: 'FILTER',
      text: expect.stringContaining('The entity &id; is not defined'),
    });
  });

  it('refuses a FILTER over RELIEF_MAX_XML_BYTES at once, before parsing it', async () => {
    // Well-formed only at the start: a parse would fail on it, the size check answers first.
    const filter = filterOf(hostileTail(1.2 * 1e6));
    const response = await getFeature(filter);
    expect(owsException(response)).toEqual({
      status: 400,
      code: 'InvalidParameterValue',
      locator: 'FILTER',
      text: `FILTER is ${Buffer.byteLength(filter)} bytes of XML; at most ${MiB} are accepted`,
    });
  });

  it('refuses a 4.7 MB FILTER sent as a form while it arrives, before decoding the form', async () => {
    const response = await getFeature(filterOf(hostileTail(4.7 * 1e6)));
    expect(owsException(response)).toMatchObject({
      status: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      text: 'Request body is too large',
    });
  });

  it('answers /health while a FILTER is parsed: the parse waits on the pool, not on the event loop', async () => {
    // The test server has one pool thread: hold it, and the FILTER's parse has to wait for it.
    const thread = await holdPoolThread(server.pool);
    // Nearly the largest filter accepted: 28,000 resource ids, about 0.9 MB.
    const ids = Array.from(
      { length: 28_000 },
      (_, k) => `<fes:ResourceId rid="places.${(k % 2) + 2}"/>`,
    ).join('');
    const filter = filterOf(ids);
    expect(Buffer.byteLength(filter)).toBeLessThan(MiB);
    const events: string[] = [];
    const feature = getFeature(filter).then((response) => {
      events.push('GetFeature answered');
      return response;
    });
    const health = await request(server.app.server).get('/health');
    events.push(`health ${health.status}`);
    expect(events).toEqual(['health 200']);
    await thread.release();
    const response = await feature;
    expect(events).toEqual(['health 200', 'GetFeature answered']);
    expect(response.status, response.text.slice(0, 300)).toBe(200);
    expect(names(response.text)).toEqual(['Zürich', 'Basel']);
  });
});
