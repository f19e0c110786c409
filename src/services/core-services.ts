/** The OGC services Relief ships: they register through the same registry as plugin services. */
import { RASTER_WORKER } from '../raster/raster-jobs.ts';
import type { MapServicesContext } from './map-services-context.ts';
import type { ServiceRegistry } from './service-registry.ts';
import { createWcsService } from './wcs/wcs-service.ts';
import { createWfsService } from './wfs/wfs-service.ts';
import { WFS_WORKER } from './wfs/wfs-jobs.ts';
import { MAP_IMAGE_WORKER, WMS_WORKER } from './wms/wms-jobs.ts';
import { createWmsService } from './wms/wms-service.ts';

/** The pool worker modules requests run, loaded on every pool thread at start-up (pool.warm). */
export const CORE_WORKER_MODULES: readonly URL[] = [
  MAP_IMAGE_WORKER,
  RASTER_WORKER,
  WMS_WORKER,
  WFS_WORKER,
];

export function registerCoreServices(registry: ServiceRegistry, context: MapServicesContext): void {
  // The services become factories of the context as they grow beyond GetCapabilities.
  void context;
  registry.register(createWmsService(context), 'core');
  registry.register(createWcsService(context), 'core');
  registry.register(createWfsService(context), 'core');
}
