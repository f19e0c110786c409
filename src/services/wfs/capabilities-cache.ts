/**
 * WFS capabilities documents in the shared DocumentCache, keyed by what they show. With access
 * control, `access` names the variant a request sees (see wfs-service.ts).
 */
import { DocumentCache, objectVersion } from '../document-cache.ts';
import type { ServiceMetadata } from '../service-metadata.ts';

export interface CapabilitiesKey {
  version: string;
  endpoint: string;
  revision: number;
  metadata: ServiceMetadata;
  /** The access-control variant; '' or absent with no filter registered. */
  access?: string;
}

export class CapabilitiesCache {
  readonly #documents: DocumentCache;

  constructor(maxEntries = 32) {
    this.#documents = new DocumentCache(maxEntries);
  }

  get(key: CapabilitiesKey, build: () => Promise<string>): Promise<string> {
    const id = [
      key.version,
      key.endpoint,
      key.access ?? '',
      key.revision,
      objectVersion(key.metadata),
    ];
    return this.#documents.get(JSON.stringify(id), build);
  }

  /** How many documents were built (for tests). */
  get builds(): number {
    return this.#documents.builds;
  }
}
