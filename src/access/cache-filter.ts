/**
 * Server cache filters, as QGIS Server's QgsServerCacheFilter: plugins may keep documents
 * (capabilities, descriptions) and images (GetMap answers) in a cache of their choosing (memory,
 * Redis, disk). Services ask the filters before building a response and offer them what they
 * built. Keys already include the request's access-control cache key, so entries never cross
 * rights. With no filter registered, nothing is asked and nothing is copied.
 */
import type { RequestContext } from '../request-loop/request-context.ts';

export type CachedKind = 'document' | 'image';

export interface CachedEntry {
  body: Buffer;
  contentType: string;
}

export interface CacheFilter {
  get?(
    ctx: RequestContext,
    kind: CachedKind,
    key: string,
  ): CachedEntry | undefined | Promise<CachedEntry | undefined>;
  set?(
    ctx: RequestContext,
    kind: CachedKind,
    key: string,
    entry: CachedEntry,
  ): void | Promise<void>;
}

export class CacheFilters {
  #filters: Array<{ filter: CacheFilter; priority: number; owner: string }> = [];

  register(filter: CacheFilter, priority = 0, owner = 'core'): void {
    if (
      filter === null ||
      typeof filter !== 'object' ||
      (filter.get === undefined && filter.set === undefined)
    ) {
      throw new TypeError('A cache filter must define get or set');
    }
    if (!Number.isSafeInteger(priority))
      throw new RangeError(`Priority must be an integer, got ${priority}`);
    this.#filters = [...this.#filters, { filter, priority, owner }].sort(
      (a, b) => a.priority - b.priority,
    );
  }

  removeOwner(owner: string): void {
    this.#filters = this.#filters.filter((f) => f.owner !== owner);
  }

  get empty(): boolean {
    return this.#filters.length === 0;
  }

  /** The first filter's hit, in priority order. */
  async get(ctx: RequestContext, kind: CachedKind, key: string): Promise<CachedEntry | undefined> {
    for (const { filter } of this.#filters) {
      const hit = await filter.get?.(ctx, kind, key);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  async set(ctx: RequestContext, kind: CachedKind, key: string, entry: CachedEntry): Promise<void> {
    for (const { filter } of this.#filters) await filter.set?.(ctx, kind, key, entry);
  }
}
