/**
 * The WFS under access control, through HTTP, as QGIS Server applies its access control
 * filters: a layer the request may not read is absent from capabilities, DescribeFeatureType,
 * stored queries and GetFeature (and refused with the words used for an unknown type); features
 * the feature filter hides are not written, counted, paged over or found by id; withheld
 * attributes are neither declared nor written nor selectable; capabilities are cached per
 * variant, so two roles never share a document.
 */
import type { Feature, FeatureCollection } from 'geojson';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessControl, type AccessControlFilter } from '../../src/access/access-control.ts';
import type { PublishedLayer } from '../../src/layers/layer-registry.ts';
import type { RequestContext } from '../../src/request-loop/request-context.ts';
import { SERVICE_METADATA } from '../../src/services/service-metadata.ts';
import { DocumentCache, objectVersion } from '../../src/services/document-cache.ts';
import { cacheKey } from '../../src/services/filter-cache.ts';
import { OPEN_ACCESS, requestAccess } from '../../src/services/wfs/wfs-access.ts';
import {
  all,
  attr,
  first,
  parseXml,
  texts,
  type XmlDocument,
  type XmlElement,
} from '../helpers/parse-xml.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const HOST = 'maps.example.org';
const WFS2 = 'SERVICE=WFS&VERSION=2.0.0';
const WFS11 = 'SERVICE=WFS&VERSION=1.1.0';
const GML32_TYPE = 'application/gml+xml; version=3.2';
const GML311_TYPE = 'text/xml; subtype=gml/3.1.1';
const XML_TYPE = 'text/xml; charset=utf-8';
const BY_ID = `${WFS2}&REQUEST=GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById`;

// Positional ids parcels.1 … parcels.6; parcels.2 and parcels.5 are restricted.
const CLASSES = ['open', 'restricted', 'open', 'open', 'restricted', 'open'];
const parcels: FeatureCollection = {
  type: 'FeatureCollection',
  features: CLASSES.map((kind, i) => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [6 + i, 46.5] },
    properties: { name: `parcel ${i + 1}`, class: kind, owner: `owner ${i + 1}` },
  })),
};

const secret: FeatureCollection = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      id: 'bunker',
      geometry: { type: 'Point', coordinates: [8, 46.8] },
      properties: { name: 'Bunker' },
    },
  ],
};

// Reads of `features` count how often the WFS opens this layer's data: capabilities open it
// for the extent (it has no declared bbox) on each build, and only then.
let countedReads = 0;
const countedFeatures: Feature[] = [
  { type: 'Feature', geometry: { type: 'Point', coordinates: [7, 47] }, properties: {} },
];
const counted = {
  type: 'FeatureCollection',
  get features() {
    countedReads++;
    return countedFeatures;
  },
} as FeatureCollection;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const publish = (name: string, data: FeatureCollection) =>
    server.layers.publish(
      { name, title: name, kind: 'vector', source: { kind: 'features', data } },
      'test-data',
    );
  publish('parcels', parcels);
  publish('secret', secret);
  publish('counted', counted);
});

afterAll(async () => {
  await server?.close();
});

afterEach(() => {
  server.accessControl.removeOwner('test');
});

const role = (ctx: RequestContext) => ctx.headers['x-role'];

/** Hides `secret` from all but the admin role; the role is its cache key. */
const hideSecret: AccessControlFilter = {
  canRead: (ctx, layer) => layer.name !== 'secret' || role(ctx) === 'admin',
  cacheKey: (ctx) => String(role(ctx) ?? 'guest'),
};

function register(filter: AccessControlFilter): void {
  server.accessControl.register(filter, 0, 'test');
}

const get = (query: string, asRole?: string) => {
  const call = request(server.app.server).get(`/ows?${query}`).set('Host', HOST);
  return asRole === undefined ? call : call.set('x-role', asRole);
};

async function ok(query: string, contentType: string, asRole?: string) {
  const response = await get(query, asRole);
  expect(response.status, response.text).toBe(200);
  expect(response.headers['content-type']).toBe(contentType);
  return response;
}

async function xml(query: string, contentType: string, asRole?: string): Promise<XmlDocument> {
  return parseXml((await ok(query, contentType, asRole)).text);
}

