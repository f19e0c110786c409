/**
 * The WMS (1.3.0 and 1.1.1) over published layers, through HTTP, on generated terrain whose
 * heights the tests compute with the same functions: capabilities (layers, bounding boxes and
 * axis order, styles, legends), GetMap pixels (hillshade of a flat tile, nodata with and without
 * TRANSPARENT, colour relief at known heights, axis order, EPSG:3857, JPEG and WebP, vector
 * over raster), each exception in each version's form and as BLANK / INIMAGE images,
 * GetFeatureInfo on rasters and vectors, GetLegendGraphic, access control and cache filters.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FeatureCollection } from 'geojson';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedEntry } from '../../src/access/cache-filter.ts';
import type { ProjectLayerDefinition } from '../../src/project/load-project.ts';
import { latToMercatorY, lonToMercatorX } from '../../src/raster/raster-crs.ts';
import { hgtTileName as tileName } from '../../src/raster/hgt-tile-name.ts';
import { defaultHeightAt, generateHgt, sampleLatLon } from '../../src/testing/hgt-fixtures.ts';
import { all, attr, first, parseXml, text, texts, type XmlElement } from '../helpers/parse-xml.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const HOST = 'maps.example.org';
const ENDPOINT = `http://${HOST}/ows`;
const OGC_NS = 'http://www.opengis.net/ogc';
const SAMPLES = 1201;
const MAX_SIZE = 1024;

/** Constant-height tiles at colour-ramp stops; N46E007 is varied terrain; N47E007 is missing. */
const FLAT_TILES = [
  { lat: 45, lon: 7, height: 0 },
  { lat: 45, lon: 8, height: 500 },
  { lat: 46, lon: 8, height: 1000 },
];
/** DEFAULT_COLOR_RAMP's colours at those heights. */
const RAMP = new Map([
  [0, [40, 140, 70, 255]],
  [500, [150, 200, 90, 255]],
  [1000, [240, 220, 110, 255]],
]);

const ZONES: FeatureCollection = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      id: 'zone-a',
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
      properties: { name: 'Zone A', owner: 'Alice' },
    },
  ],
};

const PLACES: FeatureCollection = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [8.2, 46.8] },
      properties: { name: 'Hut' },
    },
    {
      type: 'Feature',
      geometry: {
        type: 'LineString',
        coordinates: [
          [8.1, 46.2],
          [8.9, 46.2],
        ],
      },
      properties: { name: 'Trail' },
    },
    {
      type: 'Feature',
      geometry: {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [8.65, 46.65],
              [8.85, 46.65],
              [8.85, 46.85],
              [8.65, 46.85],
              [8.65, 46.65],
            ],
            // A hole, wound the same way as the shell: even-odd filling still leaves it empty.
            [
              [8.7, 46.7],
              [8.8, 46.7],
              [8.8, 46.8],
              [8.7, 46.8],
              [8.7, 46.7],
            ],
          ],
        ],
      },
      properties: { name: 'Ring' },
    },
  ],
};

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: { RELIEF_MAX_IMAGE_SIZE: String(MAX_SIZE) } });
  const folder = join(server.dataDir, 'tiles');
  const write = async (
    lat: number,
    lon: number,
    heightAt: (lat: number, lon: number) => number,
  ) => {
    const name = tileName({ lat, lon });
    await mkdir(join(folder, name.slice(0, 3)), { recursive: true });
    await writeFile(
      join(folder, name.slice(0, 3), `${name}.hgt`),
      generateHgt({ lat, lon }, SAMPLES, heightAt),
    );
  };
  await write(46, 7, defaultHeightAt);
  for (const { lat, lon, height } of FLAT_TILES) await write(lat, lon, () => height);
  server.layers.publish({
    name: 'elevation',
    title: 'Elevation',
    abstract: 'Generated terrain',
    keywords: ['terrain', 'test'],
    kind: 'raster',
    source: { kind: 'hgt-folder', path: folder },
  });
  const zones: ProjectLayerDefinition = {
    name: 'zones',
    title: 'Zones',
    kind: 'vector',
    source: { kind: 'features', data: ZONES },
    vectorStyle: { fill: '#ff0000', stroke: '#ff0000', strokeWidth: 1, opacity: 1 },
  };
  server.layers.publish(zones);
  server.layers.publish({
    name: 'places',
    title: 'Places',
    kind: 'vector',
    source: { kind: 'features', data: PLACES },
  });
  server.layers.publish({
    name: 'secret',
    title: 'Secret',
    kind: 'raster',
    source: { kind: 'hgt-folder', path: folder },
    bbox: [7, 45, 9, 47],
  });
});

afterAll(async () => {
  await server?.close();
});

const get = (query: string) =>
  request(server.app.server)
    .get(`/ows?${query}`)
    .set('Host', HOST)
    .buffer(true)
    .parse((response, callback) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => callback(null, Buffer.concat(chunks)));
    });

async function getText(query: string) {
  const response = await get(query);
  return {
    status: response.status,
    type: response.headers['content-type'],
    text: String(response.body),
  };
}

interface Pixels {
  width: number;
  height: number;
  data: Buffer;
  at(x: number, y: number): number[];
}

async function getImage(query: string, format = 'image/png'): Promise<Pixels> {
  const response = await get(query);
  expect(response.status, String(response.body)).toBe(200);
  expect(response.headers['content-type']).toBe(format);
  return decode(response.body as Buffer);
}

