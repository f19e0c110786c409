/**
 * XML that Relief writes with strings it did not choose (issue 10, items 4 and 6): parameters
 * echoed into exception reports and INIMAGE exceptions, feature attributes in GetFeatureInfo,
 * layer titles in capabilities. Every character XML 1.0 forbids must come out as U+FFFD and
 * every `&` as `&amp;`, so that each answer is well-formed (test/helpers/parse-xml.ts checks
 * structure, characters and references).
 */
import type { FeatureCollection } from 'geojson';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, first, parseXml, text, texts } from '../helpers/parse-xml.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

/** NUL, U+0001, VT, ESC, U+FFFF, a lone surrogate and entity look-alikes, in layer data. */
const HOSTILE_RAW = 'a\u0000b\u0001c\u000Bd\u001Be\uFFFFf\uD800g &id; &#0;';
/**
 * The same in a URL, but for the lone surrogate: UTF-8 cannot encode one, and a URL holding
 * invalid UTF-8 is not decoded at all.
 */
const HOSTILE_URL = 'a%00b%01c%0Bd%1Be%EF%BF%BFfg%20%26id%3B%20%26%230%3B';

/** Characters XML 1.0 forbids (but lone surrogates, which parseXml finds). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

let server: TestServer;

const zone: FeatureCollection = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      id: `zone${HOSTILE_RAW}`,
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [7, 46],
            [9, 46],
            [9, 48],
            [7, 48],
            [7, 46],
          ],
        ],
      },
      properties: { name: HOSTILE_RAW, [`odd${HOSTILE_RAW}`]: 1 },
    },
  ],
};

beforeAll(async () => {
  server = await startTestServer();
  server.layers.publish(
    {
      name: 'zones',
      title: `Zones ${HOSTILE_RAW}`,
      abstract: `About ${HOSTILE_RAW}`,
      keywords: [HOSTILE_RAW],
      kind: 'vector',
      source: { kind: 'features', data: zone },
    },
    'test',
  );
});

afterAll(async () => {
  await server?.close();
});

const get = (query: string) =>
  request(server.app.server)
    .get(`/ows?${query}`)
    .buffer(true)
    .parse((response, callback) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => callback(null, Buffer.concat(chunks)));
    });

/** Where each service and version echoes a parameter into its exception report. */
const ECHOES: Array<[string, string, string]> = [
  [
    'WMS 1.3.0',
    `SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=${HOSTILE_URL}&STYLES=&CRS=CRS:84&BBOX=7,46,9,48&WIDTH=10&HEIGHT=10&FORMAT=image/png`,
    'ServiceException',
  ],
  [
    'WMS 1.1.1',
    `SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=${HOSTILE_URL}&STYLES=&SRS=EPSG:4326&BBOX=7,46,9,48&WIDTH=10&HEIGHT=10&FORMAT=image/png`,
    'ServiceException',
  ],
  [
    'WFS 2.0.0',
    `SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=${HOSTILE_URL}`,
    'ows:Exception',
  ],
  [
    'WFS 1.1.0',
    `SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=${HOSTILE_URL}`,
    'ows:Exception',
  ],
  [
    'WCS 2.0.1',
    `SERVICE=WCS&VERSION=2.0.1&REQUEST=DescribeCoverage&COVERAGEID=${HOSTILE_URL}`,
    'ows:Exception',
  ],
  [
    'WCS 1.0.0',
    `SERVICE=WCS&VERSION=1.0.0&REQUEST=DescribeCoverage&COVERAGE=${HOSTILE_URL}`,
    'ServiceException',
  ],
  ['an unknown service', `SERVICE=${HOSTILE_URL}&REQUEST=GetCapabilities`, 'ows:Exception'],
  ['an unknown operation', `SERVICE=WFS&VERSION=2.0.0&REQUEST=${HOSTILE_URL}`, 'ows:Exception'],
];

