/**
 * The core WMS, WCS and WFS through HTTP: each version's GetCapabilities document (root,
 * namespace, version, schema element order, advertised endpoint), version negotiation, KVP
 * spelling, POST encodings, and the exception document each service version answers with.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { createServer, type ReliefServer } from '../../src/server/create-server.ts';
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

const HOST = 'maps.example.org';
const ENDPOINT = `http://${HOST}/ows`;
const WMS_NS = 'http://www.opengis.net/wms';
const OGC_NS = 'http://www.opengis.net/ogc';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const SLD_NS = 'http://www.opengis.net/sld';
const OWS_1_0_NS = 'http://www.opengis.net/ows';
const OWS_1_1_NS = 'http://www.opengis.net/ows/1.1';
const OWS_2_0_NS = 'http://www.opengis.net/ows/2.0';

let server: ReliefServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'relief-ows-'));
  const pluginsDir = join(dataDir, 'no-plugins');
  server = await createServer(
    loadConfig({
      RELIEF_PLUGINS_PATH: pluginsDir,
      RELIEF_DATA_DIR: join(dataDir, 'data'),
      RELIEF_LOG_LEVEL: 'silent',
      RELIEF_WORKERS: '1',
    } as NodeJS.ProcessEnv),
  );
  await server.app.ready();
});

afterAll(async () => {
  await server?.app.close();
  await rm(dataDir, { recursive: true, force: true });
});

const get = (query: string) => request(server.app.server).get(`/ows?${query}`).set('Host', HOST);

async function capabilities(query: string, contentType = 'text/xml; charset=utf-8') {
  const response = await get(query);
  expect(response.status, response.text).toBe(200);
  expect(response.headers['content-type']).toBe(contentType);
  return { response, doc: parseXml(response.text) };
}

function expectRoot(
  doc: XmlDocument,
  name: string,
  namespace: string | undefined,
  version: string,
) {
  expect(doc.name).toBe(name);
  expect(doc.namespace).toBe(namespace);
  expect(attr(doc.root, 'version')).toBe(version);
}

/** The OnlineResource hrefs under a WMS or WCS 1.0 DCPType/HTTP element, by method. */
function dcpHrefs(operation: XmlElement): Record<string, string | undefined> {
  const http = first(operation, 'DCPType', 'HTTP');
  const href = (method: string) =>
    all(http, method).length === 0
      ? undefined
      : attr(first(http, method, 'OnlineResource'), 'xlink:href');
  return { get: href('Get'), post: href('Post') };
}

/** The ows:Get and ows:Post hrefs of one OWS Common operation. */
function owsHrefs(operation: XmlElement): Record<string, string | undefined> {
  const http = first(operation, 'ows:DCP', 'ows:HTTP');
  const href = (method: string) => {
    const element = all(http, method)[0];
    return element === undefined ? undefined : attr(element, 'xlink:href');
  };
  return { get: href('ows:Get'), post: href('ows:Post') };
}

function owsOperations(doc: XmlDocument): XmlElement[] {
  return all(first(doc.root, 'ows:OperationsMetadata'), 'ows:Operation');
}

/** name → DefaultValue of ows:Constraint (OWS 1.1) or fes:Constraint children. */
function constraintValues(parent: XmlElement, name: string): Record<string, string> {
  return Object.fromEntries(
    all(parent, name).map((c) => [attr(c, 'name'), text(first(c, 'ows:DefaultValue'))]),
  );
}

describe('core service registration', () => {
  it('registers WMS, WCS and WFS as core services that serve only GetCapabilities', () => {
    const services = server.registry.list().map((s) => ({
      name: s.name,
      owner: s.owner,
      versions: s.versions,
      operations: s.operationNames,
    }));
    expect(services).toEqual([
      {
        name: 'WMS',
        owner: 'core',
        versions: ['1.1.1', '1.3.0'],
        operations: ['GetCapabilities', 'GetMap', 'GetFeatureInfo', 'GetLegendGraphic'],
      },
      {
        name: 'WCS',
        owner: 'core',
        versions: ['1.0.0', '2.0.1'],
        operations: ['GetCapabilities', 'DescribeCoverage', 'GetCoverage'],
      },
      {
        name: 'WFS',
        owner: 'core',
        versions: ['1.1.0', '2.0.0'],
        operations: [
          'GetCapabilities',
          'DescribeFeatureType',
          'GetFeature',
          'GetPropertyValue',
          'ListStoredQueries',
          'DescribeStoredQueries',
        ],
      },
    ]);
  });
});

