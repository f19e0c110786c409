/** The OGC services Relief ships: they register through the same registry as plugin services. */
import type { ServiceRegistry } from './service-registry.ts';

export function registerCoreServices(registry: ServiceRegistry): void {
  void registry;
}