async function decode(body: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(body)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data,
    at: (x, y) => [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)],
  };
}

/** A GetMap query: PNG and default styles unless `params` say otherwise. */
function mapQuery(version: '1.3.0' | '1.1.1', params: string): string {
  const defaults = ['FORMAT=image/png', 'STYLES='].filter(
    (pair) => !params.toUpperCase().includes(`${pair.split('=')[0]}=`),
  );
  return [`SERVICE=WMS&VERSION=${version}&REQUEST=GetMap`, ...defaults, params].join('&');
}
const map130 = (params: string) => mapQuery('1.3.0', params);
const map111 = (params: string) => mapQuery('1.1.1', params);

/** The one exception of a ServiceExceptionReport, checked for the version's form. */
async function expectException(
  query: string,
  version: '1.3.0' | '1.1.1',
  code: string,
  locator: string | undefined,
  status = 400,
) {
  const response = await getText(query);
  expect(response.status, response.text).toBe(status);
  const doc = parseXml(response.text);
  expect(doc.name).toBe('ServiceExceptionReport');
  expect(attr(doc.root, 'version')).toBe(version);
  if (version === '1.3.0') {
    expect(response.type).toBe('text/xml; charset=utf-8');
    expect(doc.namespace).toBe(OGC_NS);
  } else {
    expect(response.type).toBe('application/vnd.ogc.se_xml; charset=utf-8');
    expect(response.text).toContain('exception_1_1_1.dtd');
    expect(doc.namespace).toBeUndefined();
  }
  const exception = first(doc.root, 'ServiceException');
  expect(attr(exception, 'code')).toBe(code);
  expect(attr(exception, 'locator')).toBe(locator);
  return text(exception);
}

describe('GetCapabilities', () => {
  function namedLayers(root: XmlElement): XmlElement[] {
    return all(first(root, 'Capability', 'Layer'), 'Layer');
  }

  it('lists each layer with CRSs, bounding boxes in 1.3.0 axis order, styles and legends', async () => {
    const response = await getText('SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities');
    expect(response.status).toBe(200);
    const doc = parseXml(response.text);
    const layers = namedLayers(doc.root);
    expect(layers.map((l) => texts(l, 'Name')[0])).toEqual([
      'elevation',
      'zones',
      'places',
      'secret',
    ]);
    const elevation = layers[0] as XmlElement;
    expect(attr(elevation, 'queryable')).toBe('1');
    expect(texts(elevation, 'Title')).toEqual(['Elevation']);
    expect(texts(elevation, 'Abstract')).toEqual(['Generated terrain']);
    expect(texts(first(elevation, 'KeywordList'), 'Keyword')).toEqual(['terrain', 'test']);
    expect(texts(elevation, 'CRS')).toEqual(['EPSG:4326', 'CRS:84', 'EPSG:3857']);
    // The tiles' samples span 7…9 E, 45…47 N; pixel edges lie half a sample beyond.
    const half = 1 / 1200 / 2;
    const [w, s, e, n] = [7 - half, 45 - half, 9 + half, 47 + half];
    const geographic = first(elevation, 'EX_GeographicBoundingBox');
    const edges = [
      'westBoundLongitude',
      'eastBoundLongitude',
      'southBoundLatitude',
      'northBoundLatitude',
    ];
    expect(edges.map((name) => Number(text(first(geographic, name))))).toEqual(
      [w, e, s, n].map((v) => expect.closeTo(v, 8)),
    );
    const boxes = Object.fromEntries(
      all(elevation, 'BoundingBox').map((box) => [
        attr(box, 'CRS'),
        ['minx', 'miny', 'maxx', 'maxy'].map((name) => Number(attr(box, name))),
      ]),
    );
    expect(Object.keys(boxes)).toEqual(['CRS:84', 'EPSG:4326', 'EPSG:3857']);
    expect(boxes['CRS:84']).toEqual([w, s, e, n].map((v) => expect.closeTo(v, 8)));
    // EPSG:4326 in WMS 1.3.0: latitude first.
    expect(boxes['EPSG:4326']).toEqual([s, w, n, e].map((v) => expect.closeTo(v, 8)));
    expect(boxes['EPSG:3857']).toEqual(
      [lonToMercatorX(w), latToMercatorY(s), lonToMercatorX(e), latToMercatorY(n)].map((v) =>
        expect.closeTo(v, 1),
      ),
    );

    const styles = all(elevation, 'Style');
    expect(styles.map((style) => texts(style, 'Name')[0])).toEqual([
      'hillshade',
      'grey',
      'color-relief',
    ]);
    const legend = first(styles[2] as XmlElement, 'LegendURL');
    expect(texts(legend, 'Format')).toEqual(['image/png']);
    const href = attr(first(legend, 'OnlineResource'), 'xlink:href') as string;
    expect(href.startsWith(`${ENDPOINT}?`)).toBe(true);
    const url = new URL(href);
    expect(url.searchParams.get('REQUEST')).toBe('GetLegendGraphic');
    expect(url.searchParams.get('LAYER')).toBe('elevation');
    expect(url.searchParams.get('STYLE')).toBe('color-relief');
    // The legend is as large as announced.
    const image = await decode((await get(url.search.slice(1))).body as Buffer);
    expect([image.width, image.height]).toEqual([
      Number(attr(legend, 'width')),
      Number(attr(legend, 'height')),
    ]);

    const zones = layers[1] as XmlElement;
    expect(all(zones, 'Style').map((style) => texts(style, 'Name')[0])).toEqual(['default']);
    const zoneBox = all(zones, 'BoundingBox').find((box) => attr(box, 'CRS') === 'EPSG:4326');
    expect(
      ['minx', 'miny', 'maxx', 'maxy'].map((name) => attr(zoneBox as XmlElement, name)),
    ).toEqual(['46.3', '8.3', '46.6', '8.6']);
  });

  it('lists the same layers in 1.1.1 with SRS, LatLonBoundingBox and longitude first', async () => {
    const response = await getText('SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities');
    expect(response.status).toBe(200);
    const doc = parseXml(response.text);
    const zones = namedLayers(doc.root)[1] as XmlElement;
    expect(texts(zones, 'SRS')).toEqual(['EPSG:4326', 'EPSG:3857']);
    const latLon = first(zones, 'LatLonBoundingBox');
    expect(['minx', 'miny', 'maxx', 'maxy'].map((name) => attr(latLon, name))).toEqual([
      '8.3',
      '46.3',
      '8.6',
      '46.6',
    ]);
    const box = first(zones, 'BoundingBox');
    expect(attr(box, 'SRS')).toBe('EPSG:4326');
    expect(['minx', 'miny', 'maxx', 'maxy'].map((name) => attr(box, name))).toEqual([
      '8.3',
      '46.3',
      '8.6',
      '46.6',
    ]);
    const legend = first(all(zones, 'Style')[0] as XmlElement, 'LegendURL');
    expect(attr(first(legend, 'OnlineResource'), 'xmlns:xlink')).toBe(
      'http://www.w3.org/1999/xlink',
    );
  });
});

