/**
 * The WFS (1.1.0 and 2.0.0) over published vector layers, through HTTP: capabilities,
 * DescribeFeatureType, GetFeature in GML 3.2, GML 3.1.1 and GeoJSON (values, ids, axis order),
 * BBOX in each CRS spelling, FILTER, paging, hits, PROPERTYNAME, resource ids, stored queries,
 * GetPropertyValue, exceptions, GeoJSON file layers, and a streamed response of 200,000 features
 * whose chunks pass through a sendResponse filter.
 */
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessControl } from '../../src/access/access-control.ts';
import type { LayerDefinition } from '../../src/layers/layer-registry.ts';
import type { RequestContext } from '../../src/request-loop/request-context.ts';
import { SERVICE_METADATA } from '../../src/services/service-metadata.ts';
import { DocumentCache, objectVersion } from '../../src/services/document-cache.ts';
import { cacheKey } from '../../src/services/filter-cache.ts';
import { MAX_CHUNK_BYTES } from '../../src/services/wfs/chunked-body.ts';
import {
  all,
  attr,
  childNames,
  first,
  parseXml,
  text,
  texts,
  type XmlDocument,
  type XmlElement,
} from '../helpers/parse-xml.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

// A garbage collection on demand, to measure live memory rather than garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const HOST = 'maps.example.org';
const ENDPOINT = `http://${HOST}/ows`;
const FEATURE_NS = 'urn:x-relief:features';
const GML32_TYPE = 'application/gml+xml; version=3.2';
const GML311_TYPE = 'text/xml; subtype=gml/3.1.1';
const URN_4326 = 'urn:ogc:def:crs:EPSG::4326';

// [lon, lat]: longitudes and latitudes never coincide, so a swapped axis shows.
const CITIES: Array<[string, number, number, Record<string, unknown>]> = [
  ['Bern', 7.4474, 46.948, { population: 134794, elevation: 540.5, capital: true }],
  ['Zürich', 8.5417, 47.3769, { population: 421878, elevation: 408, capital: false }],
  ['Genève <&> "quoted"', 6.1432, 46.2044, { population: 203856, elevation: 375.2 }],
  ['Lugano', 8.9511, 46.0037, { population: 62315, elevation: 273, capital: false }],
  ['Basel', 7.5886, 47.5596, { population: 173863, elevation: 260, capital: false }],
];

const places: FeatureCollection = {
  type: 'FeatureCollection',
  features: CITIES.map(([name, lon, lat, properties]) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { name, ...properties, 'postal code': '3000' },
  })),
};

const lakes: FeatureCollection = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      id: 'geneva',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [6.15, 46.2],
            [6.9, 46.35],
            [6.9, 46.5],
            [6.15, 46.2],
          ],
        ],
      },
      properties: { name: 'Lac Léman', depth: 310 },
    },
    {
      type: 'Feature',
      id: 'constance',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [9, 47.5],
            [9.7, 47.5],
            [9.7, 47.8],
            [9, 47.5],
          ],
        ],
      },
      properties: { name: 'Bodensee', depth: 251 },
    },
  ],
};

let server: TestServer;
let dataDir: string;

function publish(layer: LayerDefinition): void {
  server.layers.publish(layer, 'test');
}

beforeAll(async () => {
  server = await startTestServer();
  dataDir = await mkdtemp(join(tmpdir(), 'relief-wfs-'));
  publish({
    name: 'places',
    title: 'Swiss cities',
    abstract: 'Five cities & their numbers',
    keywords: ['cities', 'Switzerland'],
    kind: 'vector',
    source: { kind: 'features', data: places },
  });
  publish({
    name: 'lakes',
    title: 'Lakes',
    kind: 'vector',
    source: { kind: 'features', data: lakes },
    bbox: [6, 46, 10, 48],
  });
  publish({
    name: 'roads',
    title: 'Roads',
    kind: 'vector',
    source: {
      kind: 'features',
      data: {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: {
              type: 'LineString',
              coordinates: [
                [7.4474, 46.948, 540],
                [8.5417, 47.3769, 408],
              ],
            },
            properties: { ref: 'A1' },
          },
        ],
      },
    },
  });
  publish({
    name: 'terrain',
    title: 'Terrain',
    kind: 'raster',
    source: { kind: 'hgt-folder', path: dataDir },
  });
});

afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  server.chain.removePlugin('test');
});

const get = (query: string) => request(server.app.server).get(`/ows?${query}`).set('Host', HOST);

async function ok(query: string, contentType: string) {
  const response = await get(query);
  expect(response.status, response.text).toBe(200);
  expect(response.headers['content-type']).toBe(contentType);
  return response;
}

async function xml(query: string, contentType: string): Promise<XmlDocument> {
  return parseXml((await ok(query, contentType)).text);
}

async function geojson(query: string, contentType = 'application/geo+json') {
  return JSON.parse((await ok(query, contentType)).text) as FeatureCollection & {
    numberMatched: number;
    numberReturned: number;
    timeStamp: string;
    links?: Array<{ href: string; rel: string; type: string }>;
  };
}

/** The single exception of an OWS ExceptionReport, with the HTTP status. */
async function exception(query: string) {
  const response = await get(query);
  const doc = parseXml(response.text);
  expect(doc.name).toBe('ows:ExceptionReport');
  const report = first(doc.root, 'ows:Exception');
  return {
    status: response.status,
    code: attr(report, 'exceptionCode'),
    locator: attr(report, 'locator'),
    text: texts(report, 'ows:ExceptionText')[0],
  };
}

const WFS2 = 'SERVICE=WFS&VERSION=2.0.0';
const WFS11 = 'SERVICE=WFS&VERSION=1.1.0';

/** The feature elements of a WFS 2.0 (wfs:member) or 1.1 (gml:featureMember) collection. */
function members(doc: XmlDocument, type: string): XmlElement[] {
  const wrappers = [...all(doc.root, 'wfs:member'), ...all(doc.root, 'gml:featureMember')];
  return wrappers.map((member) => first(member, `relief:${type}`));
}

function pos(feature: XmlElement): string {
  return text(first(feature, 'relief:geometry', 'gml:Point', 'gml:pos'));
}

