/**
 * The per-request budgets of the map services through HTTP (RELIEF_MAX_MAP_LAYERS and
 * RELIEF_MAX_MAP_PIXELS): a GetMap naming a layer a thousand times at the largest size is
 * refused before anything is rendered, in both WMS versions' exception forms; the boundaries
 * are exact (the largest allowed request draws the right pixels, one layer or pixel row more is
 * refused); GetFeatureInfo counts LAYERS and QUERY_LAYERS; GetCoverage of both WCS versions
 * keeps width × height within the pixel budget and refuses an unscaled huge extent unread.
 * Maps of more layers than one compositing pass holds keep LAYERS order across passes.
 */
import type { FeatureCollection } from 'geojson';
import { fromArrayBuffer } from 'geotiff';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectLayerDefinition } from '../../src/project/load-project.ts';
import { publishFlatElevation } from '../helpers/flat-elevation-layer.ts';
import { all, attr, first, parseXml, text } from '../helpers/parse-xml.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const HOST = 'maps.example.org';
/** The small budgets of `tight`: 12 layers, and 10 layers of 64 × 64 pixels. */
const MAX_LAYERS = 12;
const MAX_PIXELS = 10 * 64 * 64;

const ZONE: FeatureCollection = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [8.3, 46.3],
            [8.6, 46.3],
            [8.6, 46.6],
            [8.3, 46.6],
            [8.3, 46.3],
          ],
        ],
      },
      properties: { name: 'Zone' },
    },
  ],
};

/** Three features over the same square. */
const STACK: FeatureCollection = {
  type: 'FeatureCollection',
  features: [1, 2, 3].map((n) => ({
    type: 'Feature',
    id: `square-${n}`,
    geometry: ZONE.features[0]!.geometry,
    properties: { n },
  })),
};

/** Started with the default budgets (and the default largest size, 4096), little map memory. */
let defaults: TestServer;
/** Started with MAX_LAYERS and MAX_PIXELS. */
let tight: TestServer;

async function publishLayers(server: TestServer): Promise<void> {
  // One flat tile at 1000 m: every map pixel over it has the same colour.
  await publishFlatElevation(server);
  const zone: ProjectLayerDefinition = {
    name: 'zone',
    title: 'Zone',
    kind: 'vector',
    source: { kind: 'features', data: ZONE },
    vectorStyle: { fill: '#ff0000', stroke: '#ff0000', strokeWidth: 1, opacity: 1 },
  };
  server.layers.publish(zone);
  server.layers.publish({
    name: 'stack',
    title: 'Stack',
    kind: 'vector',
    source: { kind: 'features', data: STACK },
  });
}

beforeAll(async () => {
  // Default budgets, but room for one 512 × 512 map at a time while compositing.
  defaults = await startTestServer({ env: { RELIEF_MAX_MAP_MEMORY: String(1024 * 1024) } });
  tight = await startTestServer({
    env: {
      RELIEF_MAX_IMAGE_SIZE: '1024',
      RELIEF_MAX_MAP_LAYERS: String(MAX_LAYERS),
      RELIEF_MAX_MAP_PIXELS: String(MAX_PIXELS),
      RELIEF_MAX_FEATURE_COUNT: '2',
    },
  });
  await publishLayers(defaults);
  await publishLayers(tight);
});

afterAll(async () => {
  await defaults?.close();
  await tight?.close();
});

function get(server: TestServer, query: string) {
  return request(server.app.server)
    .get(`/ows?${query}`)
    .set('Host', HOST)
    .buffer(true)
    .parse((response, callback) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => callback(null, Buffer.concat(chunks)));
    });
}

const repeated = (name: string, times: number) => Array<string>(times).fill(name).join(',');

/** A GetMap over the flat tile (0.01° per pixel at 80 × 80) in either version's axis order. */
function mapQuery(version: '1.3.0' | '1.1.1', layers: string, width = 64, height = 64): string {
  const area =
    version === '1.3.0'
      ? 'CRS=EPSG:4326&BBOX=46.1,8.1,46.9,8.9'
      : 'SRS=EPSG:4326&BBOX=8.1,46.1,8.9,46.9';
  return `SERVICE=WMS&VERSION=${version}&REQUEST=GetMap&LAYERS=${layers}&STYLES=&${area}&WIDTH=${width}&HEIGHT=${height}&FORMAT=image/png`;
}

