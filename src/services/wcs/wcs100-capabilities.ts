/**
 * The WCS 1.0.0 capabilities document (WCS_Capabilities). This version predates OWS Common, so
 * it has its own lower-case service section; element order follows wcsCapabilities.xsd, and
 * each CoverageOfferingBrief is name, label, lonLatEnvelope (CRS84, two gml:pos), keywords.
 */
import { xmlDocument } from '../../xml/xml-document.ts';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { GML_NS, WCS_1_0_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import type { ServiceMetadata } from '../service-metadata.ts';
import type { Coverage } from './wcs-coverages.ts';
import { wgs84Extent } from './wcs-wgs84.ts';
import { WCS_OPERATIONS } from './wcs-versions.ts';

/** The only srsName wcs:lonLatEnvelope allows. */
export const CRS84_URN = 'urn:ogc:def:crs:OGC:1.3:CRS84';

export function wcs100Capabilities(
  endpoint: string,
  metadata: ServiceMetadata,
  coverages: readonly Coverage[],
): XMLBuilder {
  const root = xmlDocument().ele(WCS_1_0_NS, 'WCS_Capabilities', {
    version: '1.0.0',
    'xmlns:gml': GML_NS,
    'xmlns:xlink': XLINK_NS,
    'xmlns:xsi': XSI_NS,
    'xsi:schemaLocation': `${WCS_1_0_NS} http://schemas.opengis.net/wcs/1.0.0/wcsCapabilities.xsd`,
  });

  const service = root.ele('Service');
  service.ele('description').txt(metadata.abstract);
  service.ele('name').txt('WCS');
  service.ele('label').txt(metadata.title);
  service.ele('fees').txt(metadata.fees);
  service.ele('accessConstraints').txt(metadata.accessConstraints);

  const capability = root.ele('Capability');
  const request = capability.ele('Request');
  for (const operation of WCS_OPERATIONS) {
    request
      .ele(operation)
      .ele('DCPType')
      .ele('HTTP')
      .ele('Get')
      .ele('OnlineResource', { 'xlink:type': 'simple', 'xlink:href': `${endpoint}?` });
  }
  // The exception form WCS 1.0.0 answers with (see the service's exceptionFormat).
  capability.ele('Exception').ele('Format').txt('application/vnd.ogc.se_xml');

  const content = root.ele('ContentMetadata');
  for (const coverage of coverages)
    addOfferingBrief(content.ele('CoverageOfferingBrief'), coverage);
  return root;
}

/** The elements CoverageOfferingBrief and CoverageOffering begin with, in schema order. */
export function addOfferingBrief(parent: XMLBuilder, coverage: Coverage): void {
  const { layer } = coverage;
  if (layer.abstract !== undefined) parent.ele('description').txt(layer.abstract);
  parent.ele('name').txt(coverage.id);
  parent.ele('label').txt(layer.title);
  const [west, south, east, north] = wgs84Extent(coverage);
  const envelope = parent.ele('lonLatEnvelope', { srsName: CRS84_URN });
  envelope.ele(GML_NS, 'gml:pos').txt(`${west} ${south}`);
  envelope.ele(GML_NS, 'gml:pos').txt(`${east} ${north}`);
  if (layer.keywords !== undefined && layer.keywords.length > 0) {
    const keywords = parent.ele('keywords');
    for (const keyword of layer.keywords) keywords.ele('keyword').txt(keyword);
  }
}