describe('GetCapabilities', () => {
  it('lists every vector layer as a feature type in WFS 2.0, in schema order', async () => {
    const doc = await xml(`${WFS2}&REQUEST=GetCapabilities`, 'text/xml; charset=utf-8');
    expect(attr(doc.root, 'xmlns:relief')).toBe(FEATURE_NS);
    expect(childNames(doc.root)).toEqual([
      'ows:ServiceIdentification',
      'ows:ServiceProvider',
      'ows:OperationsMetadata',
      'wfs:FeatureTypeList',
      'fes:Filter_Capabilities',
    ]);
    const types = all(first(doc.root, 'wfs:FeatureTypeList'), 'wfs:FeatureType');
    expect(types.map((t) => texts(t, 'wfs:Name')[0])).toEqual([
      'relief:places',
      'relief:lakes',
      'relief:roads',
    ]);
    const [cities, lakesType] = types as [XmlElement, XmlElement];
    expect(childNames(cities)).toEqual([
      'wfs:Name',
      'wfs:Title',
      'wfs:Abstract',
      'ows:Keywords',
      'wfs:DefaultCRS',
      'wfs:OtherCRS',
      'ows:WGS84BoundingBox',
    ]);
    expect(texts(cities, 'wfs:Title')).toEqual(['Swiss cities']);
    expect(texts(cities, 'wfs:Abstract')).toEqual(['Five cities & their numbers']);
    expect(texts(first(cities, 'ows:Keywords'), 'ows:Keyword')).toEqual(['cities', 'Switzerland']);
    expect(texts(cities, 'wfs:DefaultCRS')).toEqual([URN_4326]);
    expect(texts(cities, 'wfs:OtherCRS')).toEqual(['urn:ogc:def:crs:EPSG::3857']);
    // Computed from the features, longitude first.
    const box = first(cities, 'ows:WGS84BoundingBox');
    expect(texts(box, 'ows:LowerCorner')).toEqual(['6.1432 46.0037']);
    expect(texts(box, 'ows:UpperCorner')).toEqual(['8.9511 47.5596']);
    // Declared by the layer.
    const declared = first(lakesType, 'ows:WGS84BoundingBox');
    expect(texts(declared, 'ows:LowerCorner')).toEqual(['6 46']);
    expect(childNames(lakesType)).toEqual([
      'wfs:Name',
      'wfs:Title',
      'wfs:DefaultCRS',
      'wfs:OtherCRS',
      'ows:WGS84BoundingBox',
    ]);
  });

  it('states the WFS 2.0 conformance this build implements', async () => {
    const doc = await xml(`${WFS2}&REQUEST=GetCapabilities`, 'text/xml; charset=utf-8');
    const metadata = first(doc.root, 'ows:OperationsMetadata');
    const operations = all(metadata, 'ows:Operation');
    expect(operations.map((o) => attr(o, 'name'))).toEqual([
      'GetCapabilities',
      'DescribeFeatureType',
      'ListStoredQueries',
      'DescribeStoredQueries',
      'GetPropertyValue',
      'GetFeature',
    ]);
    const getFeature = operations[5] as XmlElement;
    const parameter = (name: string) =>
      all(getFeature, 'ows:Parameter').find((p) => attr(p, 'name') === name) as XmlElement;
    expect(texts(first(parameter('outputFormat'), 'ows:AllowedValues'), 'ows:Value')).toEqual([
      GML32_TYPE,
      'application/json',
      'application/geo+json',
    ]);
    const constraints = Object.fromEntries(
      all(metadata, 'ows:Constraint').map((c) => [
        attr(c, 'name'),
        texts(c, 'ows:DefaultValue')[0],
      ]),
    );
    expect(constraints).toMatchObject({
      ImplementsBasicWFS: 'TRUE',
      KVPEncoding: 'TRUE',
      ImplementsResultPaging: 'TRUE',
      XMLEncoding: 'FALSE',
      ImplementsTransactionalWFS: 'FALSE',
    });
    const filter = first(doc.root, 'fes:Filter_Capabilities');
    expect(childNames(filter)).toEqual([
      'fes:Conformance',
      'fes:Id_Capabilities',
      'fes:Spatial_Capabilities',
    ]);
    const conformance = Object.fromEntries(
      all(first(filter, 'fes:Conformance'), 'fes:Constraint').map((c) => [
        attr(c, 'name'),
        texts(c, 'ows:DefaultValue')[0],
      ]),
    );
    expect(conformance).toMatchObject({
      ImplementsQuery: 'TRUE',
      ImplementsAdHocQuery: 'TRUE',
      ImplementsResourceId: 'TRUE',
      ImplementsMinSpatialFilter: 'TRUE',
      ImplementsSorting: 'FALSE',
      ImplementsMinStandardFilter: 'FALSE',
    });
    expect(
      attr(
        first(filter, 'fes:Spatial_Capabilities', 'fes:SpatialOperators', 'fes:SpatialOperator'),
        'name',
      ),
    ).toBe('BBOX');
    expect(attr(doc.root, 'xmlns:gml')).toBe('http://www.opengis.net/gml/3.2');
  });

  it('lists the feature types in WFS 1.1 with DefaultSRS and OtherSRS', async () => {
    const doc = await xml(`${WFS11}&REQUEST=GetCapabilities`, 'text/xml; charset=utf-8');
    expect(childNames(doc.root)).toEqual([
      'ows:ServiceIdentification',
      'ows:ServiceProvider',
      'ows:OperationsMetadata',
      'wfs:FeatureTypeList',
      'ogc:Filter_Capabilities',
    ]);
    const type = first(doc.root, 'wfs:FeatureTypeList', 'wfs:FeatureType');
    expect(childNames(type)).toEqual([
      'wfs:Name',
      'wfs:Title',
      'wfs:Abstract',
      'ows:Keywords',
      'wfs:DefaultSRS',
      'wfs:OtherSRS',
      'ows:WGS84BoundingBox',
    ]);
    expect(texts(type, 'wfs:DefaultSRS')).toEqual([URN_4326]);
    const getFeature = all(first(doc.root, 'ows:OperationsMetadata'), 'ows:Operation')[2];
    const formats = all(getFeature as XmlElement, 'ows:Parameter').find(
      (p) => attr(p, 'name') === 'outputFormat',
    ) as XmlElement;
    expect(texts(formats, 'ows:Value')).toEqual([
      GML311_TYPE,
      'application/json',
      'application/geo+json',
    ]);
  });

  it('follows the layer set: a published layer appears, a withdrawn one goes', async () => {
    const names = async () => {
      const doc = await xml(`${WFS2}&REQUEST=GetCapabilities`, 'text/xml; charset=utf-8');
      return all(first(doc.root, 'wfs:FeatureTypeList'), 'wfs:FeatureType').map(
        (t) => texts(t, 'wfs:Name')[0],
      );
    };
    publish({
      name: 'later',
      title: 'Later',
      kind: 'vector',
      source: { kind: 'features', data: { type: 'FeatureCollection', features: [] } },
    });
    expect(await names()).toContain('relief:later');
    server.layers.unpublish('later');
    expect(await names()).not.toContain('relief:later');
  });

  it('caches each document per version, endpoint, layer revision and metadata', async () => {
    const cache = new DocumentCache(2);
    let builds = 0;
    const build = async () => `doc${++builds}`;
    const parts = {
      service: 'WFS',
      operation: 'GetCapabilities',
      version: '2.0.0',
      endpoint: ENDPOINT,
      revision: 1,
      metadata: objectVersion(SERVICE_METADATA),
    };
    const open = { accessControl: new AccessControl() };
    const key = (changes: object = {}) =>
      cacheKey(open, {} as RequestContext, { ...parts, ...changes });
    expect(await cache.get(key(), build)).toBe('doc1');
    expect(await cache.get(key(), build)).toBe('doc1');
    expect(await cache.get(key({ version: '1.1.0' }), build)).toBe('doc2');
    expect(await cache.get(key({ revision: 2 }), build)).toBe('doc3');
    expect(await cache.get(key({ revision: 2 }), build)).toBe('doc3');
    const metadata = objectVersion({ ...SERVICE_METADATA });
    expect(await cache.get(key({ metadata }), build)).toBe('doc4');
    // Bounded: a third endpoint evicts the least recently used one.
    await cache.get(key({ endpoint: 'http://a/ows' }), build);
    await cache.get(key({ endpoint: 'http://b/ows' }), build);
    expect(cache.builds).toBe(6);
    await cache.get(key({ version: '1.1.0' }), build);
    expect(cache.builds).toBe(7);
  });
});

