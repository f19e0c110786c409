/**
 * The services reachable through `/ows?SERVICE=…`: core WMS, WCS and WFS and plugin services
 * register here the same way. Names and operations are indexed upper-case once, so dispatch is a
 * pair of map look-ups.
 */
import type { ExceptionFormat } from '../errors/exception-report.ts';
import type { OperationHandler, OwsServiceDefinition } from './ows-service.ts';
import { compareVersions, isVersion } from './version-negotiation.ts';

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
const DEFAULT_EXCEPTION_FORMAT: ExceptionFormat = {
  kind: 'ows',
  owsVersion: '1.1.0',
  reportVersion: '1.1.0',
};

export interface RegisteredService {
  readonly name: string;
  readonly title: string;
  /** Ascending. */
  readonly versions: readonly string[];
  readonly owner: string;
  readonly operationNames: readonly string[];
  operation(name: string): { name: string; handler: OperationHandler } | undefined;
  exceptionFormat(version: string | undefined): ExceptionFormat;
}

export class ServiceRegistry {
  readonly #services = new Map<string, RegisteredService>();

  register(definition: OwsServiceDefinition, owner = 'core'): RegisteredService {
    const { name, versions, operations } = definition;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw new TypeError(`Service name must match ${NAME_PATTERN}, got ${JSON.stringify(name)}`);
    }
    const key = name.toUpperCase();
    const existing = this.#services.get(key);
    if (existing !== undefined) {
      throw new Error(`Service ${name} is already registered by ${existing.owner}`);
    }
    if (!Array.isArray(versions) || versions.length === 0 || !versions.every(isVersion)) {
      throw new TypeError(`Service ${name}: versions must be a non-empty list like ["1.3.0"]`);
    }
    const byName = new Map<string, { name: string; handler: OperationHandler }>();
    for (const [operation, handler] of Object.entries(operations ?? {})) {
      if (typeof handler !== 'function') {
        throw new TypeError(`Service ${name}: operation ${operation} must be a function`);
      }
      byName.set(operation.toUpperCase(), { name: operation, handler });
    }
    if (byName.size === 0) throw new TypeError(`Service ${name} declares no operations`);
    const sorted = [...versions].sort(compareVersions);
    const highest = sorted[sorted.length - 1] as string;
    const formatFor = definition.exceptionFormat?.bind(definition);
    const registered: RegisteredService = {
      name,
      title: definition.title ?? name,
      versions: sorted,
      owner,
      operationNames: [...byName.values()].map((o) => o.name),
      operation: (operation) => byName.get(operation.toUpperCase()),
      exceptionFormat: (version) => {
        if (formatFor === undefined) return DEFAULT_EXCEPTION_FORMAT;
        const known = sorted.find(
          (v) => version !== undefined && compareVersions(v, version) === 0,
        );
        return formatFor(known ?? highest);
      },
    };
    this.#services.set(key, registered);
    return registered;
  }

  unregisterOwner(owner: string): void {
    for (const [key, service] of this.#services)
      if (service.owner === owner) this.#services.delete(key);
  }

  get(name: string): RegisteredService | undefined {
    return this.#services.get(name.toUpperCase());
  }

  list(): RegisteredService[] {
    return [...this.#services.values()];
  }
}
