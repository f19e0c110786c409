/**
 * The core WMS (1.3.0 and 1.1.1) over the LayerRegistry: GetCapabilities, GetMap,
 * GetFeatureInfo and GetLegendGraphic, each layer checked against access control. It registers
 * like a plugin service. Rendering and decoding run on the shared pool and on sharp's threads;
 * vector features come from a vector store (one per service: the context has none to share).
 */
import type { ExceptionFormat } from '../../errors/exception-report.ts';
import type { VectorStore } from '../../vector/vector-store.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import type { OwsServiceDefinition } from '../ows-service.ts';
import { getCapabilities } from './get-capabilities.ts';
import { getFeatureInfo } from './get-feature-info.ts';
import { getLegendGraphic } from './get-legend-graphic.ts';
import { getMap } from './get-map.ts';
import { LayerSummaries } from './wms-layer-summaries.ts';
import { WMS_VERSIONS } from './wms-versions.ts';

export interface WmsServiceOptions {
  /** A store to share (with WFS, or a test's); one is created otherwise. */
  store?: VectorStore;
}

export function createWmsService(
  context: MapServicesContext,
  options: WmsServiceOptions = {},
): OwsServiceDefinition {
  const store = options.store ?? context.vectors;
  return {
    name: 'WMS',
    title: 'Web Map Service',
    versions: WMS_VERSIONS,
    operations: {
      GetCapabilities: getCapabilities(context, new LayerSummaries(context, store)),
      GetMap: getMap(context, store),
      GetFeatureInfo: getFeatureInfo(context, store),
      GetLegendGraphic: getLegendGraphic(context),
    },
    exceptionFormat(version: string): ExceptionFormat {
      return version === '1.1.1' ? { kind: 'ogc-se-dtd', version: '1.1.1' } : { kind: 'wms-1.3.0' };
    },
  };
}