describe('DescribeFeatureType', () => {
  it('describes each type as an extension of gml:AbstractFeatureType (GML 3.2)', async () => {
    const doc = await xml(
      `${WFS2}&REQUEST=DescribeFeatureType&TYPENAMES=relief:places,roads`,
      GML32_TYPE,
    );
    expect(doc.name).toBe('xsd:schema');
    expect(attr(doc.root, 'targetNamespace')).toBe(FEATURE_NS);
    expect(attr(doc.root, 'elementFormDefault')).toBe('qualified');
    expect(attr(first(doc.root, 'xsd:import'), 'namespace')).toBe('http://www.opengis.net/gml/3.2');
    const [placesType, roadsType] = all(doc.root, 'xsd:complexType');
    expect(attr(placesType as XmlElement, 'name')).toBe('placesType');
    const extension = first(placesType as XmlElement, 'xsd:complexContent', 'xsd:extension');
    expect(attr(extension, 'base')).toBe('gml:AbstractFeatureType');
    const elements = all(first(extension, 'xsd:sequence'), 'xsd:element').map((e) => [
      attr(e, 'name'),
      attr(e, 'type'),
    ]);
    expect(elements).toEqual([
      ['geometry', 'gml:PointPropertyType'],
      ['name', 'xsd:string'],
      ['population', 'xsd:long'],
      ['elevation', 'xsd:double'],
      ['capital', 'xsd:boolean'],
      ['postal_code', 'xsd:string'],
    ]);
    const roadGeometry = first(
      roadsType as XmlElement,
      'xsd:complexContent',
      'xsd:extension',
      'xsd:sequence',
      'xsd:element',
    );
    expect(attr(roadGeometry, 'type')).toBe('gml:CurvePropertyType');
    expect(
      all(doc.root, 'xsd:element').map((e) => [
        attr(e, 'name'),
        attr(e, 'type'),
        attr(e, 'substitutionGroup'),
      ]),
    ).toEqual([
      ['places', 'relief:placesType', 'gml:AbstractFeature'],
      ['roads', 'relief:roadsType', 'gml:AbstractFeature'],
    ]);
  });

  it('describes every vector type in GML 3.1.1 for WFS 1.1 when TYPENAME is absent', async () => {
    const doc = await xml(`${WFS11}&REQUEST=DescribeFeatureType`, GML311_TYPE);
    expect(attr(doc.root, 'xmlns:gml')).toBe('http://www.opengis.net/gml');
    expect(all(doc.root, 'xsd:element').map((e) => attr(e, 'name'))).toEqual([
      'places',
      'lakes',
      'roads',
    ]);
    expect(all(doc.root, 'xsd:element').map((e) => attr(e, 'substitutionGroup'))).toEqual([
      'gml:_Feature',
      'gml:_Feature',
      'gml:_Feature',
    ]);
    const geometryType = (index: number) =>
      attr(
        first(
          all(doc.root, 'xsd:complexType')[index] as XmlElement,
          'xsd:complexContent',
          'xsd:extension',
          'xsd:sequence',
          'xsd:element',
        ),
        'type',
      );
    expect([geometryType(1), geometryType(2)]).toEqual([
      'gml:PolygonPropertyType',
      'gml:LineStringPropertyType',
    ]);
  });

  it('answers an unknown type with InvalidParameterValue', async () => {
    expect(await exception(`${WFS2}&REQUEST=DescribeFeatureType&TYPENAMES=nope`)).toMatchObject({
      status: 400,
      code: 'InvalidParameterValue',
      locator: 'typeNames',
    });
    // A raster layer is no feature type.
    expect(await exception(`${WFS11}&REQUEST=DescribeFeatureType&TYPENAME=terrain`)).toMatchObject({
      code: 'InvalidParameterValue',
      locator: 'typeName',
    });
  });
});