/** The one exception of a WMS ServiceExceptionReport, in the version's form. */
async function wmsException(server: TestServer, query: string, version: '1.3.0' | '1.1.1') {
  const response = await get(server, query);
  const body = String(response.body);
  expect(response.status, body).toBe(400);
  expect(response.headers['content-type']).toBe(
    version === '1.3.0' ? 'text/xml; charset=utf-8' : 'application/vnd.ogc.se_xml; charset=utf-8',
  );
  const doc = parseXml(body);
  expect(doc.name).toBe('ServiceExceptionReport');
  expect(attr(doc.root, 'version')).toBe(version);
  const exception = first(doc.root, 'ServiceException');
  return {
    code: attr(exception, 'code'),
    locator: attr(exception, 'locator'),
    text: text(exception),
  };
}

async function pixels(server: TestServer, query: string) {
  const response = await get(server, query);
  expect(response.status, String(response.body)).toBe(200);
  expect(response.headers['content-type']).toBe('image/png');
  const { data, info } = await sharp(response.body as Buffer)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data,
    at: (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4),
    ],
  };
}

describe('GetMap budgets', () => {
  it('refuses a GetMap of 1000 repeated layers at maximum size with an OGC exception, rendering nothing', async () => {
    const before = defaults.pool.stats.completed;
    for (const version of ['1.3.0', '1.1.1'] as const) {
      const refused = await wmsException(
        defaults,
        mapQuery(version, repeated('elevation', 1000), 4096, 4096),
        version,
      );
      expect(refused).toEqual({
        code: 'InvalidParameterValue',
        locator: 'LAYERS',
        text: 'LAYERS names 1000 layers (repeats count); one request may name at most 32',
      });
    }
    expect(defaults.pool.stats.completed).toBe(before);
  });

  it('refuses 9 layers at the default maximum size for pixels, before rendering any', async () => {
    const before = defaults.pool.stats.completed;
    const refused = await wmsException(
      defaults,
      mapQuery('1.3.0', repeated('elevation', 9), 4096, 4096),
      '1.3.0',
    );
    expect(refused.code).toBe('InvalidParameterValue');
    expect(refused.locator).toBe('LAYERS');
    expect(refused.text).toBe(
      '9 layers of 4096×4096 pixels is 150994944 pixels of work, more than the 134217728 one ' +
        'request may take; ask for at most 8 layers at this size, or fewer pixels',
    );
    expect(defaults.pool.stats.completed).toBe(before);
  });

  it('draws the largest allowed number of repeated layers like one, and refuses one more', async () => {
    const single = await pixels(tight, mapQuery('1.3.0', 'elevation', 8, 8));
    for (const version of ['1.3.0', '1.1.1'] as const) {
      const most = await pixels(tight, mapQuery(version, repeated('elevation', MAX_LAYERS), 8, 8));
      // Opaque layers: the top one decides every pixel, as one layer alone does.
      expect(most.data.equals(single.data)).toBe(true);
      const refused = await wmsException(
        tight,
        mapQuery(version, repeated('elevation', MAX_LAYERS + 1), 8, 8),
        version,
      );
      expect(refused.code).toBe('InvalidParameterValue');
      expect(refused.locator).toBe('LAYERS');
    }
  });

  it('draws a map of exactly the pixel budget and refuses one layer or one pixel row more', async () => {
    const single = await pixels(tight, mapQuery('1.3.0', 'elevation'));
    expect(single.at(10, 10)[3]).toBe(255);
    for (const version of ['1.3.0', '1.1.1'] as const) {
      // 10 layers of 64 × 64 pixels: exactly MAX_PIXELS.
      const exact = await pixels(tight, mapQuery(version, repeated('elevation', 10)));
      expect([exact.width, exact.height]).toEqual([64, 64]);
      expect(exact.data.equals(single.data)).toBe(true);
      const moreLayers = await wmsException(
        tight,
        mapQuery(version, repeated('elevation', 11)),
        version,
      );
      expect(moreLayers).toEqual({
        code: 'InvalidParameterValue',
        locator: 'LAYERS',
        text:
          '11 layers of 64×64 pixels is 45056 pixels of work, more than the 40960 one request ' +
          'may take; ask for at most 10 layers at this size, or fewer pixels',
      });
    }
    const taller = await wmsException(tight, mapQuery('1.1.1', 'elevation', 64, 641), '1.1.1');
    expect(taller.code).toBe('InvalidParameterValue');
    expect(taller.locator).toBe('WIDTH');
    expect(taller.text).toContain('64×641 pixels is 41024 pixels of work');
  });

  it('keeps LAYERS order when a map has many layers', async () => {
    const ground = await pixels(tight, mapQuery('1.3.0', 'elevation'));
    // The zone (8.3…8.6 E, 46.3…46.6 N) covers pixel (35, 35) of 64 × 64 over 8.1…8.9, 46.1…46.9.
    const zoneOnTop = await pixels(tight, mapQuery('1.3.0', `${repeated('elevation', 9)},zone`));
    expect(zoneOnTop.at(35, 35)).toEqual([255, 0, 0, 255]);
    expect(zoneOnTop.at(5, 5)).toEqual(ground.at(5, 5));
    const zoneBuried = await pixels(tight, mapQuery('1.3.0', `zone,${repeated('elevation', 9)}`));
    expect(zoneBuried.data.equals(ground.data)).toBe(true);
    const zoneBetween = await pixels(
      tight,
      mapQuery('1.3.0', `${repeated('elevation', 5)},zone,${repeated('elevation', 4)}`),
    );
    expect(zoneBetween.data.equals(ground.data)).toBe(true);
  });
});