describe('WMS GetCapabilities', () => {
  it('answers 1.3.0 with a WMS_Capabilities document in schema order', async () => {
    const { doc } = await capabilities('SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities');
    expectRoot(doc, 'WMS_Capabilities', WMS_NS, '1.3.0');
    expect(attr(doc.root, 'xmlns:xlink')).toBe(XLINK_NS);
    // sld:GetLegendGraphic is an _ExtendedOperation from the SLD capabilities schema.
    expect(attr(doc.root, 'xmlns:sld')).toBe(SLD_NS);
    expect(attr(doc.root, 'xsi:schemaLocation')).toBe(
      `${WMS_NS} http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd ` +
        `${SLD_NS} http://schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd`,
    );
    expect(childNames(doc.root)).toEqual(['Service', 'Capability']);

    const service = first(doc.root, 'Service');
    expect(childNames(service)).toEqual([
      'Name',
      'Title',
      'Abstract',
      'OnlineResource',
      'Fees',
      'AccessConstraints',
      'MaxWidth',
      'MaxHeight',
    ]);
    expect(texts(service, 'Name')).toEqual(['WMS']);
    expect(texts(service, 'MaxWidth')).toEqual(['4096']);
    expect(texts(service, 'Title')).toEqual(['Relief']);
    expect(texts(service, 'Abstract')).toEqual(['Relief map server']);
    expect(attr(first(service, 'OnlineResource'), 'xlink:href')).toBe(ENDPOINT);

    const capability = first(doc.root, 'Capability');
    expect(childNames(capability)).toEqual(['Request', 'Exception', 'Layer']);
    const requestElement = first(capability, 'Request');
    expect(childNames(requestElement)).toEqual([
      'GetCapabilities',
      'GetMap',
      'GetFeatureInfo',
      'sld:GetLegendGraphic',
    ]);
    const getCapabilities = first(requestElement, 'GetCapabilities');
    expect(childNames(getCapabilities)).toEqual(['Format', 'DCPType']);
    expect(texts(getCapabilities, 'Format')).toEqual(['text/xml']);
    expect(dcpHrefs(getCapabilities)).toEqual({ get: `${ENDPOINT}?`, post: ENDPOINT });
    const getMap = first(requestElement, 'GetMap');
    expect(texts(getMap, 'Format')).toEqual(['image/png', 'image/jpeg', 'image/webp']);
    expect(dcpHrefs(getMap)).toEqual({ get: `${ENDPOINT}?`, post: ENDPOINT });
    expect(texts(first(requestElement, 'GetFeatureInfo'), 'Format')).toEqual([
      'text/plain',
      'application/json',
      'text/html',
      'application/vnd.ogc.gml',
      'text/xml',
    ]);
    const legend = first(requestElement, 'sld:GetLegendGraphic');
    expect(childNames(legend)).toEqual(['Format', 'DCPType']);
    expect(texts(legend, 'Format')).toEqual(['image/png']);
    expect(texts(first(capability, 'Exception'), 'Format')).toEqual(['XML', 'INIMAGE', 'BLANK']);

    const layer = first(capability, 'Layer');
    expect(childNames(layer)).toEqual([
      'Title',
      'Abstract',
      'CRS',
      'EX_GeographicBoundingBox',
      'BoundingBox',
    ]);
    expect(texts(layer, 'Title')).toEqual(['Relief']);
    expect(texts(layer, 'CRS')).toEqual(['EPSG:4326', 'CRS:84', 'EPSG:3857']);
    const geographic = first(layer, 'EX_GeographicBoundingBox');
    expect(childNames(geographic)).toEqual([
      'westBoundLongitude',
      'eastBoundLongitude',
      'southBoundLatitude',
      'northBoundLatitude',
    ]);
    expect(
      ['westBoundLongitude', 'eastBoundLongitude', 'southBoundLatitude', 'northBoundLatitude'].map(
        (n) => Number(text(first(geographic, n))),
      ),
    ).toEqual([-180, 180, -90, 90]);
    const boxes = all(layer, 'BoundingBox').map((b) =>
      ['CRS', 'minx', 'miny', 'maxx', 'maxy'].map((name) => attr(b, name)),
    );
    // EPSG:4326 is latitude/longitude in WMS 1.3.0; CRS:84 is longitude/latitude; EPSG:3857
    // stops at the latitudes of the Web Mercator square.
    expect(boxes).toEqual([
      ['CRS:84', '-180', '-90', '180', '90'],
      ['EPSG:4326', '-90', '-180', '90', '180'],
      ['EPSG:3857', '-20037508.34', '-20037508.34', '20037508.34', '20037508.34'],
    ]);
  });

  it('answers 1.1.1 with a DTD-based WMT_MS_Capabilities document', async () => {
    const { response, doc } = await capabilities(
      'SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities',
      'application/vnd.ogc.wms_xml; charset=utf-8',
    );
    expect(response.text).toContain(
      '<!DOCTYPE WMT_MS_Capabilities SYSTEM "http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd">',
    );
    expectRoot(doc, 'WMT_MS_Capabilities', undefined, '1.1.1');
    const service = first(doc.root, 'Service');
    expect(texts(service, 'Name')).toEqual(['OGC:WMS']);
    const online = first(service, 'OnlineResource');
    // The DTD fixes the xlink declaration on each OnlineResource.
    expect(attr(online, 'xmlns:xlink')).toBe(XLINK_NS);
    expect(attr(online, 'xlink:href')).toBe(ENDPOINT);

    const capability = first(doc.root, 'Capability');
    const requestElement = first(capability, 'Request');
    // The 1.1.1 DTD lists GetLegendGraphic in Request itself.
    expect(childNames(requestElement)).toEqual([
      'GetCapabilities',
      'GetMap',
      'GetFeatureInfo',
      'GetLegendGraphic',
    ]);
    expect(texts(first(requestElement, 'GetCapabilities'), 'Format')).toEqual([
      'application/vnd.ogc.wms_xml',
    ]);
    expect(dcpHrefs(first(requestElement, 'GetMap'))).toEqual({
      get: `${ENDPOINT}?`,
      post: ENDPOINT,
    });
    expect(texts(first(capability, 'Exception'), 'Format')).toEqual([
      'application/vnd.ogc.se_xml',
      'application/vnd.ogc.se_inimage',
      'application/vnd.ogc.se_blank',
    ]);
    const layer = first(capability, 'Layer');
    expect(childNames(layer)).toEqual([
      'Title',
      'Abstract',
      'SRS',
      'LatLonBoundingBox',
      'BoundingBox',
    ]);
    expect(texts(layer, 'SRS')).toEqual(['EPSG:4326', 'EPSG:3857']);
    const latLon = first(layer, 'LatLonBoundingBox');
    expect(['minx', 'miny', 'maxx', 'maxy'].map((n) => attr(latLon, n))).toEqual([
      '-180',
      '-90',
      '180',
      '90',
    ]);
    expect(attr(first(layer, 'BoundingBox'), 'SRS')).toBe('EPSG:4326');
    expect(attr(first(layer, 'BoundingBox'), 'minx')).toBe('-180');
  });

  it('negotiates a single VERSION the WMS way', async () => {
    const versionFor = async (version: string) => {
      const response = await get(`SERVICE=WMS&REQUEST=GetCapabilities&VERSION=${version}`);
      expect(response.status).toBe(200);
      return attr(parseXml(response.text).root, 'version');
    };
    expect(await versionFor('1.3.0')).toBe('1.3.0');
    expect(await versionFor('1.1.1')).toBe('1.1.1');
    // The highest supported version lower than the one asked for, else the lowest.
    expect(await versionFor('1.2.0')).toBe('1.1.1');
    expect(await versionFor('9.9.9')).toBe('1.3.0');
    expect(await versionFor('1.0.0')).toBe('1.1.1');
    const none = await get('SERVICE=WMS&REQUEST=GetCapabilities');
    expect(parseXml(none.text).name).toBe('WMS_Capabilities');
  });

  it('reads parameter names and the SERVICE and REQUEST values in any case', async () => {
    const lower = await capabilities('service=wms&request=getcapabilities');
    expectRoot(lower.doc, 'WMS_Capabilities', WMS_NS, '1.3.0');
    const mixed = await capabilities(
      'SeRvIcE=Wms&ReQuEsT=GetCAPABILITIES&VeRsIoN=1.1.1',
      'application/vnd.ogc.wms_xml; charset=utf-8',
    );
    expect(mixed.doc.name).toBe('WMT_MS_Capabilities');
  });

  it('advertises the configured public URL instead of the request host', async () => {
    const publicDir = await mkdtemp(join(tmpdir(), 'relief-ows-public-'));
    const other = await createServer(
      loadConfig({
        RELIEF_PLUGINS_PATH: join(publicDir, 'no-plugins'),
        RELIEF_DATA_DIR: join(publicDir, 'data'),
        RELIEF_LOG_LEVEL: 'silent',
        RELIEF_WORKERS: '1',
        RELIEF_PUBLIC_URL: 'https://maps.example.com/relief',
      } as NodeJS.ProcessEnv),
    );
    try {
      await other.app.ready();
      const response = await request(other.app.server).get(
        '/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities',
      );
      const service = first(parseXml(response.text).root, 'Service');
      expect(attr(first(service, 'OnlineResource'), 'xlink:href')).toBe(
        'https://maps.example.com/relief/ows',
      );
    } finally {
      await other.app.close();
      await rm(publicDir, { recursive: true, force: true });
    }
  });
});

