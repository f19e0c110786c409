/**
 * Request parameters with case-insensitive names, as OGC KVP encoding requires (OWS Common 1.1
 * §11.5.2: parameter names are case-insensitive, values are not). The name a client used is kept
 * for output, so a rewritten query reads as the client wrote it.
 */
export class OwsParameters {
  readonly #entries = new Map<string, { name: string; value: string; values: string[] }>();
  #changed = false;

  constructor(source?: Iterable<[string, string]> | Record<string, unknown>) {
    if (source === undefined) return;
    const pairs = Symbol.iterator in source ? source : Object.entries(source);
    for (const [name, value] of pairs as Iterable<[string, unknown]>) {
      // A repeated name keeps its first value, like QGIS Server; an array value from the query
      // string parser means the client repeated it. getAll gives every value (WCS 2.0 SUBSET).
      const values = (Array.isArray(value) ? value : [value]).map((v) => String(v ?? ''));
      const key = name.toUpperCase();
      const entry = this.#entries.get(key);
      if (entry === undefined) this.#entries.set(key, { name, value: values[0] ?? '', values });
      else entry.values.push(...values);
    }
  }

  get(name: string): string | undefined {
    return this.#entries.get(name.toUpperCase())?.value;
  }

  /** Every value of a repeated parameter, in request order; [] when absent. */
  getAll(name: string): string[] {
    return [...(this.#entries.get(name.toUpperCase())?.values ?? [])];
  }

  has(name: string): boolean {
    return this.#entries.has(name.toUpperCase());
  }

  set(name: string, value: string): this {
    const key = name.toUpperCase();
    const previous = this.#entries.get(key);
    this.#entries.set(key, { name: previous?.name ?? name, value, values: [value] });
    this.#changed = true;
    return this;
  }

  delete(name: string): boolean {
    const removed = this.#entries.delete(name.toUpperCase());
    if (removed) this.#changed = true;
    return removed;
  }

  /** True once a filter has set or deleted a parameter. */
  get changed(): boolean {
    return this.#changed;
  }

  get size(): number {
    return this.#entries.size;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const { name, value } of this.#entries.values()) yield [name, value];
  }

  /** Each parameter's first value, under the name the client used. */
  toObject(): Record<string, string> {
    return Object.fromEntries(this);
  }

  /** As a parsed query string: a repeated parameter keeps all its values, as an array. */
  toQuery(): Record<string, string | string[]> {
    const query: Record<string, string | string[]> = {};
    for (const { name, value, values } of this.#entries.values()) {
      query[name] = values.length > 1 ? [...values] : value;
    }
    return query;
  }
}