describe('GetFeature in GML', () => {
  it('answers WFS 2.0 with a GML 3.2 wfs:FeatureCollection, latitude first', async () => {
    const doc = await xml(`${WFS2}&REQUEST=GetFeature&TYPENAMES=relief:places`, GML32_TYPE);
    expect(doc.name).toBe('wfs:FeatureCollection');
    expect(doc.namespace).toBe('http://www.opengis.net/wfs/2.0');
    expect(attr(doc.root, 'numberMatched')).toBe('5');
    expect(attr(doc.root, 'numberReturned')).toBe('5');
    expect(new Date(attr(doc.root, 'timeStamp') as string).getTime()).not.toBeNaN();
    expect(attr(doc.root, 'next')).toBeUndefined();
    expect(attr(doc.root, 'xsi:schemaLocation')).toContain(
      `${FEATURE_NS} ${ENDPOINT}?SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=relief%3Aplaces`,
    );
    const features = members(doc, 'places');
    expect(features.map((f) => attr(f, 'gml:id'))).toEqual([
      'places.1',
      'places.2',
      'places.3',
      'places.4',
      'places.5',
    ]);
    const bern = features[0] as XmlElement;
    expect(childNames(bern)).toEqual([
      'relief:geometry',
      'relief:name',
      'relief:population',
      'relief:elevation',
      'relief:capital',
      'relief:postal_code',
    ]);
    const point = first(bern, 'relief:geometry', 'gml:Point');
    expect(attr(point, 'srsName')).toBe(URN_4326);
    expect(attr(point, 'gml:id')).toBe('places.1.geom');
    expect(pos(bern)).toBe('46.948 7.4474');
    expect(texts(bern, 'relief:population')).toEqual(['134794']);
    expect(texts(bern, 'relief:elevation')).toEqual(['540.5']);
    expect(texts(bern, 'relief:capital')).toEqual(['true']);
    expect(texts(bern, 'relief:postal_code')).toEqual(['3000']);
    // Escaped text reads back as written; a missing value is left out.
    const geneva = features[2] as XmlElement;
    expect(texts(geneva, 'relief:name')).toEqual(['Genève <&> "quoted"']);
    expect(all(geneva, 'relief:capital')).toEqual([]);
  });

  it('answers WFS 1.1 with a GML 3.1.1 collection of gml:featureMember', async () => {
    const doc = await xml(`${WFS11}&REQUEST=GetFeature&TYPENAME=places,lakes`, GML311_TYPE);
    expect(doc.namespace).toBe('http://www.opengis.net/wfs');
    expect(attr(doc.root, 'xmlns:gml')).toBe('http://www.opengis.net/gml');
    expect(attr(doc.root, 'numberOfFeatures')).toBe('7');
    expect(attr(doc.root, 'numberMatched')).toBeUndefined();
    const cities = members(
      { ...doc, root: { 'gml:featureMember': all(doc.root, 'gml:featureMember').slice(0, 5) } },
      'places',
    );
    expect(pos(cities[1] as XmlElement)).toBe('47.3769 8.5417');
    // GML 3.1.1 geometries carry no gml:id.
    expect(attr(first(cities[1] as XmlElement, 'relief:geometry', 'gml:Point'), 'gml:id')).toBe(
      undefined,
    );
    const lake = first(all(doc.root, 'gml:featureMember')[5] as XmlElement, 'relief:lakes');
    expect(attr(lake, 'gml:id')).toBe('geneva');
    const ring = first(
      lake,
      'relief:geometry',
      'gml:Polygon',
      'gml:exterior',
      'gml:LinearRing',
      'gml:posList',
    );
    expect(text(ring)).toBe('46.2 6.15 46.35 6.9 46.5 6.9 46.2 6.15');
  });

  it('writes 3D lines with srsDimension and the default CRS for 1.1 too', async () => {
    const doc = await xml(`${WFS2}&REQUEST=GetFeature&TYPENAMES=roads`, GML32_TYPE);
    const line = first(members(doc, 'roads')[0] as XmlElement, 'relief:geometry', 'gml:LineString');
    const posList = first(line, 'gml:posList');
    expect(attr(posList, 'srsDimension')).toBe('3');
    expect(text(posList)).toBe('46.948 7.4474 540 47.3769 8.5417 408');
  });

  it('writes longitude first when SRSNAME is EPSG:4326, and projects to EPSG:3857', async () => {
    const short = await xml(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places&SRSNAME=EPSG:4326&COUNT=1`,
      GML32_TYPE,
    );
    const bern = members(short, 'places')[0] as XmlElement;
    expect(attr(first(bern, 'relief:geometry', 'gml:Point'), 'srsName')).toBe('EPSG:4326');
    expect(pos(bern)).toBe('7.4474 46.948');

    const mercator = await xml(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places&SRSNAME=urn:ogc:def:crs:EPSG::3857&COUNT=1`,
      GML32_TYPE,
    );
    const [x, y] = pos(members(mercator, 'places')[0] as XmlElement)
      .split(' ')
      .map(Number);
    const radius = 6378137;
    expect(x).toBeCloseTo((7.4474 * Math.PI * radius) / 180, 3);
    expect(y).toBeCloseTo(Math.log(Math.tan(Math.PI / 4 + (46.948 * Math.PI) / 360)) * radius, 3);
    expect(x).toBeCloseTo(829040.8, 0);

    expect(
      await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=places&SRSNAME=EPSG:2056`),
    ).toMatchObject({ code: 'InvalidParameterValue', locator: 'srsName' });
  });

  it('keeps the document well-formed whatever the values hold', async () => {
    publish({
      name: 'odd',
      title: 'Odd values',
      kind: 'vector',
      source: {
        kind: 'features',
        // GeoJSON allows features without geometry; the collection's type does not say so.
        data: {
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              id: 'x"<y>',
              geometry: null as unknown as Geometry,
              properties: {
                'a b:c': 'bell\u0007 ]]> & tab\tnew\nline\r',
                nested: { list: [1, '<2>'] },
                infinite: Infinity,
              },
            },
          ],
        },
      },
    });
    try {
      for (const [version, type] of [
        [WFS2, GML32_TYPE],
        [WFS11, GML311_TYPE],
      ] as const) {
        const doc = await xml(`${version}&REQUEST=GetFeature&TYPENAMES=odd`, type);
        const feature = members(doc, 'odd')[0] as XmlElement;
        expect(attr(feature, 'gml:id')).toBe('odd.x__y_');
        expect(childNames(feature)).toEqual(['relief:a_b_c', 'relief:nested', 'relief:infinite']);
        // The control character is replaced by U+FFFD; the rest reads back as written (the test
        // parser leaves the CR reference &#13; undecoded).
        expect(texts(feature, 'relief:a_b_c')[0]).toBe('bell\uFFFD ]]> & tab\tnew\nline&#13;');
        expect(texts(feature, 'relief:infinite')).toEqual(['INF']);
      }
    } finally {
      server.layers.unpublish('odd');
    }
  });
});

describe('GetFeature in GeoJSON', () => {
  it('answers a FeatureCollection with counts, ids and longitude-first coordinates', async () => {
    for (const [version, typeNames] of [
      [WFS2, 'TYPENAMES'],
      [WFS11, 'TYPENAME'],
    ]) {
      const collection = await geojson(
        `${version}&REQUEST=GetFeature&${typeNames}=places&OUTPUTFORMAT=application/geo%2Bjson`,
      );
      expect(collection.type).toBe('FeatureCollection');
      expect(collection.numberMatched).toBe(5);
      expect(collection.numberReturned).toBe(5);
      expect(new Date(collection.timeStamp).getTime()).not.toBeNaN();
      const bern = collection.features[0] as Feature;
      expect(bern.id).toBe('places.1');
      expect(bern.geometry).toEqual({ type: 'Point', coordinates: [7.4474, 46.948] });
      expect(bern.properties).toEqual({
        name: 'Bern',
        population: 134794,
        elevation: 540.5,
        capital: true,
        'postal code': '3000',
      });
    }
    const json = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=lakes&OUTPUTFORMAT=application/json`,
      'application/json',
    );
    expect(json.features.map((f) => f.id)).toEqual(['geneva', 'constance']);
    // Longitude first even when SRSNAME says latitude first.
    const urn = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places&OUTPUTFORMAT=application/geo%2Bjson&SRSNAME=${URN_4326}&COUNT=1`,
    );
    expect(urn.features[0]?.geometry).toEqual({ type: 'Point', coordinates: [7.4474, 46.948] });
  });

  it('accepts a raw + in the format as a space', async () => {
    const collection = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places&OUTPUTFORMAT=application/geo+json&COUNT=2`,
    );
    expect(collection.numberReturned).toBe(2);
  });
});

