/**
 * The WCS 2.0.1 capabilities document (wcs:Capabilities on OWS Common 2.0). Element order
 * follows wcsGetCapabilities.xsd: the OWS sections, then ServiceMetadata (formats, then the CRS
 * extension's crsSupported list), then Contents with one CoverageSummary per coverage.
 */
import { xmlDocument } from '../../xml/xml-document.ts';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { OWS_NS, WCS_2_0_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import {
  addOperationsMetadata,
  addServiceIdentification,
  addServiceProvider,
} from '../ows-common/ows-sections.ts';
import type { ServiceMetadata } from '../service-metadata.ts';
import type { Coverage } from './wcs-coverages.ts';
import { CRS_URI, WCS_CRSS } from './wcs-crs.ts';
import { wgs84Extent } from './wcs-wgs84.ts';
import { WCS_COVERAGE_FORMATS, WCS_OPERATIONS } from './wcs-versions.ts';

/** WCS 2.0 core (OGC 09-110r4), its KVP binding and the extensions GetCoverage implements. */
export const WCS_201_PROFILES = [
  'http://www.opengis.net/spec/WCS/2.0/conf/core',
  'http://www.opengis.net/spec/WCS_protocol-binding_get-kvp/1.0/conf/get-kvp',
  'http://www.opengis.net/spec/WCS_service-extension_crs/1.0/conf/crs',
  'http://www.opengis.net/spec/WCS_service-extension_scaling/1.0/conf/scaling',
  'http://www.opengis.net/spec/GMLCOV_geotiff-coverages/1.0/conf/geotiff-coverage',
] as const;

const CRS_EXTENSION_NS = 'http://www.opengis.net/wcs/crs/1.0';

export function wcs201Capabilities(
  endpoint: string,
  metadata: ServiceMetadata,
  coverages: readonly Coverage[],
): XMLBuilder {
  const root = xmlDocument().ele(WCS_2_0_NS, 'wcs:Capabilities', {
    version: '2.0.1',
    'xmlns:ows': OWS_NS['2.0.0'],
    'xmlns:xlink': XLINK_NS,
    'xmlns:xsi': XSI_NS,
    'xmlns:crs': CRS_EXTENSION_NS,
    'xsi:schemaLocation': `${WCS_2_0_NS} http://schemas.opengis.net/wcs/2.0/wcsAll.xsd`,
  });
  addServiceIdentification(root, '2.0.0', metadata, {
    serviceType: 'OGC WCS',
    serviceTypeVersion: '2.0.1',
    profiles: WCS_201_PROFILES,
  });
  addServiceProvider(root, metadata);
  addOperationsMetadata(root, '2.0.0', {
    endpoint,
    operations: WCS_OPERATIONS.map((name) => ({ name, post: false })),
  });
  const serviceMetadata = root.ele('wcs:ServiceMetadata');
  for (const format of WCS_COVERAGE_FORMATS) serviceMetadata.ele('wcs:formatSupported').txt(format);
  const crsMetadata = serviceMetadata.ele('wcs:Extension').ele('crs:CrsMetadata');
  for (const crs of WCS_CRSS) crsMetadata.ele('crs:crsSupported').txt(CRS_URI[crs]);

  const contents = root.ele('wcs:Contents');
  for (const coverage of coverages) {
    const { layer } = coverage;
    const summary = contents.ele('wcs:CoverageSummary');
    summary.ele('ows:Title').txt(layer.title);
    if (layer.abstract !== undefined) summary.ele('ows:Abstract').txt(layer.abstract);
    if (layer.keywords !== undefined && layer.keywords.length > 0) {
      const keywords = summary.ele('ows:Keywords');
      for (const keyword of layer.keywords) keywords.ele('ows:Keyword').txt(keyword);
    }
    const [west, south, east, north] = wgs84Extent(coverage);
    const box = summary.ele('ows:WGS84BoundingBox');
    box.ele('ows:LowerCorner').txt(`${west} ${south}`);
    box.ele('ows:UpperCorner').txt(`${east} ${north}`);
    summary.ele('wcs:CoverageId').txt(coverage.id);
    summary.ele('wcs:CoverageSubtype').txt('RectifiedGridCoverage');
  }
  return root;
}
