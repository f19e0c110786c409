/** The OGC services Relief ships: they register through the same registry as plugin services. */
import type { MapServicesContext } from './map-services-context.ts';
import type { ServiceRegistry } from './service-registry.ts';
import { wcsService } from './wcs/wcs-service.ts';
import { createWfsService } from './wfs/wfs-service.ts';
import { wmsService } from './wms/wms-service.ts';

export const CORE_SERVICES = [wmsService, wcsService] as const;

export function registerCoreServices(registry: ServiceRegistry, context: MapServicesContext): void {
  // The services become factories of the context as they grow beyond GetCapabilities.
  void context;
  for (const service of CORE_SERVICES) registry.register(service, 'core');
  registry.register(createWfsService(context), 'core');
}