describe('GetMap', () => {
  it('hillshades a flat tile uniformly', async () => {
    const image = await getImage(
      map130('LAYERS=elevation&CRS=EPSG:4326&BBOX=46.1,8.1,46.9,8.9&WIDTH=64&HEIGHT=64'),
    );
    const first = image.at(0, 0);
    expect(first[3]).toBe(255);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) expect(image.at(x, y)).toEqual(first);
  });

  it('leaves nodata transparent with TRANSPARENT=TRUE and paints BGCOLOR without', async () => {
    // 46.5…47.5 N: the northern half lies in the missing N47E007 tile.
    const area = 'LAYERS=elevation&CRS=CRS:84&BBOX=7.2,46.5,7.8,47.5&WIDTH=60&HEIGHT=100';
    const clear = await getImage(map130(`${area}&TRANSPARENT=TRUE`));
    const painted = await getImage(map130(`${area}&TRANSPARENT=FALSE&BGCOLOR=0x0000FF`));
    for (const x of [0, 30, 59]) {
      for (const y of [0, 20, 45]) {
        expect(clear.at(x, y)[3]).toBe(0);
        expect(painted.at(x, y)).toEqual([0, 0, 255, 255]);
      }
      for (const y of [55, 80, 99]) {
        expect(clear.at(x, y)[3]).toBe(255);
        expect(painted.at(x, y)).toEqual(clear.at(x, y));
      }
    }
  });

  it('maps known heights to the colour ramp', async () => {
    // 0 m west of 8° E, 500 m east of it, at 0.01° per pixel.
    const image = await getImage(
      map130(
        'LAYERS=elevation&STYLES=color-relief&CRS=EPSG:4326&BBOX=45.1,7.1,45.9,8.9&WIDTH=180&HEIGHT=80',
      ),
    );
    for (const y of [0, 40, 79]) {
      for (const x of [0, 50, 88]) expect(image.at(x, y)).toEqual(RAMP.get(0));
      for (const x of [91, 130, 179]) expect(image.at(x, y)).toEqual(RAMP.get(500));
    }
    const high = await getImage(
      map130(
        'LAYERS=elevation&STYLES=color-relief&CRS=CRS:84&BBOX=8.1,46.1,8.9,46.9&WIDTH=16&HEIGHT=16',
      ),
    );
    for (let p = 0; p < 16 * 16; p++)
      expect(high.at(p % 16, Math.floor(p / 16))).toEqual(RAMP.get(1000));
  });

  it('reads EPSG:4326 latitude first in 1.3.0 and longitude first in 1.1.1', async () => {
    const area = 'LAYERS=elevation&STYLES=color-relief&WIDTH=70&HEIGHT=40';
    const v130 = await getImage(map130(`${area}&CRS=EPSG:4326&BBOX=46.2,7.2,46.8,7.9`));
    const v111 = await getImage(map111(`${area}&SRS=EPSG:4326&BBOX=7.2,46.2,7.9,46.8`));
    const crs84 = await getImage(map130(`${area}&CRS=CRS:84&BBOX=7.2,46.2,7.9,46.8`));
    expect(v130.data.equals(v111.data)).toBe(true);
    expect(v130.data.equals(crs84.data)).toBe(true);
    // The terrain varies, so the image is not uniform.
    expect(
      new Set(Array.from({ length: 70 }, (_, x) => v130.at(x, 20).join())).size,
    ).toBeGreaterThan(1);
    const swapped = await getImage(map130(`${area}&CRS=EPSG:4326&BBOX=7.2,46.2,7.9,46.8`));
    expect(swapped.data.equals(v130.data)).toBe(false);
    // Latitude 7…8, longitude 46…47: no data there, only the white background.
    expect(swapped.at(35, 20)).toEqual([255, 255, 255, 255]);
  });

  it('draws EPSG:3857 with Mercator rows', async () => {
    // 20…70 N over the flat tiles at 8 E: 500 m from 45 to 46 N, 1000 m from 46 to 47 N.
    const [minX, maxX] = [lonToMercatorX(8.2), lonToMercatorX(8.8)];
    const [minY, maxY] = [latToMercatorY(20), latToMercatorY(70)];
    const height = 200;
    const image = await getImage(
      map111(
        `LAYERS=elevation&STYLES=color-relief&SRS=EPSG:3857&BBOX=${minX},${minY},${maxX},${maxY}&WIDTH=30&HEIGHT=${height}&TRANSPARENT=TRUE`,
      ),
    );
    const row = (lat: number) => ((maxY - latToMercatorY(lat)) / (maxY - minY)) * height;
    // Far from where a linear latitude grid would put them (47 N: row 92).
    expect(row(47)).toBeGreaterThan(110);
    const expected = (y: number) => {
      if (y < row(47) - 1 || y > row(45) + 1) return 'nodata';
      if (y > row(47) + 1 && y < row(46) - 1) return 1000;
      if (y > row(46) + 1 && y < row(45) - 1) return 500;
      return 'edge';
    };
    for (const x of [0, 15, 29]) {
      for (let y = 0; y < height; y++) {
        const want = expected(y);
        if (want === 'nodata') expect(image.at(x, y)[3], `row ${y}`).toBe(0);
        else if (want !== 'edge') expect(image.at(x, y), `row ${y}`).toEqual(RAMP.get(want));
      }
    }
  });

  it('encodes JPEG and WebP', async () => {
    const area =
      'LAYERS=elevation&STYLES=color-relief&CRS=CRS:84&BBOX=8.1,46.1,8.9,46.9&WIDTH=40&HEIGHT=30';
    for (const format of ['image/jpeg', 'image/webp']) {
      const response = await get(map130(`${area}&FORMAT=${format}`));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(format);
      const metadata = await sharp(response.body as Buffer).metadata();
      expect(metadata.format).toBe(format === 'image/jpeg' ? 'jpeg' : 'webp');
      expect([metadata.width, metadata.height]).toEqual([40, 30]);
      const image = await decode(response.body as Buffer);
      const [r, g, b] = image.at(20, 15);
      const expected = RAMP.get(1000) as number[];
      for (const [c, value] of [r, g, b].entries())
        expect(Math.abs(value! - expected[c]!)).toBeLessThan(8);
    }
  });

  it('composites the layers in LAYERS order, the first at the bottom', async () => {
    // 0.01° per pixel over the flat 1000 m tile; the zone covers 8.3…8.6 E, 46.3…46.6 N.
    const area = 'CRS=CRS:84&BBOX=8.1,46.1,8.9,46.9&WIDTH=80&HEIGHT=80';
    const over = await getImage(map130(`LAYERS=elevation,zones&STYLES=color-relief,&${area}`));
    expect(over.at(35, 35)).toEqual([255, 0, 0, 255]);
    expect(over.at(5, 5)).toEqual(RAMP.get(1000));
    expect(over.at(75, 35)).toEqual(RAMP.get(1000));
    const under = await getImage(map130(`LAYERS=zones,elevation&STYLES=,color-relief&${area}`));
    expect(under.at(35, 35)).toEqual(RAMP.get(1000));
    // Alone, the vector layer leaves the rest transparent.
    const alone = await getImage(map130(`LAYERS=zones&${area}&TRANSPARENT=TRUE`));
    expect(alone.at(35, 35)).toEqual([255, 0, 0, 255]);
    expect(alone.at(5, 5)[3]).toBe(0);
  });

  it('leaves the holes of polygons empty', async () => {
    const image = await getImage(
      map130('LAYERS=places&CRS=CRS:84&BBOX=8.1,46.1,8.9,46.9&WIDTH=80&HEIGHT=80&TRANSPARENT=TRUE'),
    );
    // The ring between 8.65 and 8.7 E is filled; the hole around 8.75 E, 46.75 N is not.
    expect(image.at(57, 15)[3]).toBeGreaterThan(0);
    expect(image.at(65, 15)[3]).toBe(0);
    expect(image.at(10, 60)[3]).toBe(0);
  });

  it('draws a vector layer in EPSG:3857 at the projected place', async () => {
    const bbox = [
      lonToMercatorX(8.1),
      latToMercatorY(46.1),
      lonToMercatorX(8.9),
      latToMercatorY(46.9),
    ];
    const image = await getImage(
      map130(
        `LAYERS=zones&CRS=EPSG:3857&BBOX=${bbox.join(',')}&WIDTH=80&HEIGHT=80&TRANSPARENT=TRUE`,
      ),
    );
    const row = (lat: number) => ((bbox[3]! - latToMercatorY(lat)) / (bbox[3]! - bbox[1]!)) * 80;
    expect(image.at(45, Math.round((row(46.3) + row(46.6)) / 2))).toEqual([255, 0, 0, 255]);
    expect(image.at(45, Math.floor(row(46.6)) - 3)[3]).toBe(0);
    expect(image.at(45, Math.ceil(row(46.3)) + 3)[3]).toBe(0);
  });
});

