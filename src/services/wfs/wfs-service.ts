/**
 * The core WFS (1.1.0 and 2.0.0) over the vector layers of the LayerRegistry. It registers like
 * a plugin service; the context gives it the layers, the vector store reads their features.
 * WFS 2.0 implements the basic WFS conformance class (GetCapabilities, DescribeFeatureType,
 * ListStoredQueries, DescribeStoredQueries, GetPropertyValue, GetFeature with ad hoc queries
 * and GetFeatureById), WFS 1.1 the basic WFS (GetCapabilities, DescribeFeatureType,
 * GetFeature). KVP encoding only.
 *
 * Capabilities documents are cached until the layer set or the service metadata changes; an
 * extent computed from a GeoJSON file is therefore refreshed when the layers change, not when
 * the file does.
 */
import type { ExceptionFormat } from '../../errors/exception-report.ts';
import { ServiceException } from '../../errors/service-exception.ts';
import { VectorStore } from '../../vector/vector-store.ts';
import { knownVersion } from '../known-version.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import type { OperationHandler, OwsServiceDefinition } from '../ows-service.ts';
import { TEXT_XML } from '../xml-result.ts';
import { CapabilitiesCache } from './capabilities-cache.ts';
import { describeFeatureType } from './describe-feature-type.ts';
import { getFeature } from './get-feature.ts';
import { getPropertyValue } from './get-property-value.ts';
import { describeStoredQueries, listStoredQueries } from './stored-queries.ts';
import { wfs110Capabilities } from './wfs110-capabilities.ts';
import { wfs200Capabilities } from './wfs200-capabilities.ts';
import { featureTypeSummaries } from './wfs-feature-types.ts';
import { WFS_VERSIONS } from './wfs-versions.ts';

export function createWfsService(context: MapServicesContext): OwsServiceDefinition {
  const sources = { layers: context.layers, store: new VectorStore() };
  const capabilities = new CapabilitiesCache();

  const getCapabilities: OperationHandler = async ({ ctx, version: requested, endpoint }) => {
    const version = knownVersion(WFS_VERSIONS, requested);
    const metadata = context.metadata();
    const body = await capabilities.get(
      { version, endpoint, revision: context.layers.revision, metadata },
      async () => {
        const featureTypes = await featureTypeSummaries(
          sources.layers,
          sources.store,
          (layer, err) =>
            ctx.log.warn(
              { err, layer },
              'vector layer data cannot be read; listed with a world extent',
            ),
        );
        const document =
          version === '1.1.0'
            ? wfs110Capabilities(endpoint, metadata, featureTypes)
            : wfs200Capabilities(endpoint, metadata, featureTypes);
        return document.end({ prettyPrint: true });
      },
    );
    return { body, contentType: TEXT_XML };
  };

  return {
    name: 'WFS',
    title: 'Web Feature Service',
    versions: WFS_VERSIONS,
    operations: {
      GetCapabilities: getCapabilities,
      DescribeFeatureType: describeFeatureType(sources),
      GetFeature: getFeature(sources),
      GetPropertyValue: getPropertyValue(sources),
      ListStoredQueries: onlyIn200(listStoredQueries(sources)),
      DescribeStoredQueries: onlyIn200(describeStoredQueries(sources)),
    },
    exceptionFormat(version: string): ExceptionFormat {
      return version === '1.1.0'
        ? { kind: 'ows', owsVersion: '1.0.0', reportVersion: '1.0.0' }
        : { kind: 'ows', owsVersion: '1.1.0', reportVersion: '2.0.0' };
    },
  };
}

/** Operations WFS 1.1 does not have answer OperationNotSupported there. */
function onlyIn200(handler: OperationHandler): OperationHandler {
  return (request) => {
    if (request.version !== '2.0.0') {
      throw new ServiceException(
        'OperationNotSupported',
        `${request.ctx.operation ?? 'This operation'} is a WFS 2.0 operation`,
        'REQUEST',
      );
    }
    return handler(request);
  };
}
