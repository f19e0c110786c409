/** The OGC services Relief ships: they register through the same registry as plugin services. */
import type { ServiceRegistry } from './service-registry.ts';
import { wcsService } from './wcs/wcs-service.ts';
import { wfsService } from './wfs/wfs-service.ts';
import { wmsService } from './wms/wms-service.ts';

export const CORE_SERVICES = [wmsService, wcsService, wfsService] as const;

export function registerCoreServices(registry: ServiceRegistry): void {
  for (const service of CORE_SERVICES) registry.register(service, 'core');
}