describe('GetMap exceptions', () => {
  const good130 = 'LAYERS=elevation&CRS=EPSG:4326&BBOX=46,7,47,8&WIDTH=10&HEIGHT=10';
  const good111 = 'LAYERS=elevation&SRS=EPSG:4326&BBOX=7,46,8,47&WIDTH=10&HEIGHT=10';

  it('answers an unknown layer with LayerNotDefined', async () => {
    const message = await expectException(
      map130(good130.replace('LAYERS=elevation', 'LAYERS=elevation,nowhere')),
      '1.3.0',
      'LayerNotDefined',
      'LAYERS',
    );
    expect(message).toBe('Layer "nowhere" is not defined');
    await expectException(
      map111(good111.replace('elevation', 'nowhere')),
      '1.1.1',
      'LayerNotDefined',
      'LAYERS',
    );
  });

  it('answers an unknown CRS with InvalidCRS in 1.3.0 and InvalidSRS in 1.1.1', async () => {
    await expectException(
      map130(good130.replace('EPSG:4326', 'EPSG:2056')),
      '1.3.0',
      'InvalidCRS',
      'CRS',
    );
    await expectException(
      map111(good111.replace('EPSG:4326', 'EPSG:2056')),
      '1.1.1',
      'InvalidSRS',
      'SRS',
    );
    // CRS:84 is a 1.3.0 name.
    await expectException(
      map111(good111.replace('EPSG:4326', 'CRS:84')),
      '1.1.1',
      'InvalidSRS',
      'SRS',
    );
  });

  it('answers a bad BBOX with InvalidParameterValue', async () => {
    for (const bbox of [
      '46,7,47',
      '46,7,47,8,9',
      '47,7,46,8',
      '46,8,47,8',
      'a,7,47,8',
      '46,,47,8',
    ]) {
      await expectException(
        map130(good130.replace('BBOX=46,7,47,8', `BBOX=${bbox}`)),
        '1.3.0',
        'InvalidParameterValue',
        'BBOX',
      );
    }
    await expectException(
      map111(good111.replace('BBOX=7,46,8,47', 'BBOX=8,46,7,47')),
      '1.1.1',
      'InvalidParameterValue',
      'BBOX',
    );
  });

  it('answers a size beyond the limit or not a positive integer with InvalidParameterValue', async () => {
    await expectException(
      map130(good130.replace('WIDTH=10', `WIDTH=${MAX_SIZE + 1}`)),
      '1.3.0',
      'InvalidParameterValue',
      'WIDTH',
    );
    for (const height of ['0', '-5', '2.5', 'ten']) {
      await expectException(
        map111(good111.replace('HEIGHT=10', `HEIGHT=${height}`)),
        '1.1.1',
        'InvalidParameterValue',
        'HEIGHT',
      );
    }
  });

  it('answers an unknown FORMAT with InvalidFormat', async () => {
    await expectException(
      map130(good130).replace('FORMAT=image/png', 'FORMAT=image/gif'),
      '1.3.0',
      'InvalidFormat',
      'FORMAT',
    );
    await expectException(
      map111(good111).replace('FORMAT=image/png', 'FORMAT=application/pdf'),
      '1.1.1',
      'InvalidFormat',
      'FORMAT',
    );
  });

  it('answers an unknown style or a wrong number of styles with StyleNotDefined', async () => {
    await expectException(
      map130(good130).replace('STYLES=', 'STYLES=sepia'),
      '1.3.0',
      'StyleNotDefined',
      'STYLES',
    );
    await expectException(
      map111(good111).replace('STYLES=', 'STYLES=grey,grey'),
      '1.1.1',
      'StyleNotDefined',
      'STYLES',
    );
    // A vector layer has only its default style.
    await expectException(
      map130(good130.replace('elevation', 'zones')).replace('STYLES=', 'STYLES=hillshade'),
      '1.3.0',
      'StyleNotDefined',
      'STYLES',
    );
  });

  it('answers with a blank image for EXCEPTIONS=BLANK', async () => {
    const bad = map130(good130.replace('elevation', 'nowhere'));
    const clear = await getImage(`${bad}&EXCEPTIONS=BLANK&TRANSPARENT=TRUE`);
    expect([clear.width, clear.height]).toEqual([10, 10]);
    expect(clear.at(5, 5)[3]).toBe(0);
    const painted = await getImage(
      `${map111(good111.replace('elevation', 'nowhere'))}&EXCEPTIONS=application/vnd.ogc.se_blank&BGCOLOR=0x00FF00`,
    );
    expect(painted.at(5, 5)).toEqual([0, 255, 0, 255]);
    // Without a usable size the XML report is the answer.
    await expectException(
      `${bad.replace('WIDTH=10', 'WIDTH=0')}&EXCEPTIONS=BLANK`,
      '1.3.0',
      'LayerNotDefined',
      'LAYERS',
    );
  });

  it('draws the message for EXCEPTIONS=INIMAGE', async () => {
    const image = await getImage(
      `${map130(good130.replace('elevation', 'nowhere').replace(/WIDTH=10&HEIGHT=10/, 'WIDTH=300&HEIGHT=60'))}&EXCEPTIONS=INIMAGE`,
    );
    expect([image.width, image.height]).toEqual([300, 60]);
    expect(image.at(299, 59)).toEqual([255, 255, 255, 255]);
  });
});