describe('WCS GetCapabilities', () => {
  it('answers 2.0.1 with a wcs:Capabilities document on OWS Common 2.0', async () => {
    const { doc } = await capabilities('SERVICE=WCS&ACCEPTVERSIONS=2.0.1&REQUEST=GetCapabilities');
    expectRoot(doc, 'wcs:Capabilities', 'http://www.opengis.net/wcs/2.0', '2.0.1');
    expect(attr(doc.root, 'xmlns:ows')).toBe(OWS_2_0_NS);
    expect(childNames(doc.root)).toEqual([
      'ows:ServiceIdentification',
      'ows:ServiceProvider',
      'ows:OperationsMetadata',
      'wcs:ServiceMetadata',
      'wcs:Contents',
    ]);
    const identification = first(doc.root, 'ows:ServiceIdentification');
    expect(childNames(identification)).toEqual([
      'ows:Title',
      'ows:Abstract',
      'ows:ServiceType',
      'ows:ServiceTypeVersion',
      'ows:Profile',
      'ows:Fees',
      'ows:AccessConstraints',
    ]);
    expect(texts(identification, 'ows:Title')).toEqual(['Relief']);
    expect(texts(identification, 'ows:ServiceType')).toEqual(['OGC WCS']);
    expect(texts(identification, 'ows:ServiceTypeVersion')).toEqual(['2.0.1']);
    expect(texts(identification, 'ows:Profile')).toEqual([
      'http://www.opengis.net/spec/WCS/2.0/conf/core',
      'http://www.opengis.net/spec/WCS_protocol-binding_get-kvp/1.0/conf/get-kvp',
      'http://www.opengis.net/spec/WCS_service-extension_crs/1.0/conf/crs',
      'http://www.opengis.net/spec/WCS_service-extension_scaling/1.0/conf/scaling',
      'http://www.opengis.net/spec/GMLCOV_geotiff-coverages/1.0/conf/geotiff-coverage',
    ]);
    const provider = first(doc.root, 'ows:ServiceProvider');
    expect(childNames(provider)).toEqual(['ows:ProviderName', 'ows:ServiceContact']);
    const operations = owsOperations(doc);
    expect(operations.map((o) => attr(o, 'name'))).toEqual([
      'GetCapabilities',
      'DescribeCoverage',
      'GetCoverage',
    ]);
    for (const operation of operations) {
      expect(owsHrefs(operation)).toEqual({ get: `${ENDPOINT}?`, post: undefined });
    }
    const serviceMetadata = first(doc.root, 'wcs:ServiceMetadata');
    expect(childNames(serviceMetadata)).toEqual(['wcs:formatSupported', 'wcs:Extension']);
    expect(texts(serviceMetadata, 'wcs:formatSupported')).toEqual(['image/tiff']);
    expect(
      texts(first(serviceMetadata, 'wcs:Extension', 'crs:CrsMetadata'), 'crs:crsSupported'),
    ).toEqual([
      'http://www.opengis.net/def/crs/EPSG/0/4326',
      'http://www.opengis.net/def/crs/EPSG/0/3857',
    ]);
    // No raster layer is published here: an empty Contents is valid.
    expect(childNames(first(doc.root, 'wcs:Contents'))).toEqual([]);
  });

  it('answers 1.0.0 with a WCS_Capabilities document', async () => {
    const { doc } = await capabilities('SERVICE=WCS&VERSION=1.0.0&REQUEST=GetCapabilities');
    expectRoot(doc, 'WCS_Capabilities', 'http://www.opengis.net/wcs', '1.0.0');
    expect(childNames(doc.root)).toEqual(['Service', 'Capability', 'ContentMetadata']);
    const service = first(doc.root, 'Service');
    expect(childNames(service)).toEqual([
      'description',
      'name',
      'label',
      'fees',
      'accessConstraints',
    ]);
    expect(texts(service, 'label')).toEqual(['Relief']);
    const requestElement = first(doc.root, 'Capability', 'Request');
    expect(childNames(requestElement)).toEqual([
      'GetCapabilities',
      'DescribeCoverage',
      'GetCoverage',
    ]);
    for (const name of childNames(requestElement)) {
      expect(dcpHrefs(first(requestElement, name))).toEqual({
        get: `${ENDPOINT}?`,
        post: undefined,
      });
    }
    expect(texts(first(doc.root, 'Capability', 'Exception'), 'Format')).toEqual([
      'application/vnd.ogc.se_xml',
    ]);
  });

  it('answers the highest version without VERSION or AcceptVersions', async () => {
    const { doc } = await capabilities('SERVICE=WCS&REQUEST=GetCapabilities');
    expect(attr(doc.root, 'version')).toBe('2.0.1');
  });
});

