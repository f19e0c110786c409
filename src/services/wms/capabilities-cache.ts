/**
 * Serialised WMS capabilities documents, rebuilt only when something they show changes: the
 * layer set (revision), the service metadata, or what this request may read (its access-control
 * cache key, plus the readable layer names, since a filter registered later changes them
 * without a new revision). Keyed by version and endpoint too, which comes from the request's
 * host unless a public URL is configured; the number of entries is bounded so varying Host
 * headers cannot grow it. A document is built once even when requests for it arrive together.
 */
export class CapabilitiesCache {
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