describe('GetFeatureInfo', () => {
  // 77 × 53 pixels over 7.2…7.9 E, 46.3…46.8 N: pixel centres that do not fall on samples.
  const mapPart = 'LAYERS=elevation,zones,places&STYLES=&WIDTH=77&HEIGHT=53';
  const info130 = (params: string) =>
    `SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&${mapPart}&CRS=EPSG:4326&BBOX=46.3,7.2,46.8,7.9&${params}`;
  const info111 = (params: string) =>
    `SERVICE=WMS&VERSION=1.1.1&REQUEST=GetFeatureInfo&${mapPart}&SRS=EPSG:4326&BBOX=7.2,46.3,7.9,46.8&${params}`;

  /** The generated height of the sample nearest the centre of pixel (i, j). */
  function expectedHeight(i: number, j: number): number {
    const lon = 7.2 + ((i + 0.5) * 0.7) / 77;
    const lat = 46.8 - ((j + 0.5) * 0.5) / 53;
    const row = Math.round((47 - lat) * (SAMPLES - 1));
    const col = Math.round((lon - 7) * (SAMPLES - 1));
    const [sampleLat, sampleLon] = sampleLatLon({ lat: 46, lon: 7 }, SAMPLES, row, col);
    return defaultHeightAt(sampleLat, sampleLon);
  }

  it('reports the height of the sample nearest the pixel centre, in each format', async () => {
    for (const [i, j] of [
      [0, 0],
      [13, 17],
      [40, 26],
      [76, 52],
    ] as const) {
      const json = await getText(
        info130(`QUERY_LAYERS=elevation&I=${i}&J=${j}&INFO_FORMAT=application/json`),
      );
      expect(json.status, json.text).toBe(200);
      expect(json.type).toBe('application/json; charset=utf-8');
      const collection = JSON.parse(json.text);
      expect(collection.type).toBe('FeatureCollection');
      const [feature] = collection.features;
      expect(feature.layer).toBe('elevation');
      expect(feature.properties.value).toBe(expectedHeight(i, j));
      expect(feature.geometry.coordinates[0]).toBeCloseTo(7.2 + ((i + 0.5) * 0.7) / 77, 8);
      expect(feature.geometry.coordinates[1]).toBeCloseTo(46.8 - ((j + 0.5) * 0.5) / 53, 8);
      // 1.1.1 names the pixel X and Y.
      const plain = await getText(
        info111(`QUERY_LAYERS=elevation&X=${i}&Y=${j}&INFO_FORMAT=text/plain`),
      );
      expect(plain.type).toBe('text/plain; charset=utf-8');
      expect(plain.text).toContain(`Layer 'elevation'\nvalue = ${expectedHeight(i, j)}\n`);
    }
    const html = await getText(info130('QUERY_LAYERS=elevation&I=13&J=17&INFO_FORMAT=text/html'));
    expect(html.type).toBe('text/html; charset=utf-8');
    expect(html.text).toContain(`<td>${expectedHeight(13, 17)}</td>`);
    const gml = await getText(
      info130('QUERY_LAYERS=elevation&I=13&J=17&INFO_FORMAT=application/vnd.ogc.gml'),
    );
    const doc = parseXml(gml.text);
    expect(doc.name).toBe('wfs:FeatureCollection');
    const member = first(doc.root, 'gml:featureMember', 'relief:elevation');
    expect(texts(member, 'relief:value')).toEqual([String(expectedHeight(13, 17))]);
  });

  it('reports no data where the layer has none', async () => {
    const response = await getText(
      'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=elevation&STYLES=&CRS=CRS:84&BBOX=7.2,47.2,7.4,47.4&WIDTH=10&HEIGHT=10&QUERY_LAYERS=elevation&I=5&J=5&INFO_FORMAT=application/json',
    );
    expect(JSON.parse(response.text).features[0].properties.value).toBeNull();
  });

  it('finds vector features under the point: polygons containing it, lines and points near it', async () => {
    const area =
      'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=zones,places&STYLES=&CRS=CRS:84&BBOX=8.1,46.1,8.9,46.9&WIDTH=80&HEIGHT=80&QUERY_LAYERS=zones,places&INFO_FORMAT=application/json&FEATURE_COUNT=10';
    const found = async (i: number, j: number) =>
      JSON.parse((await getText(`${area}&I=${i}&J=${j}`)).text).features as Array<{
        id: string;
        layer: string;
        properties: Record<string, unknown>;
      }>;
    expect(await found(35, 35)).toEqual([
      expect.objectContaining({
        id: 'zone-a',
        layer: 'zones',
        properties: { name: 'Zone A', owner: 'Alice' },
      }),
    ]);
    expect(await found(75, 35)).toEqual([]);
    // The hut (8.2 E, 46.8 N) is at the corner of pixel (10, 10); 2.5 pixels off still finds it.
    expect((await found(12, 10)).map((f) => f.properties.name)).toEqual(['Hut']);
    expect(await found(25, 10)).toEqual([]);
    // The trail runs along 46.2 N, row 70.
    expect((await found(50, 71)).map((f) => f.properties.name)).toEqual(['Trail']);
    expect(await found(50, 60)).toEqual([]);
    // Inside the ring, not in its hole.
    expect((await found(57, 15)).map((f) => f.properties.name)).toEqual(['Ring']);
    expect(await found(65, 15)).toEqual([]);
  });

  it('answers bad requests with the GetFeatureInfo exception codes', async () => {
    await expectException(
      info130('QUERY_LAYERS=secret&I=1&J=1'),
      '1.3.0',
      'LayerNotQueryable',
      'QUERY_LAYERS',
    );
    await expectException(
      info130('QUERY_LAYERS=nowhere&I=1&J=1'),
      '1.3.0',
      'LayerNotDefined',
      'QUERY_LAYERS',
    );
    await expectException(
      info130('QUERY_LAYERS=elevation&I=77&J=1&INFO_FORMAT=text/plain'),
      '1.3.0',
      'InvalidPoint',
      'I',
    );
    await expectException(info111('QUERY_LAYERS=elevation&X=1&Y=-1'), '1.1.1', 'InvalidPoint', 'Y');
    await expectException(
      info130('QUERY_LAYERS=elevation&I=1&J=1&INFO_FORMAT=image/png'),
      '1.3.0',
      'InvalidFormat',
      'INFO_FORMAT',
    );
  });
});