describe('BBOX', () => {
  const ids = async (query: string) =>
    (
      await geojson(`${WFS2}&REQUEST=GetFeature&TYPENAMES=places&OUTPUTFORMAT=geojson&${query}`)
    ).features.map((f) => f.properties?.name as string);

  it('reads latitude,longitude with the EPSG URN and without a CRS (the default CRS)', async () => {
    // Around Bern and Basel: latitude 46.5–47.6, longitude 7–8.
    expect(await ids(`BBOX=46.5,7,47.6,8,${URN_4326}`)).toEqual(['Bern', 'Basel']);
    expect(await ids('BBOX=46.5,7,47.6,8')).toEqual(['Bern', 'Basel']);
    expect(await ids('BBOX=46.5,7,47.6,8,http://www.opengis.net/def/crs/EPSG/0/4326')).toEqual([
      'Bern',
      'Basel',
    ]);
  });

  it('reads longitude,latitude with EPSG:4326 and CRS:84', async () => {
    expect(await ids('BBOX=7,46.5,8,47.6,EPSG:4326')).toEqual(['Bern', 'Basel']);
    expect(await ids('BBOX=7,46.5,8,47.6,CRS:84')).toEqual(['Bern', 'Basel']);
    expect(await ids('BBOX=7,46.5,8,47.6,urn:ogc:def:crs:OGC:1.3:CRS84')).toEqual([
      'Bern',
      'Basel',
    ]);
    // The same numbers read as latitude,longitude select nothing.
    expect(await ids(`BBOX=7,46.5,8,47.6,${URN_4326}`)).toEqual([]);
  });

  it('reads Web Mercator boxes', async () => {
    expect(await ids('BBOX=779236,5780349,890556,6040000,EPSG:3857')).toEqual(['Bern', 'Basel']);
  });

  it('uses the same axis rules in WFS 1.1', async () => {
    const names = async (query: string) => {
      const doc = await xml(`${WFS11}&REQUEST=GetFeature&TYPENAME=places&${query}`, GML311_TYPE);
      return members(doc, 'places').map((f) => texts(f, 'relief:name')[0]);
    };
    expect(await names(`BBOX=46.5,7,47.6,8,${URN_4326}`)).toEqual(['Bern', 'Basel']);
    expect(await names('BBOX=7,46.5,8,47.6,EPSG:4326')).toEqual(['Bern', 'Basel']);
  });

  it('tests polygons exactly, not by their boxes', async () => {
    const lakeIds = async (bbox: string) =>
      (
        await geojson(
          `${WFS2}&REQUEST=GetFeature&TYPENAMES=lakes&OUTPUTFORMAT=geojson&BBOX=${bbox}`,
        )
      ).features.map((f) => f.id);
    // Inside the Léman triangle's box, but on the far side of its hypotenuse.
    expect(await lakeIds('6.2,6.85,6.25,6.9,EPSG:4326')).toEqual([]);
    expect(await lakeIds('6.8,46.38,6.85,46.42,EPSG:4326')).toEqual(['geneva']);
  });

  it('answers malformed boxes with InvalidParameterValue', async () => {
    for (const bbox of ['1,2,3', '1,2,3,x', '47,7,46,8', `1,2,3,4,EPSG:2056`]) {
      expect(
        await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=places&BBOX=${bbox}`),
        bbox,
      ).toMatchObject({ status: 400, code: 'InvalidParameterValue', locator: 'BBOX' });
    }
  });
});

describe('FILTER', () => {
  const names = async (filter: string, version = WFS2) =>
    (
      await geojson(
        `${version}&REQUEST=GetFeature&TYPENAMES=places&OUTPUTFORMAT=geojson&FILTER=${encodeURIComponent(filter)}`,
      )
    ).features.map((f) => f.properties?.name as string);

  it('evaluates a fes:BBOX on an envelope, latitude first without srsName (as GDAL sends it)', async () => {
    expect(
      await names(
        '<Filter xmlns="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><BBOX><ValueReference>geometry</ValueReference><gml:Envelope><gml:lowerCorner>46.5 7</gml:lowerCorner><gml:upperCorner>47.6 8</gml:upperCorner></gml:Envelope></BBOX></Filter>',
      ),
    ).toEqual(['Bern', 'Basel']);
    expect(
      await names(
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:BBOX><gml:Envelope srsName="EPSG:4326"><gml:lowerCorner>7 46.5</gml:lowerCorner><gml:upperCorner>8 47.6</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>',
      ),
    ).toEqual(['Bern', 'Basel']);
  });

  it('evaluates an ogc:BBOX on a GML 2 box and resource ids in And', async () => {
    expect(
      await names(
        '<Filter xmlns="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"><BBOX><PropertyName>geometry</PropertyName><gml:Box><gml:coordinates>46.5,7 47.6,8</gml:coordinates></gml:Box></BBOX></Filter>',
        WFS11,
      ),
    ).toEqual(['Bern', 'Basel']);
    expect(
      await names(
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:ResourceId rid="places.2"/><fes:ResourceId rid="places.4"/></fes:Filter>',
      ),
    ).toEqual(['Zürich', 'Lugano']);
  });

  it('refuses operators it cannot evaluate instead of ignoring them', async () => {
    const filter = encodeURIComponent(
      '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo><fes:ValueReference>name</fes:ValueReference><fes:Literal>Bern</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>',
    );
    expect(
      await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=places&FILTER=${filter}`),
    ).toMatchObject({ status: 501, code: 'OptionNotSupported', locator: 'FILTER' });
    expect(
      await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=places&FILTER=%3CFilter`),
    ).toMatchObject({ status: 400, code: 'InvalidParameterValue', locator: 'FILTER' });
  });
});

describe('paging', () => {
  it('pages with STARTINDEX and COUNT and links the next and previous pages (GML 3.2)', async () => {
    const doc = await xml(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places&STARTINDEX=1&COUNT=2`,
      GML32_TYPE,
    );
    expect(attr(doc.root, 'numberMatched')).toBe('5');
    expect(attr(doc.root, 'numberReturned')).toBe('2');
    expect(members(doc, 'places').map((f) => attr(f, 'gml:id'))).toEqual(['places.2', 'places.3']);
    const next = attr(doc.root, 'next') as string;
    const previous = attr(doc.root, 'previous') as string;
    expect(next).toBe(
      `${ENDPOINT}?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=places&STARTINDEX=3&COUNT=2`,
    );
    expect(previous).toContain('STARTINDEX=0&COUNT=2');

    const last = await xml(next.slice(ENDPOINT.length + 1), GML32_TYPE);
    expect(attr(last.root, 'numberReturned')).toBe('2');
    expect(attr(last.root, 'next')).toBeUndefined();
    expect(members(last, 'places').map((f) => attr(f, 'gml:id'))).toEqual(['places.4', 'places.5']);
  });

  it('pages GeoJSON with links, across several types', async () => {
    const page = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places,lakes&OUTPUTFORMAT=application/geo%2Bjson&STARTINDEX=4&COUNT=2`,
    );
    expect(page.numberMatched).toBe(7);
    expect(page.numberReturned).toBe(2);
    expect(page.features.map((f) => f.id)).toEqual(['places.5', 'geneva']);
    expect(page.links?.map((l) => [l.rel, l.type])).toEqual([
      ['next', 'application/geo+json'],
      ['previous', 'application/geo+json'],
    ]);
    const next = new URL(page.links?.[0]?.href as string);
    expect(next.searchParams.get('STARTINDEX')).toBe('6');
    expect(next.searchParams.get('OUTPUTFORMAT')).toBe('application/geo+json');
    const beyond = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places&OUTPUTFORMAT=geojson&STARTINDEX=10`,
    );
    expect(beyond).toMatchObject({ numberMatched: 5, numberReturned: 0, features: [] });
  });

  it('limits WFS 1.1 with MAXFEATURES', async () => {
    const doc = await xml(`${WFS11}&REQUEST=GetFeature&TYPENAME=places&MAXFEATURES=2`, GML311_TYPE);
    expect(attr(doc.root, 'numberOfFeatures')).toBe('2');
    expect(members(doc, 'places')).toHaveLength(2);
  });

  it('answers a bad COUNT or STARTINDEX with InvalidParameterValue', async () => {
    for (const [name, value] of [
      ['COUNT', '-1'],
      ['COUNT', 'ten'],
      ['STARTINDEX', '1.5'],
    ]) {
      expect(
        await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=places&${name}=${value}`),
      ).toMatchObject({ code: 'InvalidParameterValue', locator: name });
    }
  });
});

describe('RESULTTYPE=hits', () => {
  it('counts without features', async () => {
    const doc = await xml(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places&RESULTTYPE=hits&BBOX=7,46.5,8,47.6,EPSG:4326`,
      GML32_TYPE,
    );
    expect(attr(doc.root, 'numberMatched')).toBe('2');
    expect(attr(doc.root, 'numberReturned')).toBe('0');
    expect(all(doc.root, 'wfs:member')).toEqual([]);
    const json = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places&RESULTTYPE=hits&OUTPUTFORMAT=geojson`,
    );
    expect(json).toMatchObject({ numberMatched: 5, numberReturned: 0, features: [] });
    const v11 = await xml(
      `${WFS11}&REQUEST=GetFeature&TYPENAME=places&RESULTTYPE=hits`,
      GML311_TYPE,
    );
    expect(attr(v11.root, 'numberOfFeatures')).toBe('5');
    expect(all(v11.root, 'gml:featureMember')).toEqual([]);
    expect(
      await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=places&RESULTTYPE=some`),
    ).toMatchObject({ code: 'InvalidParameterValue', locator: 'resultType' });
  });
});

