/**
 * Serialised capabilities documents, rebuilt only when something they show changes: the layer
 * set (LayerRegistry.revision) or the service metadata (a new object from the project). Keyed
 * by version and endpoint, since the endpoint is derived from the request's host unless a
 * public URL is configured; the number of keys is bounded so varying Host headers cannot grow
 * it without limit. A document is built once even when requests for it arrive together.
 * With access control, `access` names the variant a request sees (see wfs-service.ts); each
 * variant is its own entry, within the same bound.
 */
import type { ServiceMetadata } from '../service-metadata.ts';

export interface CapabilitiesKey {
  version: string;
  endpoint: string;
  revision: number;
  metadata: ServiceMetadata;
  /** The access-control variant; '' or absent with no filter registered. */
  access?: string;
}

interface Entry {
  revision: number;
  metadata: ServiceMetadata;
  document: Promise<string>;
}

export class CapabilitiesCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  #builds = 0;

  constructor(maxEntries = 32) {
    this.#maxEntries = maxEntries;
  }

  get(key: CapabilitiesKey, build: () => Promise<string>): Promise<string> {
    const id = `${key.version} ${key.endpoint} ${key.access ?? ''}`;
    const cached = this.#entries.get(id);
    if (cached?.revision === key.revision && cached.metadata === key.metadata) {
      return cached.document;
    }
    this.#builds++;
    const entry: Entry = { revision: key.revision, metadata: key.metadata, document: build() };
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    entry.document.catch(() => {
      if (this.#entries.get(id) === entry) this.#entries.delete(id);
    });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
    return entry.document;
  }

  /** How many documents were built (for tests). */
  get builds(): number {
    return this.#builds;
  }
}
