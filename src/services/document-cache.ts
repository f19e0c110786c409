/**
 * Serialised capabilities and description documents of the map services, rebuilt only when
 * something they show changes. The key (filter-cache.ts's cacheKey, the one the cache filters
 * get too) names everything that does: version, endpoint (it follows the request's host unless
 * a public URL is configured), the layer set's revision, the metadata's version, and the
 * access-control view. Entries are bounded (least recently used go first) so varying Host
 * headers or roles cannot grow it, and concurrent requests for one document share a single
 * build; a failed build is not kept.
 */

export class DocumentCache {
  readonly #entries = new Map<string, Promise<string>>();
  readonly #maxEntries: number;
  #builds = 0;

  constructor(maxEntries = 32) {
    this.#maxEntries = maxEntries;
  }

  get(key: string, build: () => Promise<string>): Promise<string> {
    const cached = this.#entries.get(key);
    if (cached !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    this.#builds++;
    const document = build();
    this.#entries.set(key, document);
    document.catch(() => {
      if (this.#entries.get(key) === document) this.#entries.delete(key);
    });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
    return document;
  }

  /** How many documents were built (for tests). */
  get builds(): number {
    return this.#builds;
  }
}

const versions = new WeakMap<object, number>();
let nextVersion = 0;

/** A number per object: the project hands out a new metadata object when it changes. */
export function objectVersion(object: object): number {
  let version = versions.get(object);
  if (version === undefined) {
    version = ++nextVersion;
    versions.set(object, version);
  }
  return version;
}