describe('PROPERTYNAME', () => {
  it('writes only the named properties, the geometry only when named', async () => {
    const doc = await xml(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places&PROPERTYNAME=relief:population,name&COUNT=1`,
      GML32_TYPE,
    );
    expect(childNames(members(doc, 'places')[0] as XmlElement)).toEqual([
      'relief:name',
      'relief:population',
    ]);
    const json = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=places&PROPERTYNAME=geometry,postal_code&OUTPUTFORMAT=geojson&COUNT=1`,
    );
    expect(json.features[0]).toMatchObject({
      geometry: { type: 'Point' },
      properties: { 'postal code': '3000' },
    });
    expect(Object.keys(json.features[0]?.properties ?? {})).toEqual(['postal code']);
    const perType = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=(places)(lakes)&PROPERTYNAME=(name)(depth)&OUTPUTFORMAT=geojson&STARTINDEX=4`,
    );
    expect(perType.features.map((f) => f.properties)).toEqual([
      { name: 'Basel' },
      { depth: 310 },
      { depth: 251 },
    ]);
    expect(perType.features[0]?.geometry).toBeNull();
  });

  it('answers an unknown property with InvalidParameterValue', async () => {
    expect(
      await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=places&PROPERTYNAME=name,colour`),
    ).toMatchObject({ status: 400, code: 'InvalidParameterValue', locator: 'PROPERTYNAME' });
  });
});

