/**
 * The WCS 1.0.0 capabilities document (WCS_Capabilities). This version predates OWS Common, so
 * it has its own lower-case service section; element order follows wcsCapabilities.xsd.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { WCS_1_0_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import type { ServiceMetadata } from '../service-metadata.ts';
import { WCS_OPERATIONS } from './wcs-versions.ts';

export function wcs100Capabilities(endpoint: string, metadata: ServiceMetadata): XMLBuilder {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(WCS_1_0_NS, 'WCS_Capabilities', {
    version: '1.0.0',
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

  // CoverageOfferingBrief entries come with project files; an empty list is valid.
  root.ele('ContentMetadata');
  return root;
}
