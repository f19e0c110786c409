/**
 * GetCapabilities: the layers this request may read under the root layer. The serialised
 * document is cached (capabilities-cache.ts) and, with cache filters registered, looked up in
 * and offered to them as a `document` under the same key.
 */
import { knownVersion } from '../known-version.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import type { OperationHandler } from '../ows-service.ts';
import { TEXT_XML } from '../xml-result.ts';
import { accessView, DocumentCache, objectVersion } from '../document-cache.ts';
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
    const layers = context.accessControl.readable(ctx, context.layers.list());
    const key = [
      `WMS GetCapabilities ${version}`,
      endpoint,
      `revision=${context.layers.revision}`,
      `metadata=${objectVersion(metadata)}`,
      `access=${accessView(context, ctx, layers)}`,
    ].join('\n');
    const filters = context.cacheFilters;
    if (!filters.empty) {
      const hit = await filters.get(ctx, 'document', key);
      if (hit !== undefined) return { body: hit.body, contentType: hit.contentType };
    }
    const body = await cache.get(key, async () => {
      const summaries = await layerSummaries.of(ctx, layers);
      const document = wmsCapabilities(version, endpoint, metadata, context.limits, summaries);
      return xmlString(document);
    });
    if (!filters.empty) {
      await filters.set(ctx, 'document', key, { body: Buffer.from(body), contentType });
    }
    return { body, contentType };
  };
}