describe('GetMap memory', () => {
  it('draws maps that wait for map memory held by others, none refused or lost', async () => {
    // Each 512 × 512 map holds 4 MiB while it is drawn, more than RELIEF_MAX_MAP_MEMORY (1 MiB):
    // they are composited one at a time, each after the one before gives its memory back.
    const query = (layers: number) =>
      mapQuery('1.3.0', repeated('elevation', layers), 512, 512).replace(
        'BBOX=46.1,8.1,46.9,8.9',
        'BBOX=46.2,8.2,46.8,8.8',
      );
    const [one, ...others] = await Promise.all(
      [1, 2, 3, 1].map((layers) => pixels(defaults, query(layers))),
    );
    for (const other of others) expect(other.data.equals(one!.data)).toBe(true);
    expect(one!.at(100, 100)[3]).toBe(255);
  });
});

describe('GetFeatureInfo budgets', () => {
  const info = (layers: string, queried: string) =>
    `SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=${layers}&STYLES=&CRS=EPSG:4326` +
    `&BBOX=46.1,8.1,46.9,8.9&WIDTH=64&HEIGHT=64&QUERY_LAYERS=${queried}&I=10&J=10&INFO_FORMAT=application/json`;

  it('refuses more LAYERS or QUERY_LAYERS than allowed, and does not count pixels it does not draw', async () => {
    const tooMany = await wmsException(
      tight,
      info(repeated('elevation', MAX_LAYERS + 1), 'elevation'),
      '1.3.0',
    );
    expect(tooMany.locator).toBe('LAYERS');
    const queriedTooOften = await wmsException(
      tight,
      info('elevation', repeated('elevation', MAX_LAYERS + 1)),
      '1.3.0',
    );
    expect(queriedTooOften).toMatchObject({
      code: 'InvalidParameterValue',
      locator: 'QUERY_LAYERS',
    });
    // 12 layers of 64 × 64 would be over the pixel budget for GetMap; GetFeatureInfo reads one pixel.
    const response = await get(tight, info(repeated('elevation', MAX_LAYERS), 'elevation'));
    expect(response.status, String(response.body)).toBe(200);
    const collection = JSON.parse(String(response.body));
    expect(collection.features[0].properties.value).toBe(1000);
  });

  it('cuts FEATURE_COUNT to RELIEF_MAX_FEATURE_COUNT', async () => {
    // Pixel (35, 35) lies in the three stacked squares.
    const query = (server: TestServer) =>
      get(
        server,
        info('stack', 'stack').replace('I=10&J=10', 'I=35&J=35') + '&FEATURE_COUNT=100000',
      );
    const cut = JSON.parse(String((await query(tight)).body));
    expect(cut.features.map((feature: { id: string }) => feature.id)).toEqual([
      'square-1',
      'square-2',
    ]);
    const all = JSON.parse(String((await query(defaults)).body));
    expect(all.features).toHaveLength(3);
  });
});