describe('mandatory and numeric parameters', () => {
  const base130 =
    'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=elevation&STYLES=&FORMAT=image/png&CRS=EPSG:4326&BBOX=46.1,8.1,46.9,8.9&WIDTH=64&HEIGHT=64';
  const info =
    'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=elevation&STYLES=&CRS=EPSG:4326&BBOX=46.1,8.1,46.9,8.9&WIDTH=64&HEIGHT=64&QUERY_LAYERS=elevation&INFO_FORMAT=text/plain';

  it('refuses GetMap without any one of its mandatory parameters, STYLES included (1.3.0 and 1.1.1)', async () => {
    for (const name of ['LAYERS', 'STYLES', 'CRS', 'BBOX', 'WIDTH', 'HEIGHT', 'FORMAT']) {
      const query = base130.replace(new RegExp(`&${name}=[^&]*`), '');
      const code = name === 'CRS' || name === 'LAYERS' ? undefined : 'MissingParameterValue';
      const response = await getText(query);
      expect(response.status, name).toBe(400);
      expect(response.text, name).toContain(`locator="${name}"`);
      if (code !== undefined) expect(response.text, name).toContain(`code="${code}"`);
    }
    await expectException(
      'SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=elevation&SRS=EPSG:4326&BBOX=8.1,46.1,8.9,46.9&WIDTH=64&HEIGHT=64&FORMAT=image/png',
      '1.1.1',
      'MissingParameterValue',
      'STYLES',
    );
  });

  it('refuses WIDTH=1e400, hex and negative sizes, and BBOX with NaN, Infinity, hex or min > max', async () => {
    for (const [from, to, locator] of [
      ['WIDTH=64', 'WIDTH=1e400', 'WIDTH'],
      ['WIDTH=64', 'WIDTH=0x40', 'WIDTH'],
      ['HEIGHT=64', 'HEIGHT=-64', 'HEIGHT'],
      ['BBOX=46.1,8.1,46.9,8.9', 'BBOX=NaN,8.1,46.9,8.9', 'BBOX'],
      ['BBOX=46.1,8.1,46.9,8.9', 'BBOX=46.1,8.1,Infinity,8.9', 'BBOX'],
      ['BBOX=46.1,8.1,46.9,8.9', 'BBOX=1e400,8.1,46.9,8.9', 'BBOX'],
      ['BBOX=46.1,8.1,46.9,8.9', 'BBOX=0x10,8.1,46.9,8.9', 'BBOX'],
      ['BBOX=46.1,8.1,46.9,8.9', 'BBOX=46.9,8.1,46.1,8.9', 'BBOX'],
    ] as const) {
      await expectException(base130.replace(from, to), '1.3.0', 'InvalidParameterValue', locator);
    }
  });

  it('refuses GetFeatureInfo 1.3.0 without INFO_FORMAT, with I/J outside the map and a negative FEATURE_COUNT', async () => {
    await expectException(
      `${info.replace('&INFO_FORMAT=text/plain', '')}&I=1&J=1`,
      '1.3.0',
      'MissingParameterValue',
      'INFO_FORMAT',
    );
    await expectException(`${info}&I=64&J=1`, '1.3.0', 'InvalidPoint', 'I');
    await expectException(`${info}&I=1&J=-1`, '1.3.0', 'InvalidPoint', 'J');
    await expectException(`${info}&I=1e1&J=1`, '1.3.0', 'InvalidPoint', 'I');
    const count = await getText(`${info}&I=1&J=1&FEATURE_COUNT=-1`);
    expect(count.status).toBe(400);
    expect(count.text).toContain('locator="FEATURE_COUNT"');
  });
});

