/**
 * The WFS 2.0.0 capabilities document (wfs:WFS_Capabilities on OWS Common 1.1, with FES 2.0
 * filter capabilities). Element order follows wfs.xsd and filterCapabilities.xsd. There is no
 * FeatureTypeList yet: the schema requires at least one FeatureType inside it.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { FES_2_0_NS, OWS_NS, WFS_2_0_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import {
  addOperationsMetadata,
  addServiceIdentification,
  addServiceProvider,
} from '../ows-common/ows-sections.ts';
import type { ServiceMetadata } from '../service-metadata.ts';
import { FILTER_CONFORMANCE, WFS_SERVICE_CONSTRAINTS } from './wfs-conformance.ts';
import { WFS_OPERATIONS, WFS_VERSIONS } from './wfs-versions.ts';

export function wfs200Capabilities(endpoint: string, metadata: ServiceMetadata): XMLBuilder {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(
    WFS_2_0_NS,
    'wfs:WFS_Capabilities',
    {
      version: '2.0.0',
      'xmlns:ows': OWS_NS['1.1.0'],
      'xmlns:fes': FES_2_0_NS,
      'xmlns:xlink': XLINK_NS,
      'xmlns:xsi': XSI_NS,
      'xsi:schemaLocation': `${WFS_2_0_NS} http://schemas.opengis.net/wfs/2.0/wfs.xsd`,
    },
  );
  addServiceIdentification(root, '1.1.0', metadata, {
    serviceType: 'WFS',
    serviceTypeVersion: '2.0.0',
  });
  addServiceProvider(root, metadata);
  addOperationsMetadata(root, '1.1.0', {
    endpoint,
    operations: WFS_OPERATIONS['2.0.0'].map((name) => ({
      name,
      post: true,
      ...(name === 'GetCapabilities' ? { parameters: { AcceptVersions: WFS_VERSIONS } } : {}),
    })),
    constraints: WFS_SERVICE_CONSTRAINTS,
  });

  const conformance = root.ele('fes:Filter_Capabilities').ele('fes:Conformance');
  for (const [name, value] of Object.entries(FILTER_CONFORMANCE)) {
    const constraint = conformance.ele('fes:Constraint', { name });
    constraint.ele('ows:NoValues');
    constraint.ele('ows:DefaultValue').txt(value ? 'TRUE' : 'FALSE');
  }
  return root;
}