describe('GetCoverage budgets', () => {
  const GET_100 =
    'SERVICE=WCS&VERSION=1.0.0&REQUEST=GetCoverage&COVERAGE=elevation&CRS=EPSG:4326' +
    '&BBOX=8.1,46.1,8.9,46.9&FORMAT=GeoTIFF';
  const GET_201 = 'SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage&COVERAGEID=elevation';

  async function tiff(query: string) {
    const response = await get(tight, query);
    expect(response.status, String(response.body)).toBe(200);
    expect(response.headers['content-type']).toBe('image/tiff');
    const body = response.body as Buffer;
    const bytes = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
    const image = await (await fromArrayBuffer(bytes as ArrayBuffer)).getImage();
    const [band] = await image.readRasters();
    return { width: image.getWidth(), height: image.getHeight(), values: band as Int16Array };
  }

  function report(body: Buffer, root: string, tag: string, codeAttribute: string) {
    const doc = parseXml(String(body));
    expect(doc.name).toBe(root);
    const exceptions = all(doc.root, tag);
    expect(exceptions).toHaveLength(1);
    return {
      code: attr(exceptions[0]!, codeAttribute),
      locator: attr(exceptions[0]!, 'locator'),
      text: String(body),
    };
  }

  it('answers a WCS 1.0.0 coverage of exactly the pixel budget and refuses one row more', async () => {
    const exact = await tiff(`${GET_100}&WIDTH=64&HEIGHT=640`);
    expect([exact.width, exact.height]).toEqual([64, 640]);
    expect(exact.values.every((value) => value === 1000)).toBe(true);
    const response = await get(tight, `${GET_100}&WIDTH=64&HEIGHT=641`);
    expect(response.status).toBe(400);
    const refused = report(
      response.body as Buffer,
      'ServiceExceptionReport',
      'ServiceException',
      'code',
    );
    expect(refused).toMatchObject({ code: 'InvalidParameterValue', locator: 'WIDTH' });
    expect(refused.text).toContain(
      '64×641 pixels, more than the 40960 pixels one request may take (RELIEF_MAX_MAP_PIXELS)',
    );
  });

  it('answers a WCS 2.0.1 coverage scaled to exactly the pixel budget and refuses one row more', async () => {
    const exact = await tiff(`${GET_201}&SCALESIZE=Long(64),Lat(640)`);
    expect([exact.width, exact.height]).toEqual([64, 640]);
    expect(exact.values.every((value) => value === 1000)).toBe(true);
    const response = await get(tight, `${GET_201}&SCALESIZE=Long(64),Lat(641)`);
    expect(response.status).toBe(400);
    const refused = report(
      response.body as Buffer,
      'ows:ExceptionReport',
      'ows:Exception',
      'exceptionCode',
    );
    expect(refused).toMatchObject({ code: 'InvalidParameterValue', locator: 'SCALESIZE' });
  });

  it('refuses an unscaled GetCoverage of the whole coverage without reading it, suggesting a scaling that fits', async () => {
    // Warm the coverage catalogue, so only the answer's own reading would run on the pool.
    await tiff(`${GET_201}&SCALESIZE=Long(8),Lat(8)`);
    const before = tight.pool.stats.completed;
    // WCS 1.0.0 names a size or resolution: the whole coverage at its native resolution.
    const native100 =
      GET_100.replace('&BBOX=8.1,46.1,8.9,46.9', '&BBOX=8,46,9,47') +
      `&RESX=${1 / 1200}&RESY=${1 / 1200}`;
    for (const query of [GET_201, native100]) {
      const response = await get(tight, query);
      expect(response.status, String(response.body)).toBe(400);
      expect(String(response.body)).toContain('InvalidParameterValue');
    }
    expect(tight.pool.stats.completed).toBe(before);
    const advice = String((await get(tight, GET_201)).body);
    // 1201 × 1201 native samples scaled by 1201 / sqrt(40960) ≈ 5.94 to 202 × 202.
    expect(advice).toContain('SCALESIZE=Long(202),Lat(202) or SCALEFACTOR=5.94');
    expect(202 * 202).toBeLessThanOrEqual(MAX_PIXELS);
  });
});
