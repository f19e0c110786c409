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
 * the file does. With cache filters registered they are looked up in and offered to them too.
 *
 * Access control (plugins' filters, see wfs-access.ts) applies to every operation; with no
 * filter registered it costs one `empty` check per request.
 */
import type { ExceptionFormat } from '../../errors/exception-report.ts';
import { ServiceException } from '../../errors/service-exception.ts';
import { knownVersion } from '../known-version.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import type { OperationHandler, OwsServiceDefinition } from '../ows-service.ts';
import { TEXT_XML } from '../xml-result.ts';
import { DocumentCache } from '../document-cache.ts';
import { cachedCapabilities } from '../filter-cache.ts';
import { describeFeatureType } from './describe-feature-type.ts';
import { getFeature } from './get-feature.ts';
import { getPropertyValue } from './get-property-value.ts';
import { requestAccess } from './wfs-access.ts';
import { describeStoredQueries, listStoredQueries } from './stored-queries.ts';
import { wfs110Capabilities } from './wfs110-capabilities.ts';
import { wfs200Capabilities } from './wfs200-capabilities.ts';
import { featureTypeSummaries, vectorLayers } from './wfs-feature-types.ts';
import { WFS_VERSIONS } from './wfs-versions.ts';
import { xmlString } from '../../xml/xml-document.ts';

export function createWfsService(context: MapServicesContext): OwsServiceDefinition {
  const sources = {
    layers: context.layers,
    store: context.vectors,
    accessControl: context.accessControl,
    pool: context.pool,
    maxXmlBytes: context.limits.maxXmlBytes,
  };
  const capabilities = new DocumentCache();

  const getCapabilities: OperationHandler = async ({ ctx, version: requested, endpoint }) => {
    const version = knownVersion(WFS_VERSIONS, requested);
    const metadata = context.metadata();
    const access = requestAccess(context.accessControl, ctx);
    const layers = vectorLayers(context.layers);
    // Which variant of the document this request sees. QGIS Server's contract is that the
    // filters' cacheKey defines the variants, so the key includes it; but a filter without a
    // cacheKey (or one whose key does not follow its canRead) would then let one client's
    // FeatureTypeList be served to another. So the key also names the vector layers hidden from
    // this request (cacheKey's `listed`): the list is the only part of the document that access
    // control changes (extents are the layers' whole extents), and with both in the key a
    // document is cached safely whatever the filters implement. canRead is asked once per
    // vector layer (memoised per request) and builds nothing.
    return cachedCapabilities(
      context,
      ctx,
      capabilities,
      { service: 'WFS', version, endpoint, metadata, listed: layers, contentType: TEXT_XML },
      async () => {
        const featureTypes = await featureTypeSummaries(
          access.readable(layers),
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
        return xmlString(document);
      },
    );
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