async function geojson(query: string, asRole?: string) {
  const response = await ok(
    `${query}&OUTPUTFORMAT=application/geo%2Bjson`,
    'application/geo+json',
    asRole,
  );
  return JSON.parse(response.text) as FeatureCollection & {
    numberMatched: number;
    numberReturned: number;
    links?: Array<{ href: string; rel: string }>;
  };
}

async function exception(query: string, asRole?: string) {
  const response = await get(query, asRole);
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

/**
 * The exception for `query` with `hidden` in it, and the one for the same query with a name
 * that does not exist, with that name spelled `hidden`: equal when a refusal reveals nothing.
 */
async function refusals(query: (name: string) => string, hidden: string, asRole?: string) {
  const unknown = `${hidden}x`;
  const forUnknown = await exception(query(unknown), asRole);
  return {
    hidden: await exception(query(hidden), asRole),
    unknown: { ...forUnknown, text: forUnknown.text?.replaceAll(unknown, hidden) },
  };
}

function featureTypeNames(doc: XmlDocument): string[] {
  return all(first(doc.root, 'wfs:FeatureTypeList'), 'wfs:FeatureType').flatMap((type) =>
    texts(type, 'wfs:Name'),
  );
}

function describedElements(doc: XmlDocument): string[] {
  return all(doc.root, 'xsd:element').map((element) => attr(element, 'name') ?? '');
}

function declaredProperties(doc: XmlDocument, type: string): string[] {
  const complex = all(doc.root, 'xsd:complexType').find((t) => attr(t, 'name') === type);
  const sequence = first(
    complex as XmlElement,
    'xsd:complexContent',
    'xsd:extension',
    'xsd:sequence',
  );
  return all(sequence, 'xsd:element').map((element) => attr(element, 'name') ?? '');
}

const ids = (collection: FeatureCollection) => collection.features.map((f) => f.id);

describe('no filter', () => {
  it('costs one check per request: every answer is its input', () => {
    const ctx = { state: new Map(), headers: {} } as unknown as RequestContext;
    expect(requestAccess(server.accessControl, ctx)).toBe(OPEN_ACCESS);
    register(hideSecret);
    expect(requestAccess(server.accessControl, ctx)).not.toBe(OPEN_ACCESS);
  });
});

describe('hidden layers', () => {
  it('leaves a layer the request may not read out of both capabilities versions', async () => {
    register(hideSecret);
    for (const [version, names] of [
      [WFS2, ['relief:parcels', 'relief:counted']],
      [WFS11, ['relief:parcels', 'relief:counted']],
    ] as const) {
      const guest = await xml(`${version}&REQUEST=GetCapabilities`, XML_TYPE);
      expect(featureTypeNames(guest)).toEqual(names);
      const admin = await xml(`${version}&REQUEST=GetCapabilities`, XML_TYPE, 'admin');
      expect(featureTypeNames(admin)).toEqual([...names.slice(0, 1), 'relief:secret', names[1]]);
    }
  });

  it('describes only readable types, and refuses a hidden one as an unknown one', async () => {
    register(hideSecret);
    const guest = await xml(`${WFS2}&REQUEST=DescribeFeatureType`, GML32_TYPE);
    expect(describedElements(guest)).toEqual(['parcels', 'counted']);
    const admin = await xml(`${WFS2}&REQUEST=DescribeFeatureType`, GML32_TYPE, 'admin');
    expect(describedElements(admin)).toEqual(['parcels', 'secret', 'counted']);
    const named = await xml(
      `${WFS2}&REQUEST=DescribeFeatureType&TYPENAMES=relief:secret`,
      GML32_TYPE,
      'admin',
    );
    expect(describedElements(named)).toEqual(['secret']);

    for (const version of [WFS2, WFS11]) {
      const { hidden, unknown } = await refusals(
        (name) => `${version}&REQUEST=DescribeFeatureType&TYPENAME=relief:${name}`,
        'secret',
      );
      expect(hidden).toEqual(unknown);
      expect(hidden).toMatchObject({ status: 400, code: 'InvalidParameterValue' });
    }
  });

  it('refuses GetFeature and GetPropertyValue on a hidden type as on an unknown one', async () => {
    register(hideSecret);
    for (const query of [
      (name: string) => `${WFS2}&REQUEST=GetFeature&TYPENAMES=${name}`,
      (name: string) => `${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels,relief:${name}`,
      (name: string) => `${WFS2}&REQUEST=GetFeature&TYPENAMES=(parcels)(${name})`,
      (name: string) => `${WFS11}&REQUEST=GetFeature&TYPENAME=${name}&RESULTTYPE=hits`,
      (name: string) => `${WFS2}&REQUEST=GetPropertyValue&TYPENAMES=${name}&VALUEREFERENCE=name`,
    ]) {
      const { hidden, unknown } = await refusals(query, 'secret');
      expect(hidden).toEqual(unknown);
      expect(hidden.code).toBe('InvalidParameterValue');
    }
    const admin = await geojson(`${WFS2}&REQUEST=GetFeature&TYPENAMES=secret`, 'admin');
    expect(ids(admin)).toEqual(['bunker']);
  });

  it('finds no feature of a hidden type by resource id or stored query', async () => {
    register(hideSecret);
    const guest = await xml(`${WFS2}&REQUEST=GetFeature&RESOURCEID=bunker`, GML32_TYPE);
    expect(attr(guest.root, 'numberMatched')).toBe('0');
    const admin = await xml(`${WFS2}&REQUEST=GetFeature&RESOURCEID=bunker`, GML32_TYPE, 'admin');
    expect(attr(admin.root, 'numberMatched')).toBe('1');

    const hidden = await exception(`${BY_ID}&ID=bunker`);
    const unknown = await exception(`${BY_ID}&ID=bunkerx`);
    expect(hidden).toEqual({ ...unknown, text: unknown.text?.replace('bunkerx', 'bunker') });
    expect(hidden).toMatchObject({ status: 404, code: 'NotFound' });
    const found = await xml(`${BY_ID}&ID=bunker`, GML32_TYPE, 'admin');
    expect(found.name).toBe('relief:secret');

    const list = await xml(`${WFS2}&REQUEST=ListStoredQueries`, XML_TYPE);
    expect(texts(first(list.root, 'wfs:StoredQuery'), 'wfs:ReturnFeatureType')).toEqual([
      'relief:parcels',
      'relief:counted',
    ]);
    const described = await xml(`${WFS2}&REQUEST=DescribeStoredQueries`, XML_TYPE);
    const expression = first(
      described.root,
      'wfs:StoredQueryDescription',
      'wfs:QueryExpressionText',
    );
    expect(attr(expression, 'returnFeatureTypes')).toBe('relief:parcels relief:counted');
  });
});

describe('feature filters', () => {
  let calls = 0;
  const hideRestricted: AccessControlFilter = {
    featureFilter: (_ctx, layer: PublishedLayer) =>
      layer.name === 'parcels'
        ? (feature) => {
            calls++;
            return feature.properties?.class !== 'restricted';
          }
        : undefined,
  };

  it('neither writes nor counts hidden features', async () => {
    register(hideRestricted);
    calls = 0;
    const collection = await geojson(`${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels`);
    expect(ids(collection)).toEqual(['parcels.1', 'parcels.3', 'parcels.4', 'parcels.6']);
    expect([collection.numberMatched, collection.numberReturned]).toEqual([4, 4]);
    // Once per feature visited.
    expect(calls).toBe(6);

    const gml = await xml(`${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels`, GML32_TYPE);
    expect(attr(gml.root, 'numberMatched')).toBe('4');
    expect(all(gml.root, 'wfs:member')).toHaveLength(4);

    const values = await xml(
      `${WFS2}&REQUEST=GetPropertyValue&TYPENAMES=parcels&VALUEREFERENCE=class`,
      GML32_TYPE,
    );
    expect(attr(values.root, 'numberMatched')).toBe('4');
    expect(texts(values.root, 'wfs:member')).toEqual(['open', 'open', 'open', 'open']);
  });

  it('answers hits with the visible count', async () => {
    register(hideRestricted);
    const hits = await xml(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels&RESULTTYPE=hits`,
      GML32_TYPE,
    );
    expect([attr(hits.root, 'numberMatched'), attr(hits.root, 'numberReturned')]).toEqual([
      '4',
      '0',
    ]);
    const hits11 = await xml(
      `${WFS11}&REQUEST=GetFeature&TYPENAME=parcels&RESULTTYPE=hits&MAXFEATURES=3`,
      GML311_TYPE,
    );
    expect(attr(hits11.root, 'numberOfFeatures')).toBe('3');
    const several = await xml(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=(parcels)(counted)(parcels)&RESULTTYPE=hits`,
      GML32_TYPE,
    );
    expect(attr(several.root, 'numberMatched')).toBe('9');
  });

  it('pages over visible features only', async () => {
    register(hideRestricted);
    const page = (start: number) =>
      geojson(`${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels&COUNT=2&STARTINDEX=${start}`);
    const one = await page(0);
    expect(ids(one)).toEqual(['parcels.1', 'parcels.3']);
    expect(one.numberMatched).toBe(4);
    expect(one.links?.map((link) => link.rel)).toEqual(['next']);
    const two = await page(2);
    expect(ids(two)).toEqual(['parcels.4', 'parcels.6']);
    expect(two.links?.map((link) => link.rel)).toEqual(['previous']);
    const three = await page(4);
    expect(ids(three)).toEqual([]);
    expect(three.numberReturned).toBe(0);
  });

  it('finds no hidden feature by resource id, BBOX or stored query', async () => {
    register(hideRestricted);
    calls = 0;
    const byId = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels&RESOURCEID=parcels.2,parcels.3,parcels.5`,
    );
    expect(ids(byId)).toEqual(['parcels.3']);
    expect(byId.numberMatched).toBe(1);
    // Only the candidates are tested.
    expect(calls).toBe(3);

    const alone = await geojson(`${WFS2}&REQUEST=GetFeature&RESOURCEID=parcels.5`);
    expect(alone.numberMatched).toBe(0);

    // lat,lon: longitudes 6.5 to 10.5 hold parcels 2 to 5.
    const boxed = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels&BBOX=46,6.5,47,10.5&COUNT=1&STARTINDEX=1`,
    );
    expect(ids(boxed)).toEqual(['parcels.4']);
    expect(boxed.numberMatched).toBe(2);

    const hidden = await exception(`${BY_ID}&ID=parcels.2`);
    const unknown = await exception(`${BY_ID}&ID=parcels.9`);
    expect(hidden).toEqual({ ...unknown, text: unknown.text?.replace('parcels.9', 'parcels.2') });
    expect(hidden.status).toBe(404);
    expect((await xml(`${BY_ID}&ID=parcels.3`, GML32_TYPE)).name).toBe('relief:parcels');
  });
});

