/**
 * Serialised capabilities documents, rebuilt only when something they show changes: the layer
 * set (LayerRegistry.revision), the service metadata (a new object when the project changes)
 * or the client's rights (AccessControl.cacheKey). Keyed by version and endpoint too, since the
 * endpoint follows the request's host unless a public URL is configured; the number of entries
 * is bounded so varying Host headers cannot grow it. Concurrent requests share one build.
 */
import type { ServiceMetadata } from '../service-metadata.ts';

export interface DocumentKey {
  version: string;
  endpoint: string;
  revision: number;
  accessKey: string;
  metadata: ServiceMetadata;
}

interface Entry {
  metadata: ServiceMetadata;
  document: Promise<string>;
}

export class DocumentCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  #builds = 0;

  constructor(maxEntries = 64) {
    this.#maxEntries = maxEntries;
  }

  get(key: DocumentKey, build: () => Promise<string>): Promise<string> {
    const id = JSON.stringify([key.version, key.endpoint, key.revision, key.accessKey]);
    const cached = this.#entries.get(id);
    if (cached !== undefined && cached.metadata === key.metadata) return cached.document;
    this.#builds++;
    const entry: Entry = { metadata: key.metadata, document: build() };
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