describe('resource ids', () => {
  it('selects features by RESOURCEID (2.0) and FEATUREID (1.1), with or without a type', async () => {
    const json = await geojson(
      `${WFS2}&REQUEST=GetFeature&RESOURCEID=constance,places.3&OUTPUTFORMAT=geojson`,
    );
    expect(json.features.map((f) => f.id)).toEqual(['places.3', 'constance']);
    const doc = await xml(
      `${WFS11}&REQUEST=GetFeature&TYPENAME=places&FEATUREID=places.5,places.9`,
      GML311_TYPE,
    );
    expect(members(doc, 'places').map((f) => attr(f, 'gml:id'))).toEqual(['places.5']);
  });

  it('lists, describes and runs the GetFeatureById stored query', async () => {
    const list = await xml(`${WFS2}&REQUEST=ListStoredQueries`, 'text/xml; charset=utf-8');
    const query = first(list.root, 'wfs:StoredQuery');
    expect(attr(query, 'id')).toBe('urn:ogc:def:query:OGC-WFS::GetFeatureById');
    expect(texts(query, 'wfs:ReturnFeatureType')).toEqual([
      'relief:places',
      'relief:lakes',
      'relief:roads',
    ]);
    const described = await xml(
      `${WFS2}&REQUEST=DescribeStoredQueries&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById`,
      'text/xml; charset=utf-8',
    );
    const description = first(described.root, 'wfs:StoredQueryDescription');
    expect(attr(first(description, 'wfs:Parameter'), 'name')).toBe('ID');

    const byId = `${WFS2}&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById`;
    const feature = await xml(`${byId}&ID=geneva`, GML32_TYPE);
    expect(feature.name).toBe('relief:lakes');
    expect(feature.namespace).toBe(FEATURE_NS);
    expect(attr(feature.root, 'gml:id')).toBe('geneva');
    const json = JSON.parse(
      (
        await ok(
          `${byId}&ID=places.1&OUTPUTFORMAT=application/geo%2Bjson`,
          'application/geo+json; charset=utf-8',
        )
      ).text,
    ) as Feature;
    expect(json).toMatchObject({ type: 'Feature', id: 'places.1', properties: { name: 'Bern' } });
    expect(await exception(`${byId}&ID=nowhere`)).toMatchObject({
      status: 404,
      code: 'NotFound',
      locator: 'ID',
    });
    expect(
      await exception(`${WFS2}&REQUEST=GetFeature&STOREDQUERY_ID=urn:x:other&ID=geneva`),
    ).toMatchObject({ code: 'InvalidParameterValue', locator: 'STOREDQUERY_ID' });
    // WFS 1.1 has no stored queries.
    expect(await exception(`${WFS11}&REQUEST=ListStoredQueries`)).toMatchObject({
      status: 501,
      code: 'OperationNotSupported',
    });
  });
});

describe('GetPropertyValue', () => {
  it('streams the values of one property in a wfs:ValueCollection', async () => {
    const doc = await xml(
      `${WFS2}&REQUEST=GetPropertyValue&TYPENAMES=places&VALUEREFERENCE=relief:population&COUNT=2`,
      GML32_TYPE,
    );
    expect(doc.name).toBe('wfs:ValueCollection');
    expect(attr(doc.root, 'numberMatched')).toBe('5');
    expect(attr(doc.root, 'numberReturned')).toBe('2');
    expect(texts(doc.root, 'wfs:member')).toEqual(['134794', '421878']);
    const geometry = await xml(
      `${WFS2}&REQUEST=GetPropertyValue&TYPENAMES=places&VALUEREFERENCE=geometry&COUNT=1`,
      GML32_TYPE,
    );
    expect(text(first(geometry.root, 'wfs:member', 'gml:Point', 'gml:pos'))).toBe('46.948 7.4474');
    expect(
      await exception(`${WFS2}&REQUEST=GetPropertyValue&TYPENAMES=places&VALUEREFERENCE=colour`),
    ).toMatchObject({ code: 'InvalidParameterValue', locator: 'valueReference' });
    expect(await exception(`${WFS2}&REQUEST=GetPropertyValue&TYPENAMES=places`)).toMatchObject({
      code: 'MissingParameterValue',
      locator: 'valueReference',
    });
  });
});

describe('exceptions', () => {
  it('names the parameter at fault', async () => {
    expect(await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=nope`)).toMatchObject({
      status: 400,
      code: 'InvalidParameterValue',
      locator: 'typeNames',
    });
    const v11 = await exception(`${WFS11}&REQUEST=GetFeature&TYPENAME=places,nope`);
    expect(v11).toMatchObject({ code: 'InvalidParameterValue', locator: 'typeName' });
    expect(v11.text).toContain('nope');
    expect(await exception(`${WFS2}&REQUEST=GetFeature`)).toMatchObject({
      code: 'MissingParameterValue',
      locator: 'typeNames',
    });
    expect(
      await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=places&OUTPUTFORMAT=image/png`),
    ).toMatchObject({ status: 400, code: 'InvalidParameterValue', locator: 'outputFormat' });
    // Each version writes its own GML only.
    expect(
      await exception(`${WFS11}&REQUEST=GetFeature&TYPENAME=places&OUTPUTFORMAT=${GML32_TYPE}`),
    ).toMatchObject({ code: 'InvalidParameterValue', locator: 'outputFormat' });
    expect(
      await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=places&SORTBY=name`),
    ).toMatchObject({ status: 501, code: 'OptionNotSupported', locator: 'SORTBY' });
    expect(await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=(places,lakes)`)).toMatchObject({
      code: 'OptionNotSupported',
      locator: 'typeNames',
    });
  });

  it('answers a layer whose file cannot be read with OperationProcessingFailed', async () => {
    publish({
      name: 'broken',
      title: 'Broken',
      kind: 'vector',
      source: { kind: 'geojson', path: join(dataDir, 'missing.geojson') },
    });
    try {
      const failure = await exception(`${WFS2}&REQUEST=GetFeature&TYPENAMES=broken`);
      expect(failure).toMatchObject({ status: 500, code: 'OperationProcessingFailed' });
      expect(failure.text).not.toContain(dataDir);
      // Capabilities still list it, with the world as extent.
      const doc = await xml(`${WFS2}&REQUEST=GetCapabilities`, 'text/xml; charset=utf-8');
      const broken = all(first(doc.root, 'wfs:FeatureTypeList'), 'wfs:FeatureType').find(
        (t) => texts(t, 'wfs:Name')[0] === 'relief:broken',
      ) as XmlElement;
      expect(texts(first(broken, 'ows:WGS84BoundingBox'), 'ows:LowerCorner')).toEqual(['-180 -90']);
    } finally {
      server.layers.unpublish('broken');
    }
  });
});