describe('authorized attributes', () => {
  const hideOwner: AccessControlFilter = {
    authorizedAttributes: (ctx, layer, names) =>
      layer.name === 'parcels' && role(ctx) !== 'admin'
        ? names.filter((name) => name !== 'owner')
        : names,
  };

  it('writes no withheld attribute in GML or GeoJSON', async () => {
    register(hideOwner);
    const gml = await xml(`${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels&COUNT=1`, GML32_TYPE);
    const feature = first(gml.root, 'wfs:member', 'relief:parcels');
    expect(texts(feature, 'relief:name')).toEqual(['parcel 1']);
    expect(texts(feature, 'relief:owner')).toEqual([]);
    const gml11 = await xml(
      `${WFS11}&REQUEST=GetFeature&TYPENAME=parcels&MAXFEATURES=1`,
      GML311_TYPE,
    );
    expect(texts(first(gml11.root, 'gml:featureMember', 'relief:parcels'), 'relief:owner')).toEqual(
      [],
    );
    const json = await geojson(`${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels&COUNT=1`);
    expect(json.features[0]?.properties).toEqual({ name: 'parcel 1', class: 'open' });
    const single = JSON.parse(
      (
        await ok(
          `${BY_ID}&ID=parcels.2&OUTPUTFORMAT=application/geo%2Bjson`,
          'application/geo+json; charset=utf-8',
        )
      ).text,
    ) as Feature;
    expect(single.properties).toEqual({ name: 'parcel 2', class: 'restricted' });
    const singleGml = await xml(`${BY_ID}&ID=parcels.2`, GML32_TYPE);
    expect(texts(singleGml.root, 'relief:owner')).toEqual([]);

    const admin = await geojson(`${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels&COUNT=1`, 'admin');
    expect(admin.features[0]?.properties).toMatchObject({ owner: 'owner 1' });
  });

  it('does not declare a withheld attribute', async () => {
    register(hideOwner);
    const doc = await xml(`${WFS2}&REQUEST=DescribeFeatureType&TYPENAMES=parcels`, GML32_TYPE);
    expect(declaredProperties(doc, 'parcelsType')).toEqual(['geometry', 'name', 'class']);
    const admin = await xml(
      `${WFS2}&REQUEST=DescribeFeatureType&TYPENAMES=parcels`,
      GML32_TYPE,
      'admin',
    );
    expect(declaredProperties(admin, 'parcelsType')).toEqual([
      'geometry',
      'name',
      'class',
      'owner',
    ]);
  });

  it('refuses a withheld attribute as an unknown one in PROPERTYNAME and VALUEREFERENCE', async () => {
    register(hideOwner);
    for (const query of [
      (name: string) => `${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels&PROPERTYNAME=${name}`,
      (name: string) =>
        `${WFS11}&REQUEST=GetFeature&TYPENAME=parcels&PROPERTYNAME=name,relief:${name}`,
      (name: string) => `${WFS2}&REQUEST=GetPropertyValue&TYPENAMES=parcels&VALUEREFERENCE=${name}`,
    ]) {
      const { hidden, unknown } = await refusals(query, 'owner');
      expect(hidden).toEqual(unknown);
      expect(hidden).toMatchObject({ status: 400, code: 'InvalidParameterValue' });
    }
    const selected = await geojson(
      `${WFS2}&REQUEST=GetFeature&TYPENAMES=parcels&COUNT=1&PROPERTYNAME=name`,
    );
    expect(selected.features[0]?.properties).toEqual({ name: 'parcel 1' });
    const admin = await xml(
      `${WFS2}&REQUEST=GetPropertyValue&TYPENAMES=parcels&VALUEREFERENCE=owner&COUNT=1`,
      GML32_TYPE,
      'admin',
    );
    expect(texts(admin.root, 'wfs:member')).toEqual(['owner 1']);
  });
});