describe('WFS GetCapabilities', () => {
  it('answers 2.0.0 with the conformance statement WFS 2.0 and FES 2.0 require', async () => {
    const { doc } = await capabilities('SERVICE=WFS&REQUEST=GetCapabilities');
    expectRoot(doc, 'wfs:WFS_Capabilities', 'http://www.opengis.net/wfs/2.0', '2.0.0');
    expect(attr(doc.root, 'xmlns:ows')).toBe(OWS_1_1_NS);
    expect(attr(doc.root, 'xmlns:fes')).toBe('http://www.opengis.net/fes/2.0');
    expect(childNames(doc.root)).toEqual([
      'ows:ServiceIdentification',
      'ows:ServiceProvider',
      'ows:OperationsMetadata',
      'fes:Filter_Capabilities',
    ]);
    const identification = first(doc.root, 'ows:ServiceIdentification');
    expect(texts(identification, 'ows:ServiceType')).toEqual(['WFS']);
    expect(texts(identification, 'ows:ServiceTypeVersion')).toEqual(['2.0.0']);

    const metadata = first(doc.root, 'ows:OperationsMetadata');
    expect(childNames(metadata)).toEqual(['ows:Operation', 'ows:Constraint']);
    const operations = owsOperations(doc);
    expect(operations.map((o) => attr(o, 'name'))).toEqual([
      'GetCapabilities',
      'DescribeFeatureType',
      'ListStoredQueries',
      'DescribeStoredQueries',
      'GetPropertyValue',
      'GetFeature',
    ]);
    expect(owsHrefs(operations[0] as XmlElement)).toEqual({ get: `${ENDPOINT}?`, post: ENDPOINT });
    const acceptVersions = first(operations[0] as XmlElement, 'ows:Parameter');
    expect(attr(acceptVersions, 'name')).toBe('AcceptVersions');
    expect(texts(first(acceptVersions, 'ows:AllowedValues'), 'ows:Value')).toEqual([
      '1.1.0',
      '2.0.0',
    ]);

    const service = constraintValues(metadata, 'ows:Constraint');
    // ISO 19142 Table 13: each of these must be present with a DefaultValue.
    for (const name of [
      'ImplementsBasicWFS',
      'ImplementsTransactionalWFS',
      'ImplementsLockingWFS',
      'KVPEncoding',
      'XMLEncoding',
      'SOAPEncoding',
      'ImplementsInheritance',
      'ImplementsRemoteResolve',
      'ImplementsResultPaging',
      'ImplementsStandardJoins',
      'ImplementsSpatialJoins',
      'ImplementsTemporalJoins',
      'ImplementsFeatureVersioning',
      'ManageStoredQueries',
    ]) {
      expect(['TRUE', 'FALSE'], name).toContain(service[name]);
    }
    expect(service.KVPEncoding).toBe('TRUE');
    expect(service.ImplementsBasicWFS).toBe('TRUE');
    expect(service.ImplementsResultPaging).toBe('TRUE');
    expect(service.ImplementsTransactionalWFS).toBe('FALSE');

    const conformance = first(doc.root, 'fes:Filter_Capabilities', 'fes:Conformance');
    const filter = constraintValues(conformance, 'fes:Constraint');
    expect(Object.keys(filter)).toEqual([
      'ImplementsQuery',
      'ImplementsAdHocQuery',
      'ImplementsFunctions',
      'ImplementsResourceId',
      'ImplementsMinStandardFilter',
      'ImplementsStandardFilter',
      'ImplementsMinSpatialFilter',
      'ImplementsSpatialFilter',
      'ImplementsMinTemporalFilter',
      'ImplementsTemporalFilter',
      'ImplementsVersionNav',
      'ImplementsSorting',
      'ImplementsExtendedOperators',
      'ImplementsMinimumXPath',
      'ImplementsSchemaElementFunc',
    ]);
    for (const constraint of all(conformance, 'fes:Constraint')) {
      expect(childNames(constraint)).toEqual(['ows:NoValues', 'ows:DefaultValue']);
    }
    expect(childNames(first(doc.root, 'fes:Filter_Capabilities'))).toEqual([
      'fes:Conformance',
      'fes:Id_Capabilities',
      'fes:Spatial_Capabilities',
    ]);
  });

  it('answers 1.1.0 on OWS Common 1.0 with the Filter 1.1 capabilities its schema requires', async () => {
    const { doc } = await capabilities('SERVICE=WFS&ACCEPTVERSIONS=1.1.0&REQUEST=GetCapabilities');
    expectRoot(doc, 'wfs:WFS_Capabilities', 'http://www.opengis.net/wfs', '1.1.0');
    expect(attr(doc.root, 'xmlns:ows')).toBe(OWS_1_0_NS);
    expect(attr(doc.root, 'xmlns:ogc')).toBe(OGC_NS);
    expect(childNames(doc.root)).toEqual([
      'ows:ServiceIdentification',
      'ows:ServiceProvider',
      'ows:OperationsMetadata',
      'ogc:Filter_Capabilities',
    ]);
    const identification = first(doc.root, 'ows:ServiceIdentification');
    // OWS 1.0 has no Profile element.
    expect(childNames(identification)).toEqual([
      'ows:Title',
      'ows:Abstract',
      'ows:ServiceType',
      'ows:ServiceTypeVersion',
      'ows:Fees',
      'ows:AccessConstraints',
    ]);
    expect(texts(identification, 'ows:ServiceTypeVersion')).toEqual(['1.1.0']);
    const operations = owsOperations(doc);
    expect(operations.map((o) => attr(o, 'name'))).toEqual([
      'GetCapabilities',
      'DescribeFeatureType',
      'GetFeature',
    ]);
    expect(owsHrefs(operations[2] as XmlElement)).toEqual({ get: `${ENDPOINT}?`, post: ENDPOINT });
    // OWS 1.0 lists values directly, without AllowedValues.
    expect(texts(first(operations[0] as XmlElement, 'ows:Parameter'), 'ows:Value')).toEqual([
      '1.1.0',
      '2.0.0',
    ]);
    const filter = first(doc.root, 'ogc:Filter_Capabilities');
    expect(childNames(filter)).toEqual([
      'ogc:Spatial_Capabilities',
      'ogc:Scalar_Capabilities',
      'ogc:Id_Capabilities',
    ]);
    const spatial = first(filter, 'ogc:Spatial_Capabilities');
    expect(texts(first(spatial, 'ogc:GeometryOperands'), 'ogc:GeometryOperand')).toEqual([
      'gml:Envelope',
    ]);
    expect(attr(first(spatial, 'ogc:SpatialOperators', 'ogc:SpatialOperator'), 'name')).toBe(
      'BBOX',
    );
    expect(attr(doc.root, 'xmlns:gml')).toBe('http://www.opengis.net/gml');
  });

  it('negotiates AcceptVersions in the client order', async () => {
    const versionFor = async (accept: string) => {
      const response = await get(`SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=${accept}`);
      expect(response.status).toBe(200);
      return attr(parseXml(response.text).root, 'version');
    };
    expect(await versionFor('1.1.0,2.0.0')).toBe('1.1.0');
    expect(await versionFor('2.0.0,1.1.0')).toBe('2.0.0');
    expect(await versionFor('3.0.0,2.0.0')).toBe('2.0.0');
    // AcceptVersions wins over VERSION.
    const both = await get(
      'SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0&AcceptVersions=1.1.0',
    );
    expect(attr(parseXml(both.text).root, 'version')).toBe('1.1.0');
  });

  it('answers VersionNegotiationFailed in an OWS ExceptionReport when no version matches', async () => {
    const response = await get('SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=3.0.0');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8');
    const doc = parseXml(response.text);
    expectRoot(doc, 'ows:ExceptionReport', OWS_1_1_NS, '2.0.0');
    const exception = first(doc.root, 'ows:Exception');
    expect(attr(exception, 'exceptionCode')).toBe('VersionNegotiationFailed');
    expect(attr(exception, 'locator')).toBe('AcceptVersions');
    expect(texts(exception, 'ows:ExceptionText')[0]).toContain('1.1.0, 2.0.0');
  });
});