describe('GetLegendGraphic', () => {
  it('draws a PNG legend for each style', async () => {
    for (const [layer, style] of [
      ['elevation', 'color-relief'],
      ['elevation', 'grey'],
      ['elevation', ''],
      ['zones', ''],
    ]) {
      const response = await get(
        `SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=${layer}&STYLE=${style}&FORMAT=image/png&SLD_VERSION=1.1.0`,
      );
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('image/png');
      expect((await sharp(response.body as Buffer).metadata()).format).toBe('png');
    }
    // The vector swatch is painted with the layer's fill.
    const swatch = await decode(
      (await get('SERVICE=WMS&VERSION=1.1.1&REQUEST=GetLegendGraphic&LAYER=zones&FORMAT=image/png'))
        .body as Buffer,
    );
    expect(swatch.at(16, 15)).toEqual([255, 0, 0, 255]);
    await expectException(
      'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=elevation&STYLE=sepia',
      '1.3.0',
      'StyleNotDefined',
      'STYLE',
    );
    await expectException(
      'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=elevation&FORMAT=image/jpeg',
      '1.3.0',
      'InvalidFormat',
      'FORMAT',
    );
  });
});

describe('access control', () => {
  it('hides an unreadable layer from capabilities and refuses it as if it did not exist', async () => {
    const capabilities = 'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities';
    // Cached before the filter exists: the filter must still take effect.
    expect((await getText(capabilities)).text).toContain('<Name>secret</Name>');
    server.accessControl.register(
      {
        canRead: (_ctx, layer) => layer.name !== 'secret',
        authorizedAttributes: (_ctx, _layer, attributes) => attributes.filter((a) => a !== 'owner'),
      },
      0,
      'test',
    );
    try {
      const doc = parseXml((await getText(capabilities)).text);
      const names = all(first(doc.root, 'Capability', 'Layer'), 'Layer').map(
        (l) => texts(l, 'Name')[0],
      );
      expect(names).toEqual(['elevation', 'zones', 'places']);
      const unknown = await expectException(
        map130('LAYERS=nowhere&CRS=CRS:84&BBOX=7,46,8,47&WIDTH=10&HEIGHT=10'),
        '1.3.0',
        'LayerNotDefined',
        'LAYERS',
      );
      const refused = await expectException(
        map130('LAYERS=secret&CRS=CRS:84&BBOX=7,46,8,47&WIDTH=10&HEIGHT=10'),
        '1.3.0',
        'LayerNotDefined',
        'LAYERS',
      );
      expect(refused).toBe(unknown.replace('nowhere', 'secret'));
      await expectException(
        'SERVICE=WMS&VERSION=1.1.1&REQUEST=GetFeatureInfo&LAYERS=elevation,secret&STYLES=&SRS=EPSG:4326&BBOX=7,46,8,47&WIDTH=10&HEIGHT=10&QUERY_LAYERS=secret&X=1&Y=1',
        '1.1.1',
        'LayerNotDefined',
        'LAYERS',
      );
      await expectException(
        'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=elevation&STYLES=&CRS=CRS:84&BBOX=7,46,8,47&WIDTH=10&HEIGHT=10&QUERY_LAYERS=secret&I=1&J=1',
        '1.3.0',
        'LayerNotDefined',
        'QUERY_LAYERS',
      );
      // Attributes the filter withholds are left out.
      const info = await getText(
        'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=zones&STYLES=&CRS=CRS:84&BBOX=8.1,46.1,8.9,46.9&WIDTH=80&HEIGHT=80&QUERY_LAYERS=zones&I=35&J=35&INFO_FORMAT=application/json',
      );
      expect(JSON.parse(info.text).features[0].properties).toEqual({ name: 'Zone A' });
    } finally {
      server.accessControl.removeOwner('test');
    }
  });

  it('draws only the features the feature filter lets through', async () => {
    server.accessControl.register(
      { featureFilter: (_ctx, layer) => (layer.name === 'zones' ? () => false : undefined) },
      0,
      'test',
    );
    try {
      const image = await getImage(
        map130(
          'LAYERS=zones&CRS=CRS:84&BBOX=8.1,46.1,8.9,46.9&WIDTH=80&HEIGHT=80&TRANSPARENT=TRUE',
        ),
      );
      expect(image.at(35, 35)[3]).toBe(0);
    } finally {
      server.accessControl.removeOwner('test');
    }
  });
});

