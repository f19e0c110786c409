/**
 * The WMS capabilities document. 1.3.0 (XML Schema, own namespace) and 1.1.1 (DTD, no namespace)
 * have the same shape, so one builder reads the differences from a per-version table. Element
 * order follows capabilities_1_3_0.xsd and WMS_MS_Capabilities.dtd.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { WMS_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import type { ServiceMetadata } from '../service-metadata.ts';
import {
  WMS_1_1_1_CAPABILITIES_TYPE,
  WMS_MAP_FORMATS,
  type WmsOperationName,
  type WmsVersion,
} from './wms-versions.ts';

interface BoundingBox {
  crs: string;
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
}

interface VersionProfile {
  serviceName: 'WMS' | 'OGC:WMS';
  capabilitiesFormat: string;
  exceptionFormats: readonly string[];
  /** The element that lists reference systems: `CRS` in 1.3.0, `SRS` in 1.1.1. */
  crsElement: 'CRS' | 'SRS';
  crsList: readonly string[];
  boundingBoxes: readonly BoundingBox[];
}

const WORLD_LON_LAT = { minx: -180, miny: -90, maxx: 180, maxy: 90 };

const PROFILES: Record<WmsVersion, VersionProfile> = {
  '1.3.0': {
    serviceName: 'WMS',
    capabilitiesFormat: 'text/xml',
    exceptionFormats: ['XML', 'INIMAGE', 'BLANK'],
    crsElement: 'CRS',
    crsList: ['EPSG:4326', 'CRS:84', 'EPSG:3857'],
    boundingBoxes: [
      { crs: 'CRS:84', ...WORLD_LON_LAT },
      // WMS 1.3.0 follows the EPSG axis order: EPSG:4326 is latitude, longitude.
      { crs: 'EPSG:4326', minx: -90, miny: -180, maxx: 90, maxy: 180 },
    ],
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
    crsList: ['EPSG:4326', 'EPSG:3857'],
    boundingBoxes: [{ crs: 'EPSG:4326', ...WORLD_LON_LAT }],
  },
};

export function wmsCapabilities(
  version: WmsVersion,
  endpoint: string,
  metadata: ServiceMetadata,
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
  onlineResource(service, endpoint);
  service.ele('Fees').txt(metadata.fees);
  service.ele('AccessConstraints').txt(metadata.accessConstraints);

  const capability = root.ele('Capability');
  const request = capability.ele('Request');
  const operations: ReadonlyArray<[WmsOperationName, readonly string[]]> = [
    ['GetCapabilities', [profile.capabilitiesFormat]],
    ['GetMap', WMS_MAP_FORMATS],
  ];
  for (const [name, formats] of operations) {
    const element = request.ele(name);
    for (const format of formats) element.ele('Format').txt(format);
    const http = element.ele('DCPType').ele('HTTP');
    onlineResource(http.ele('Get'), `${endpoint}?`);
    onlineResource(http.ele('Post'), endpoint);
  }
  const exception = capability.ele('Exception');
  for (const format of profile.exceptionFormats) exception.ele('Format').txt(format);

  // The root layer carries what every layer inherits; named layers come with project files.
  const layer = capability.ele('Layer');
  layer.ele('Title').txt(metadata.title);
  layer.ele('Abstract').txt(metadata.abstract);
  for (const crs of profile.crsList) layer.ele(profile.crsElement).txt(crs);
  if (version === '1.3.0') {
    const box = layer.ele('EX_GeographicBoundingBox');
    box.ele('westBoundLongitude').txt(String(WORLD_LON_LAT.minx));
    box.ele('eastBoundLongitude').txt(String(WORLD_LON_LAT.maxx));
    box.ele('southBoundLatitude').txt(String(WORLD_LON_LAT.miny));
    box.ele('northBoundLatitude').txt(String(WORLD_LON_LAT.maxy));
  } else {
    layer.ele('LatLonBoundingBox', numbers(WORLD_LON_LAT));
  }
  for (const { crs, ...edges } of profile.boundingBoxes) {
    layer.ele('BoundingBox', { [profile.crsElement]: crs, ...numbers(edges) });
  }
  return root;
}

function documentElement(version: WmsVersion): XMLBuilder {
  const document = create({ version: '1.0', encoding: 'UTF-8' });
  if (version === '1.1.1') {
    document.dtd({
      name: 'WMT_MS_Capabilities',
      sysID: 'http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd',
    });
    return document.ele('WMT_MS_Capabilities', { version });
  }
  return document.ele(WMS_NS, 'WMS_Capabilities', {
    version,
    'xmlns:xlink': XLINK_NS,
    'xmlns:xsi': XSI_NS,
    'xsi:schemaLocation': `${WMS_NS} http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd`,
  });
}

function numbers(values: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));
}