describe('GeoJSON file layers', () => {
  it('serves the features of a file and follows changes to it', async () => {
    const path = join(dataDir, 'huts.geojson');
    const huts = (names: string[]): FeatureCollection => ({
      type: 'FeatureCollection',
      features: names.map((name, i) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [8 + i / 10, 46.5] },
        properties: { name },
      })),
    });
    await writeFile(path, JSON.stringify(huts(['Hörnli', 'Monte Rosa'])));
    publish({ name: 'huts', title: 'Huts', kind: 'vector', source: { kind: 'geojson', path } });
    try {
      const query = `${WFS2}&REQUEST=GetFeature&TYPENAMES=huts&OUTPUTFORMAT=geojson`;
      const before = await geojson(query);
      expect(before.features.map((f) => [f.id, f.properties?.name])).toEqual([
        ['huts.1', 'Hörnli'],
        ['huts.2', 'Monte Rosa'],
      ]);
      await writeFile(path, JSON.stringify(huts(['Hörnli', 'Monte Rosa', 'Britannia'])));
      const later = new Date(Date.now() + 10_000);
      await utimes(path, later, later);
      expect((await geojson(query)).numberMatched).toBe(3);
    } finally {
      server.layers.unpublish('huts');
    }
  });
});

describe('streaming', () => {
  const COUNT = 200_000;
  let big: FeatureCollection;

  beforeAll(() => {
    // Through JSON, like a parsed file: V8 would otherwise flatten each concatenated label in
    // place the first time it is read, a one-off growth that is the test data's, not the WFS's.
    big = JSON.parse(
      JSON.stringify({
        type: 'FeatureCollection',
        features: Array.from({ length: COUNT }, (_, i) => ({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [-180 + (i % 3600) / 10, -80 + i / 1250] },
          properties: { n: i, label: `feature number ${i}` },
        })),
      }),
    ) as FeatureCollection;
    publish({ name: 'big', title: 'Big', kind: 'vector', source: { kind: 'features', data: big } });
  });

  afterAll(() => {
    server.layers.unpublish('big');
  });

  /**
   * Counts the chunks of responses for the big layer as they pass the sendResponse hook; every
   * 128th chunk it collects garbage and records the live heap, which is what a response that
   * was held in memory would grow.
   */
  function countChunks() {
    const seen = { chunks: 0, bytes: 0, largest: 0, liveHeap: 0 };
    server.chain.register(
      {
        sendResponse(ctx, chunk) {
          if (ctx.parameters.get('TYPENAMES') !== 'big') return;
          const size = Buffer.byteLength(chunk.data);
          seen.chunks++;
          seen.bytes += size;
          seen.largest = Math.max(seen.largest, size);
          if (seen.chunks % 128 === 0) {
            gc();
            seen.liveHeap = Math.max(seen.liveHeap, process.memoryUsage().heapUsed);
          }
        },
      },
      0,
      'test',
    );
    return seen;
  }

  it('streams 200,000 features in bounded chunks through the sendResponse filters', async () => {
    const seen = countChunks();
    const response = await ok(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=big&OUTPUTFORMAT=application/geo%2Bjson`,
      'application/geo+json',
    );
    // Streamed: no length up front.
    expect(response.headers['content-length']).toBeUndefined();
    const collection = JSON.parse(response.text) as FeatureCollection & { numberReturned: number };
    expect(collection.features).toHaveLength(COUNT);
    expect(collection.numberReturned).toBe(COUNT);
    expect(collection.features[COUNT - 1]?.id).toBe(`big.${COUNT}`);
    expect(seen.bytes).toBe(Buffer.byteLength(response.text));
    expect(seen.chunks).toBeGreaterThan(100);
    expect(seen.largest).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
  }, 60_000);

  it('keeps memory flat: the live heap does not grow with the response', async () => {
    const seen = countChunks();
    gc();
    const before = process.memoryUsage().heapUsed;
    // The client counts bytes and keeps none, so the heap measures the server.
    const response = await get(`${WFS2}&REQUEST=GetFeature&TYPENAMES=big`)
      .buffer(true)
      .parse((res, done) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => done(null, bytes));
      });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(GML32_TYPE);
    const size = response.body as number;
    expect(size).toBe(seen.bytes);
    expect(size).toBeGreaterThan(50 * 1024 * 1024);
    expect(seen.largest).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
    expect(seen.liveHeap).toBeGreaterThan(0);
    // Measured: about 1 MB for a 60 MB response.
    expect(seen.liveHeap - before).toBeLessThan(size / 20);
  }, 60_000);
});

describe('numeric parameters', () => {
  const FEATURES = `${WFS2}&REQUEST=GetFeature&TYPENAMES=places`;

  it('refuses BBOX with hex, NaN, Infinity or 1e400, and min > max', async () => {
    for (const bbox of [
      '0x2E,7,47,8',
      'NaN,7,47,8',
      '46,7,Infinity,8',
      '46,7,1e400,8',
      '47,7,46,8',
    ]) {
      const report = await exception(`${FEATURES}&BBOX=${bbox}`);
      expect(report, bbox).toMatchObject({
        status: 400,
        code: 'InvalidParameterValue',
        locator: 'BBOX',
      });
    }
  });

  it('refuses a negative, fractional, hex or unsafe COUNT and STARTINDEX', async () => {
    for (const [name, value] of [
      ['COUNT', '-1'],
      ['COUNT', '1.5'],
      ['COUNT', '0x10'],
      ['COUNT', '1e3'],
      ['COUNT', '99999999999999999999'],
      ['STARTINDEX', '-1'],
      ['STARTINDEX', '9007199254740993'],
      ['STARTINDEX', 'Infinity'],
    ] as const) {
      const report = await exception(`${FEATURES}&${name}=${value}`);
      expect(report, `${name}=${value}`).toMatchObject({
        status: 400,
        code: 'InvalidParameterValue',
        locator: name,
      });
    }
    const far = await get(`${FEATURES}&STARTINDEX=9007199254740991&COUNT=10`);
    expect(far.status).toBe(200);
  });
});
