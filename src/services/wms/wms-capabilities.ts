/**
 * The WMS capabilities document. 1.3.0 (XML Schema, own namespace) and 1.1.1 (DTD, no namespace)
 * have the same shape, so one builder reads the differences from a per-version table. Element
 * order follows capabilities_1_3_0.xsd and WMS_MS_Capabilities.dtd. GetLegendGraphic is listed
 * as 1.3.0's sld:GetLegendGraphic (an _ExtendedOperation of sld_capabilities.xsd, as QGIS
 * Server does) and in 1.1.1's Request, which the DTD provides for.
 */
import { xmlDocument } from '../../xml/xml-document.ts';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { RasterBbox } from '../../raster/raster-types.ts';
import type { MapServiceLimits } from '../map-services-context.ts';
import { WMS_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import type { ServiceMetadata } from '../service-metadata.ts';
import { WMS_CRS_LIST, fromWgs84, inAxisOrder, type WmsCrs } from './wms-crs.ts';
import type { WmsLayerSummary } from './wms-layer-summaries.ts';
import {
  SLD_NS,
  SLD_VERSION,
  WMS_1_1_1_CAPABILITIES_TYPE,
  WMS_INFO_FORMATS,
  WMS_LEGEND_FORMATS,
  WMS_MAP_FORMATS,
  type WmsOperationName,
  type WmsVersion,
} from './wms-versions.ts';

interface VersionProfile {
  serviceName: 'WMS' | 'OGC:WMS';
  capabilitiesFormat: string;
  exceptionFormats: readonly string[];
  /** The element that lists reference systems: `CRS` in 1.3.0, `SRS` in 1.1.1. */
  crsElement: 'CRS' | 'SRS';
  /** The CRSs a BoundingBox is given in, in document order. */
  boundingBoxCrs: readonly WmsCrs[];
}

const WORLD: RasterBbox = [-180, -90, 180, 90];

const PROFILES: Record<WmsVersion, VersionProfile> = {
  '1.3.0': {
    serviceName: 'WMS',
    capabilitiesFormat: 'text/xml',
    exceptionFormats: ['XML', 'INIMAGE', 'BLANK'],
    crsElement: 'CRS',
    boundingBoxCrs: ['CRS:84', 'EPSG:4326', 'EPSG:3857'],
  },
  '1.1.1': {
    serviceName: 'OGC:WMS',
    capabilitiesFormat: WMS_1_1_1_CAPABILITIES_TYPE,
    exceptionFormats: [
      'application/vnd.ogc.se_xml',
      'application/vnd.ogc.se_inimage',
      'application/vnd.ogc.se_blank',
    ],
    crsElement: 'SRS',
    boundingBoxCrs: ['EPSG:4326', 'EPSG:3857'],
  },
};

/** What capabilities may show beyond ServiceMetadata (a project's keywords and contact). */
interface ExtraMetadata {
  keywords?: readonly string[];
  contact?: {
    person?: string;
    organization?: string;
    position?: string;
    email?: string;
    phone?: string;
  };
}

export function wmsCapabilities(
  version: WmsVersion,
  endpoint: string,
  metadata: ServiceMetadata & ExtraMetadata,
  limits: MapServiceLimits,
  layers: readonly WmsLayerSummary[],
): XMLBuilder {
  const profile = PROFILES[version];
  const root = documentElement(version);
  const onlineResource = (parent: XMLBuilder, href: string) =>
    parent.ele('OnlineResource', {
      // The 1.1.1 DTD declares the xlink namespace on each OnlineResource, not on the root.
      ...(version === '1.1.1' ? { 'xmlns:xlink': XLINK_NS } : {}),
      'xlink:type': 'simple',
      'xlink:href': href,
    });

  const service = root.ele('Service');
  service.ele('Name').txt(profile.serviceName);
  service.ele('Title').txt(metadata.title);
  service.ele('Abstract').txt(metadata.abstract);
  keywordList(service, metadata.keywords);
  onlineResource(service, endpoint);
  contactInformation(service, metadata.contact);
  service.ele('Fees').txt(metadata.fees);
  service.ele('AccessConstraints').txt(metadata.accessConstraints);
  if (version === '1.3.0') {
    service.ele('MaxWidth').txt(String(limits.maxWidth));
    service.ele('MaxHeight').txt(String(limits.maxHeight));
  }

  const capability = root.ele('Capability');
  const request = capability.ele('Request');
  const operations: ReadonlyArray<[WmsOperationName, readonly string[]]> = [
    ['GetCapabilities', [profile.capabilitiesFormat]],
    ['GetMap', WMS_MAP_FORMATS],
    ['GetFeatureInfo', WMS_INFO_FORMATS],
    ['GetLegendGraphic', WMS_LEGEND_FORMATS],
  ];
  for (const [name, formats] of operations) {
    const element =
      name === 'GetLegendGraphic' && version === '1.3.0'
        ? request.ele(SLD_NS, 'sld:GetLegendGraphic')
        : request.ele(name);
    for (const format of formats) child(element, version, 'Format').txt(format);
    const http = child(child(element, version, 'DCPType'), version, 'HTTP');
    onlineResource(child(http, version, 'Get'), `${endpoint}?`);
    onlineResource(child(http, version, 'Post'), endpoint);
  }
  const exception = capability.ele('Exception');
  for (const format of profile.exceptionFormats) exception.ele('Format').txt(format);

  // The root layer has no name: it groups the layers and carries what they inherit.
  const rootLayer = capability.ele('Layer');
  rootLayer.ele('Title').txt(metadata.title);
  rootLayer.ele('Abstract').txt(metadata.abstract);
  referenceSystems(rootLayer, version, union(layers.map((layer) => layer.wgs84)) ?? WORLD);
  for (const layer of layers) {
    const element = rootLayer.ele('Layer', { queryable: '1' });
    element.ele('Name').txt(layer.name);
    element.ele('Title').txt(layer.title);
    if (layer.abstract !== undefined) element.ele('Abstract').txt(layer.abstract);
    keywordList(element, layer.keywords);
    referenceSystems(element, version, layer.wgs84);
    for (const style of layer.styles) {
      const styleElement = element.ele('Style');
      styleElement.ele('Name').txt(style.name);
      styleElement.ele('Title').txt(style.title);
      const legend = styleElement.ele('LegendURL', {
        width: String(style.legend.width),
        height: String(style.legend.height),
      });
      legend.ele('Format').txt('image/png');
      onlineResource(legend, legendUrl(endpoint, version, layer.name, style.name));
    }
  }
  return root;
}

/** Format, DCPType, HTTP, Get and Post stay in the WMS namespace under sld:GetLegendGraphic. */
function child(parent: XMLBuilder, version: WmsVersion, name: string): XMLBuilder {
  return version === '1.3.0' ? parent.ele(WMS_NS, name) : parent.ele(name);
}

function legendUrl(endpoint: string, version: WmsVersion, layer: string, style: string): string {
  const query = new URLSearchParams({
    SERVICE: 'WMS',
    VERSION: version,
    REQUEST: 'GetLegendGraphic',
    LAYER: layer,
    FORMAT: 'image/png',
    STYLE: style,
    ...(version === '1.3.0' ? { SLD_VERSION } : {}),
  });
  return `${endpoint}?${query.toString().replace(/%2F/g, '/')}`;
}

function keywordList(parent: XMLBuilder, keywords: readonly string[] | undefined): void {
  if (keywords === undefined || keywords.length === 0) return;
  const list = parent.ele('KeywordList');
  for (const keyword of keywords) list.ele('Keyword').txt(keyword);
}

function contactInformation(parent: XMLBuilder, contact: ExtraMetadata['contact']): void {
  if (contact === undefined) return;
  const { person, organization, position, email, phone } = contact;
  if ([person, organization, position, email, phone].every((v) => v === undefined)) return;
  const element = parent.ele('ContactInformation');
  if (person !== undefined || organization !== undefined) {
    const primary = element.ele('ContactPersonPrimary');
    primary.ele('ContactPerson').txt(person ?? '');
    primary.ele('ContactOrganization').txt(organization ?? '');
  }
  if (position !== undefined) element.ele('ContactPosition').txt(position);
  if (phone !== undefined) element.ele('ContactVoiceTelephone').txt(phone);
  if (email !== undefined) element.ele('ContactElectronicMailAddress').txt(email);
}

/** CRS/SRS list, the geographic box and a BoundingBox per CRS in the version's axis order. */
function referenceSystems(layer: XMLBuilder, version: WmsVersion, wgs84: RasterBbox): void {
  const profile = PROFILES[version];
  for (const crs of WMS_CRS_LIST[version]) layer.ele(profile.crsElement).txt(crs);
  const [west, south, east, north] = wgs84.map(degrees);
  if (version === '1.3.0') {
    const box = layer.ele('EX_GeographicBoundingBox');
    box.ele('westBoundLongitude').txt(west!);
    box.ele('eastBoundLongitude').txt(east!);
    box.ele('southBoundLatitude').txt(south!);
    box.ele('northBoundLatitude').txt(north!);
  } else {
    layer.ele('LatLonBoundingBox', { minx: west, miny: south, maxx: east, maxy: north });
  }
  for (const crs of profile.boundingBoxCrs) {
    const format = crs === 'EPSG:3857' ? metres : degrees;
    const [minx, miny, maxx, maxy] = inAxisOrder(version, crs, fromWgs84(wgs84, crs)).map(format);
    layer.ele('BoundingBox', { [profile.crsElement]: crs, minx, miny, maxx, maxy });
  }
}

function union(boxes: readonly RasterBbox[]): RasterBbox | undefined {
  if (boxes.length === 0) return undefined;
  return [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];
}

function degrees(value: number): string {
  return String(Math.round(value * 1e9) / 1e9);
}

function metres(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function documentElement(version: WmsVersion): XMLBuilder {
  const document = xmlDocument();
  if (version === '1.1.1') {
    document.dtd({
      name: 'WMT_MS_Capabilities',
      sysID: 'http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd',
    });
    return document.ele('WMT_MS_Capabilities', { version });
  }
  return document.ele(WMS_NS, 'WMS_Capabilities', {
    version,
    'xmlns:sld': SLD_NS,
    'xmlns:xlink': XLINK_NS,
    'xmlns:xsi': XSI_NS,
    'xsi:schemaLocation':
      `${WMS_NS} http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd ` +
      `${SLD_NS} http://schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd`,
  });
}
