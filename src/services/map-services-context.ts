/**
 * What the core map services (WMS, WCS, WFS) work from: the layers, the shared pool for
 * rendering and encoding, the service metadata and the request limits. One object, built once
 * by the server, so a service never reaches for globals.
 */
import type { AccessControl } from '../access/access-control.ts';
import type { CacheFilters } from '../access/cache-filter.ts';
import type { LayerRegistry } from '../layers/layer-registry.ts';
import type { VectorStore } from '../vector/vector-store.ts';
import type { WorkerPool } from '../pool/worker-pool.ts';
import type { ServiceMetadata } from './service-metadata.ts';

export interface MapServiceLimits {
  /** Largest WIDTH and HEIGHT of a GetMap or GetCoverage output, in pixels. */
  maxWidth: number;
  maxHeight: number;
  /** Most layers one GetMap or GetFeatureInfo may name, repeats counted (map-budget.ts). */
  maxLayers: number;
  /** Most pixels one request may render: width × height × layers (map-budget.ts). */
  maxPixels: number;
  /** Most features GetFeatureInfo reports per queried layer; FEATURE_COUNT is cut to it. */
  maxFeatureCount: number;
  /** Bytes of map images all GetMap requests together hold while compositing (memory-gate.ts). */
  maxMapMemory: number;
  /** GetMap requests that may wait for map memory; more are refused with 503. */
  maxMapQueue: number;
  /** Seconds a GetMap may wait for map memory before it is refused with 503. */
  mapQueueTimeout: number;
  /** Largest XML a client may have parsed (a WFS FILTER), in bytes. */
  maxXmlBytes: number;
}

export interface MapServicesContext {
  readonly layers: LayerRegistry;
  /** Features of the vector layers, parsed and indexed once for WMS and WFS alike. */
  readonly vectors: VectorStore;
  readonly pool: WorkerPool;
  /** Read per request: a project file may change it. */
  metadata(): ServiceMetadata;
  readonly limits: MapServiceLimits;
  /** Plugins' layer permissions, feature filters and attribute rules, checked per request. */
  readonly accessControl: AccessControl;
  /** Plugins' caches for documents and images. */
  readonly cacheFilters: CacheFilters;
}
