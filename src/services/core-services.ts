/** The OGC services Relief ships: they register through the same registry as plugin services. */
import type { MapServicesContext } from './map-services-context.ts';
import type { ServiceRegistry } from './service-registry.ts';
import { createWcsService } from './wcs/wcs-service.ts';
import { createWfsService } from './wfs/wfs-service.ts';
import { createWmsService } from './wms/wms-service.ts';

export function registerCoreServices(registry: ServiceRegistry, context: MapServicesContext): void {
  // The services become factories of the context as they grow beyond GetCapabilities.
  void context;
  registry.register(createWmsService(context), 'core');
  registry.register(createWcsService(context), 'core');
  registry.register(createWfsService(context), 'core');
}
