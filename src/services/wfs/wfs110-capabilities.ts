/**
 * The WFS 1.1.0 capabilities document (wfs:WFS_Capabilities on OWS Common 1.0, with Filter 1.1
 * capabilities). Element order follows wfs.xsd and filterCapabilities.xsd; the schema requires
 * ogc:Filter_Capabilities with its spatial, scalar and id sections, so the minimum a basic WFS
 * offers is listed: BBOX on envelopes and feature ids. The FeatureTypeList is left out when no
 * vector layer is published: the schema requires at least one FeatureType inside it.
 */
import { xmlDocument } from '../../xml/xml-document.ts';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { GML_NS, OGC_NS, OWS_NS, WFS_1_1_NS, XLINK_NS, XSI_NS } from '../ogc-namespaces.ts';
import {
  addOperationsMetadata,
  addServiceIdentification,
  addServiceProvider,
} from '../ows-common/ows-sections.ts';
import type { ServiceMetadata } from '../service-metadata.ts';
import { addFeatureType } from './feature-type-list.ts';
import { FEATURE_NS, FEATURE_PREFIX, type FeatureTypeSummary } from './wfs-feature-types.ts';
import { operationParameters } from './wfs-operation-parameters.ts';
import { WFS_OPERATIONS } from './wfs-versions.ts';

export function wfs110Capabilities(
  endpoint: string,
  metadata: ServiceMetadata,
  featureTypes: readonly FeatureTypeSummary[],
): XMLBuilder {
  const root = xmlDocument().ele(WFS_1_1_NS, 'wfs:WFS_Capabilities', {
    version: '1.1.0',
    'xmlns:ows': OWS_NS['1.0.0'],
    'xmlns:ogc': OGC_NS,
    'xmlns:gml': GML_NS,
    'xmlns:xlink': XLINK_NS,
    'xmlns:xsi': XSI_NS,
    [`xmlns:${FEATURE_PREFIX}`]: FEATURE_NS,
    'xsi:schemaLocation': `${WFS_1_1_NS} http://schemas.opengis.net/wfs/1.1.0/wfs.xsd`,
  });
  addServiceIdentification(root, '1.0.0', metadata, {
    serviceType: 'WFS',
    serviceTypeVersion: '1.1.0',
  });
  addServiceProvider(root, metadata);
  addOperationsMetadata(root, '1.0.0', {
    endpoint,
    operations: WFS_OPERATIONS['1.1.0'].map((name) => ({
      name,
      post: true,
      parameters: operationParameters('1.1.0', name),
    })),
  });

  if (featureTypes.length > 0) {
    const list = root.ele('wfs:FeatureTypeList');
    for (const featureType of featureTypes) addFeatureType(list, '1.1.0', featureType);
  }

  const filter = root.ele('ogc:Filter_Capabilities');
  const spatial = filter.ele('ogc:Spatial_Capabilities');
  spatial.ele('ogc:GeometryOperands').ele('ogc:GeometryOperand').txt('gml:Envelope');
  spatial.ele('ogc:SpatialOperators').ele('ogc:SpatialOperator', { name: 'BBOX' });
  filter.ele('ogc:Scalar_Capabilities');
  filter.ele('ogc:Id_Capabilities').ele('ogc:FID');
  return root;
}
