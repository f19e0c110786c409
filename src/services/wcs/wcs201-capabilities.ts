/**
 * The WCS 2.0.1 capabilities document (wcs:Capabilities on OWS Common 2.0). Element order
 * follows wcsGetCapabilities.xsd: the OWS sections, then ServiceMetadata, then Contents.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { OWS_NS, WCS_2_0_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import {
  addOperationsMetadata,
  addServiceIdentification,
  addServiceProvider,
} from '../ows-common/ows-sections.ts';
import type { ServiceMetadata } from '../service-metadata.ts';
import { WCS_COVERAGE_FORMATS, WCS_OPERATIONS } from './wcs-versions.ts';

/** WCS 2.0 core (OGC 09-110r4 Req 1); extensions add their own URIs when implemented. */
const WCS_CORE_PROFILE = 'http://www.opengis.net/spec/WCS/2.0/conf/core';

export function wcs201Capabilities(endpoint: string, metadata: ServiceMetadata): XMLBuilder {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(WCS_2_0_NS, 'wcs:Capabilities', {
    version: '2.0.1',
    'xmlns:ows': OWS_NS['2.0.0'],
    'xmlns:xlink': XLINK_NS,
    'xmlns:xsi': XSI_NS,
    'xsi:schemaLocation': `${WCS_2_0_NS} http://schemas.opengis.net/wcs/2.0/wcsAll.xsd`,
  });
  addServiceIdentification(root, '2.0.0', metadata, {
    serviceType: 'OGC WCS',
    serviceTypeVersion: '2.0.1',
    profiles: [WCS_CORE_PROFILE],
  });
  addServiceProvider(root, metadata);
  addOperationsMetadata(root, '2.0.0', {
    endpoint,
    operations: WCS_OPERATIONS.map((name) => ({ name, post: false })),
  });
  const serviceMetadata = root.ele('wcs:ServiceMetadata');
  for (const format of WCS_COVERAGE_FORMATS) serviceMetadata.ele('wcs:formatSupported').txt(format);
  // CoverageSummary entries come with project files; an empty Contents is valid.
  root.ele('wcs:Contents');
  return root;
}
