/**
 * The WFS 2.0.0 capabilities document (wfs:WFS_Capabilities on OWS Common 1.1, with FES 2.0
 * filter capabilities). Element order follows wfs.xsd and filterCapabilities.xsd. The
 * FeatureTypeList is left out when no vector layer is published: the schema requires at least
 * one FeatureType inside it.
 */
import { xmlDocument } from '../../xml/xml-document.ts';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { FES_2_0_NS, OWS_NS, WFS_2_0_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import {
  addOperationsMetadata,
  addServiceIdentification,
  addServiceProvider,
} from '../ows-common/ows-sections.ts';
import type { ServiceMetadata } from '../service-metadata.ts';
import { addFeatureType } from './feature-type-list.ts';
import { FILTER_CONFORMANCE, WFS_SERVICE_CONSTRAINTS } from './wfs-conformance.ts';
import { FEATURE_NS, FEATURE_PREFIX, type FeatureTypeSummary } from './wfs-feature-types.ts';
import { GML_3_2_NS } from './wfs-namespaces.ts';
import { operationParameters } from './wfs-operation-parameters.ts';
import { WFS_OPERATIONS } from './wfs-versions.ts';

export function wfs200Capabilities(
  endpoint: string,
  metadata: ServiceMetadata,
  featureTypes: readonly FeatureTypeSummary[],
): XMLBuilder {
  const root = xmlDocument().ele(WFS_2_0_NS, 'wfs:WFS_Capabilities', {
    version: '2.0.0',
    'xmlns:ows': OWS_NS['1.1.0'],
    'xmlns:fes': FES_2_0_NS,
    'xmlns:xlink': XLINK_NS,
    'xmlns:xsi': XSI_NS,
    'xmlns:gml': GML_3_2_NS,
    [`xmlns:${FEATURE_PREFIX}`]: FEATURE_NS,
    'xsi:schemaLocation': `${WFS_2_0_NS} http://schemas.opengis.net/wfs/2.0/wfs.xsd`,
  });
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
      parameters: operationParameters('2.0.0', name),
    })),
    constraints: WFS_SERVICE_CONSTRAINTS,
  });

  if (featureTypes.length > 0) {
    const list = root.ele('wfs:FeatureTypeList');
    for (const featureType of featureTypes) addFeatureType(list, '2.0.0', featureType);
  }

  const filter = root.ele('fes:Filter_Capabilities');
  const conformance = filter.ele('fes:Conformance');
  for (const [name, value] of Object.entries(FILTER_CONFORMANCE)) {
    const constraint = conformance.ele('fes:Constraint', { name });
    constraint.ele('ows:NoValues');
    constraint.ele('ows:DefaultValue').txt(value ? 'TRUE' : 'FALSE');
  }
  if (FILTER_CONFORMANCE.ImplementsResourceId) {
    filter.ele('fes:Id_Capabilities').ele('fes:ResourceIdentifier', { name: 'fes:ResourceId' });
  }
  if (FILTER_CONFORMANCE.ImplementsMinSpatialFilter) {
    const spatial = filter.ele('fes:Spatial_Capabilities');
    spatial.ele('fes:GeometryOperands').ele('fes:GeometryOperand', { name: 'gml:Envelope' });
    spatial.ele('fes:SpatialOperators').ele('fes:SpatialOperator', { name: 'BBOX' });
  }
  return root;
}
