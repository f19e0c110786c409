/**
 * GetCapabilities: the layers this request may read under the root layer. The serialised
 * document is cached (document-cache.ts) and, with cache filters registered, looked up in and
 * offered to them as a `document` under the same key (filter-cache.ts).
 */
import { knownVersion } from '../known-version.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import type { OperationHandler } from '../ows-service.ts';
import { TEXT_XML } from '../xml-result.ts';
import { DocumentCache } from '../document-cache.ts';
import { cachedCapabilities } from '../filter-cache.ts';
import { wmsCapabilities } from './wms-capabilities.ts';
import type { LayerSummaries } from './wms-layer-summaries.ts';
import { WMS_1_1_1_CAPABILITIES_TYPE, WMS_VERSIONS } from './wms-versions.ts';
import { xmlString } from '../../xml/xml-document.ts';

export function getCapabilities(
  context: MapServicesContext,
  layerSummaries: LayerSummaries,
  cache = new DocumentCache(),
): OperationHandler {
  return async ({ ctx, version: requested, endpoint }) => {
    const version = knownVersion(WMS_VERSIONS, requested);
    const contentType =
      version === '1.1.1' ? `${WMS_1_1_1_CAPABILITIES_TYPE}; charset=utf-8` : TEXT_XML;
    const metadata = context.metadata();
    const all = context.layers.list();
    return cachedCapabilities(
      context,
      ctx,
      cache,
      { service: 'WMS', version, endpoint, metadata, listed: all, contentType },
      async () => {
        const layers = context.accessControl.readable(ctx, all);
        const summaries = await layerSummaries.of(ctx, layers);
        return xmlString(wmsCapabilities(version, endpoint, metadata, context.limits, summaries));
      },
    );
  };
}