describe('cache filters', () => {
  it('serves GetMap images and capabilities from a registered cache', async () => {
    const entries = new Map<string, CachedEntry>();
    const hits: string[] = [];
    server.cacheFilters.register(
      {
        get: (_ctx, kind, key) => {
          const entry = entries.get(`${kind} ${key}`);
          if (entry !== undefined) hits.push(kind);
          return entry;
        },
        set: (_ctx, kind, key, entry) => void entries.set(`${kind} ${key}`, entry),
      },
      0,
      'test',
    );
    try {
      const query = map130('LAYERS=elevation&CRS=CRS:84&BBOX=7.2,46.2,7.8,46.8&WIDTH=20&HEIGHT=20');
      const firstAnswer = await get(query);
      const secondAnswer = await get(query);
      expect(hits).toEqual(['image']);
      expect((secondAnswer.body as Buffer).equals(firstAnswer.body as Buffer)).toBe(true);
      await getText('SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities');
      const cached = await getText('SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities');
      expect(hits).toEqual(['image', 'document']);
      expect(cached.type).toBe('application/vnd.ogc.wms_xml; charset=utf-8');
      expect([...entries.keys()].filter((key) => key.startsWith('image'))).toHaveLength(1);
    } finally {
      server.cacheFilters.removeOwner('test');
    }
  });
});