describe('exception reports', () => {
  it.each(ECHOES)(
    'writes a well-formed report when a parameter holds NUL, U+0001, VT, ESC, U+FFFF, a lone surrogate or &id; (%s)',
    async (_name, query, element) => {
      const response = await get(query);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(600);
      const body = String(response.body);
      const doc = parseXml(body);
      const exception = first(doc.root, element);
      const message =
        element === 'ows:Exception'
          ? (texts(exception, 'ows:ExceptionText')[0] ?? '')
          : text(exception);
      // Each forbidden character became U+FFFD; the look-alikes read back as written.
      expect(message).toContain('"a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDfg &id; &#0;"');
      expect(message).not.toMatch(FORBIDDEN);
    },
  );
});

describe('EXCEPTIONS=INIMAGE', () => {
  it.each([
    ['1.3.0', 'CRS=CRS:84', 'INIMAGE'],
    ['1.1.1', 'SRS=EPSG:4326', 'application/vnd.ogc.se_inimage'],
  ])(
    'draws the message of WMS %s when an echoed parameter holds control characters',
    async (version, crs, exceptions) => {
      const response = await get(
        `SERVICE=WMS&VERSION=${version}&REQUEST=GetMap&LAYERS=${HOSTILE_URL}&STYLES=&${crs}&BBOX=7,46,9,48&WIDTH=300&HEIGHT=60&FORMAT=image/png&EXCEPTIONS=${exceptions}`,
      );
      // Neither version asks for an error status with an image; the image is the answer.
      expect(response.status, String(response.body).slice(0, 300)).toBe(200);
      expect(response.headers['content-type']).toBe('image/png');
      const { data, info } = await sharp(response.body as Buffer)
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([300, 60]);
      // The message is drawn in black on white: some pixels are dark.
      let dark = 0;
      for (let k = 0; k < data.length; k += info.channels) if ((data[k] ?? 255) < 128) dark++;
      expect(dark).toBeGreaterThan(50);
    },
  );
});

describe('GetFeatureInfo', () => {
  const info = (format: string) =>
    get(
      `SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=zones&QUERY_LAYERS=zones&STYLES=&CRS=CRS:84&BBOX=7,46,9,48&WIDTH=10&HEIGHT=10&I=5&J=5&INFO_FORMAT=${format}`,
    );

  it.each(['application/vnd.ogc.gml', 'text/xml'])(
    'writes feature attributes with control characters as well-formed GML (%s)',
    async (format) => {
      const response = await info(format);
      expect(response.status).toBe(200);
      const doc = parseXml(String(response.body));
      const feature = first(doc.root, 'gml:featureMember', 'relief:zones');
      // Feature ids are made safe names by the vector store.
      expect(attr(feature, 'fid')).toBe('zones.zonea_b_c_d_e_f_g__id____0_');
      expect(texts(feature, 'relief:name')[0]).toBe(
        'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg &id; &#0;',
      );
    },
  );

  it('writes feature attributes with control characters escaped in HTML', async () => {
    const response = await info('text/html');
    expect(response.status).toBe(200);
    const html = String(response.body);
    expect(html).not.toMatch(FORBIDDEN);
    expect(html).toContain(
      '<td>a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg &amp;id; &amp;#0;</td>',
    );
  });
});

describe('capabilities', () => {
  it.each([
    ['WMS 1.3.0', 'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities'],
    ['WMS 1.1.1', 'SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities'],
    ['WFS 2.0.0', 'SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities'],
    ['WFS 1.1.0', 'SERVICE=WFS&VERSION=1.1.0&REQUEST=GetCapabilities'],
  ])('stay well-formed when a layer title holds control characters (%s)', async (_name, query) => {
    const response = await get(query);
    expect(response.status).toBe(200);
    const body = String(response.body);
    parseXml(body);
    expect(body).toContain('Zones a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg &amp;id; &amp;#0;');
  });

  it('describes a feature type whose attribute names hold control characters', async () => {
    const response = await get(
      'SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=zones',
    );
    expect(response.status).toBe(200);
    // parseXml checks every character and reference of the schema.
    expect(parseXml(String(response.body)).name).toBe('xsd:schema');
  });
});