describe('POST encodings', () => {
  it('accepts KVP sent as an application/x-www-form-urlencoded body', async () => {
    const response = await request(server.app.server)
      .post('/ows')
      .set('Host', HOST)
      .type('form')
      .send('service=WMS&request=GetCapabilities&version=1.1.1');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.ogc.wms_xml; charset=utf-8');
    expectRoot(parseXml(response.text), 'WMT_MS_Capabilities', undefined, '1.1.1');
  });

  it('accepts a GetCapabilities XML document', async () => {
    const response = await request(server.app.server)
      .post('/ows')
      .set('Host', HOST)
      .set('Content-Type', 'text/xml')
      .send('<GetCapabilities service="WFS" xmlns="http://www.opengis.net/wfs/2.0"/>');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
    const doc = parseXml(response.text);
    expectRoot(doc, 'wfs:WFS_Capabilities', 'http://www.opengis.net/wfs/2.0', '2.0.0');
    expect(owsHrefs(owsOperations(doc)[0] as XmlElement).post).toBe(ENDPOINT);
  });
});

describe('exceptions', () => {
  /** The single exception of a WMS 1.3.0, WMS 1.1.1 or WCS 1.0.0 ServiceExceptionReport. */
  function serviceException(doc: XmlDocument) {
    expect(doc.name).toBe('ServiceExceptionReport');
    const exceptions = all(doc.root, 'ServiceException');
    expect(exceptions).toHaveLength(1);
    const exception = exceptions[0] as XmlElement;
    return {
      code: attr(exception, 'code'),
      locator: attr(exception, 'locator'),
      text: text(exception),
    };
  }

  /** The single exception of an OWS ExceptionReport. */
  function owsException(doc: XmlDocument) {
    expect(doc.name).toBe('ows:ExceptionReport');
    const exceptions = all(doc.root, 'ows:Exception');
    expect(exceptions).toHaveLength(1);
    const exception = exceptions[0] as XmlElement;
    return {
      code: attr(exception, 'exceptionCode'),
      locator: attr(exception, 'locator'),
      text: texts(exception, 'ows:ExceptionText')[0],
    };
  }

  it('answers a missing SERVICE with MissingParameterValue in the default OWS 1.1 report', async () => {
    const response = await get('REQUEST=GetCapabilities');
    expect(response.status).toBe(400);
    const doc = parseXml(response.text);
    expectRoot(doc, 'ows:ExceptionReport', OWS_1_1_NS, '1.1.0');
    expect(owsException(doc)).toMatchObject({ code: 'MissingParameterValue', locator: 'SERVICE' });
  });

  it('answers an unknown SERVICE with InvalidParameterValue naming the services', async () => {
    const response = await get('SERVICE=WPS&REQUEST=GetCapabilities');
    expect(response.status).toBe(400);
    const exception = owsException(parseXml(response.text));
    expect(exception).toMatchObject({ code: 'InvalidParameterValue', locator: 'SERVICE' });
    expect(exception.text).toContain('WMS, WCS, WFS');
  });

  it('answers an unknown REQUEST with OperationNotSupported (501) in the WMS 1.3.0 form', async () => {
    const response = await get('SERVICE=WMS&VERSION=1.3.0&REQUEST=GetWhatever');
    expect(response.status).toBe(501);
    expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
    const doc = parseXml(response.text);
    expectRoot(doc, 'ServiceExceptionReport', OGC_NS, '1.3.0');
    expect(serviceException(doc)).toMatchObject({
      code: 'OperationNotSupported',
      locator: 'REQUEST',
    });
  });

  it('answers a missing REQUEST with MissingParameterValue', async () => {
    const response = await get('SERVICE=WMS&VERSION=1.3.0');
    expect(response.status).toBe(400);
    expect(serviceException(parseXml(response.text))).toMatchObject({
      code: 'MissingParameterValue',
      locator: 'REQUEST',
    });
  });

  it('answers GetMap without VERSION with MissingParameterValue in the WMS 1.3.0 form', async () => {
    const response = await get('SERVICE=WMS&REQUEST=GetMap&LAYERS=x');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
    const doc = parseXml(response.text);
    expectRoot(doc, 'ServiceExceptionReport', OGC_NS, '1.3.0');
    expect(attr(doc.root, 'xsi:schemaLocation')).toBe(
      `${OGC_NS} http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd`,
    );
    expect(serviceException(doc)).toMatchObject({
      code: 'MissingParameterValue',
      locator: 'VERSION',
      text: 'The VERSION parameter is required',
    });
  });

  it('answers an unsupported VERSION for GetMap with InvalidParameterValue', async () => {
    const response = await get('SERVICE=WMS&REQUEST=GetMap&VERSION=1.0.0');
    expect(response.status).toBe(400);
    expect(serviceException(parseXml(response.text))).toMatchObject({
      code: 'InvalidParameterValue',
      locator: 'VERSION',
    });
  });

  it('answers a GetMap without LAYERS with MissingParameterValue in each WMS version form', async () => {
    const v130 = await get('SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0');
    expect(v130.status).toBe(400);
    expect(v130.headers['content-type']).toBe('text/xml; charset=utf-8');
    expectRoot(parseXml(v130.text), 'ServiceExceptionReport', OGC_NS, '1.3.0');
    expect(serviceException(parseXml(v130.text))).toMatchObject({
      code: 'MissingParameterValue',
      locator: 'LAYERS',
    });

    const v111 = await get('SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1');
    expect(v111.status).toBe(400);
    expect(v111.headers['content-type']).toBe('application/vnd.ogc.se_xml; charset=utf-8');
    expect(v111.text).toContain(
      '<!DOCTYPE ServiceExceptionReport SYSTEM "http://schemas.opengis.net/wms/1.1.1/exception_1_1_1.dtd">',
    );
    const doc = parseXml(v111.text);
    expectRoot(doc, 'ServiceExceptionReport', undefined, '1.1.1');
    expect(serviceException(doc)).toMatchObject({
      code: 'MissingParameterValue',
      locator: 'LAYERS',
    });
  });

  it('answers WCS 1.0.0 errors with the OGC 1.2.0 ServiceExceptionReport', async () => {
    const response = await get('SERVICE=WCS&VERSION=1.0.0&REQUEST=DescribeCoverage&COVERAGE=x');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/vnd.ogc.se_xml; charset=utf-8');
    const doc = parseXml(response.text);
    expectRoot(doc, 'ServiceExceptionReport', OGC_NS, '1.2.0');
    expect(serviceException(doc)).toMatchObject({ code: 'CoverageNotDefined', locator: 'x' });
  });

  it('answers WCS 2.0.1 errors with an OWS 2.0 ExceptionReport', async () => {
    const response = await get('SERVICE=WCS&VERSION=2.0.1&REQUEST=DescribeCoverage&COVERAGEID=x');
    expect(response.status).toBe(404);
    const doc = parseXml(response.text);
    expectRoot(doc, 'ows:ExceptionReport', OWS_2_0_NS, '2.0.0');
    expect(owsException(doc)).toMatchObject({ code: 'NoSuchCoverage', locator: 'x' });
  });

  it('answers WFS 2.0.0 errors with an OWS 1.1 ExceptionReport version 2.0.0', async () => {
    const response = await get('SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=x');
    expect(response.status).toBe(400);
    const doc = parseXml(response.text);
    expectRoot(doc, 'ows:ExceptionReport', OWS_1_1_NS, '2.0.0');
    expect(owsException(doc)).toMatchObject({
      code: 'InvalidParameterValue',
      locator: 'typeNames',
    });
  });

  it('answers WFS 1.1.0 errors with an OWS 1.0 ExceptionReport version 1.0.0', async () => {
    const response = await get('SERVICE=WFS&VERSION=1.1.0&REQUEST=Transaction');
    expect(response.status).toBe(501);
    const doc = parseXml(response.text);
    expectRoot(doc, 'ows:ExceptionReport', OWS_1_0_NS, '1.0.0');
    expect(owsException(doc)).toMatchObject({ code: 'OperationNotSupported', locator: 'REQUEST' });
  });
});