describe('capabilities cache', () => {
  const capabilities = async (asRole?: string) =>
    featureTypeNames(await xml(`${WFS2}&REQUEST=GetCapabilities`, XML_TYPE, asRole));

  it('keeps a document per access variant, for roles in interleaved requests', async () => {
    register(hideSecret);
    const guestTypes = ['relief:parcels', 'relief:counted'];
    const adminTypes = ['relief:parcels', 'relief:secret', 'relief:counted'];
    const [guest, admin] = await Promise.all([capabilities(), capabilities('admin')]);
    expect(guest).toEqual(guestTypes);
    expect(admin).toEqual(adminTypes);
    const builds = countedReads;
    for (let i = 0; i < 3; i++) {
      expect(await capabilities('admin')).toEqual(adminTypes);
      expect(await capabilities()).toEqual(guestTypes);
      expect(await capabilities('admin')).toEqual(adminTypes);
    }
    // Served from the cache: the layer data was not opened again.
    expect(countedReads).toBe(builds);
  });

  it('never shares a document between variants of a filter without a cache key', async () => {
    register({ canRead: (ctx, layer) => layer.name !== 'secret' || role(ctx) === 'admin' });
    for (let i = 0; i < 2; i++) {
      expect(await capabilities()).toEqual(['relief:parcels', 'relief:counted']);
      expect(await capabilities('admin')).toEqual([
        'relief:parcels',
        'relief:secret',
        'relief:counted',
      ]);
    }
  });

  it('keys entries by the access variant too', async () => {
    const cache = new DocumentCache();
    let builds = 0;
    const build = async () => `doc${++builds}`;
    const parts = {
      service: 'WFS',
      operation: 'GetCapabilities',
      version: '2.0.0',
      endpoint: 'http://a/ows',
      revision: 1,
      metadata: objectVersion(SERVICE_METADATA),
    };
    const asRole = (value?: string) =>
      ({ headers: { 'x-role': value }, state: new Map() }) as unknown as RequestContext;
    const open = { accessControl: new AccessControl() };
    const filtered = { accessControl: new AccessControl() };
    filtered.accessControl.register({ cacheKey: (ctx) => String(role(ctx) ?? 'guest') });
    const layers = server.layers.list();
    expect(await cache.get(cacheKey(open, asRole(), parts, layers), build)).toBe('doc1');
    expect(await cache.get(cacheKey(open, asRole('admin'), parts, layers), build)).toBe('doc1');
    expect(await cache.get(cacheKey(filtered, asRole(), parts, layers), build)).toBe('doc2');
    expect(await cache.get(cacheKey(filtered, asRole('admin'), parts, layers), build)).toBe('doc3');
    expect(await cache.get(cacheKey(filtered, asRole(), parts, layers), build)).toBe('doc2');
  });
});
