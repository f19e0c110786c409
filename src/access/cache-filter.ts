/**
 * Server cache filters, as QGIS Server's QgsServerCacheFilter: plugins may keep documents
 * (capabilities of WMS, WFS and WCS) and images (WMS GetMap and WCS GetCoverage answers) in a
 * cache of their choosing (memory, Redis, disk). Services ask the filters before building a
 * response and offer them what they built (src/services/filter-cache.ts builds the keys, which
 * include the request's access-control cache key, so entries never cross rights). With no
 * filter registered, nothing is asked and nothing is copied.
 *
 * The server tells the filters to drop entries when what they depend on changes (`clear`, as
 * QGIS's deleteCachedDocuments / deleteCachedImages): a layer published, replaced or withdrawn,
 * the project reloaded, a plugin removed. Invalidations of one tick are sent together, so a
 * project reload that republishes twenty layers clears once. `delete` (deleteCachedDocument /
 * deleteCachedImage) drops one entry the server found unusable: a hit that is not an entry.
 *
 * A filter that throws (or rejects) is logged and skipped: a broken cache makes requests slower,
 * never failed. Every hook is optional, so a filter with only get and set keeps working.
 */
import type { RequestContext } from '../request-loop/request-context.ts';

export type CachedKind = 'document' | 'image';

export interface CachedEntry {
  body: Buffer;
  contentType: string;
}

/** Why the server asks the filters to drop entries. */
export type CacheInvalidation =
  /** Layers were published, replaced or unpublished: every kind. */
  | { reason: 'layers'; layers: readonly string[] }
  /** The project was reloaded (its service metadata): documents. Its layers come as `layers`. */
  | { reason: 'project' }
  /** A plugin was removed with its services, access control and caches: every kind. */
  | { reason: 'plugin'; plugin: string };

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
  /** Drops one entry (QGIS deleteCachedDocument / deleteCachedImage). */
  delete?(ctx: RequestContext, kind: CachedKind, key: string): void | Promise<void>;
  /**
   * Drops every entry of `kind`, or of both kinds when `kind` is undefined (QGIS
   * deleteCachedDocuments / deleteCachedImages). `why` says what changed.
   */
  clear?(kind: CachedKind | undefined, why: CacheInvalidation): void | Promise<void>;
}

/** What the filters log to: a pino (Fastify) logger fits. */
interface Logger {
  warn(details: object, message: string): void;
}

const HOOKS = ['get', 'set', 'delete', 'clear'] as const;

const SILENT: Logger = { warn: () => undefined };

export class CacheFilters {
  #filters: Array<{ filter: CacheFilter; priority: number; owner: string }> = [];
  readonly #log: Logger;
  #pending: CacheInvalidation[] | undefined;

  /** `log` reports failures of `clear`; those of the other hooks go to the request's log. */
  constructor(log: Logger = SILENT) {
    this.#log = log;
  }

  register(filter: CacheFilter, priority = 0, owner = 'core'): void {
    if (
      filter === null ||
      typeof filter !== 'object' ||
      !HOOKS.some((hook) => typeof filter[hook] === 'function')
    ) {
      throw new TypeError(`A cache filter must define one of ${HOOKS.join(', ')}`);
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

  /** The first filter's hit, in priority order; a hit that is not an entry is deleted. */
  async get(ctx: RequestContext, kind: CachedKind, key: string): Promise<CachedEntry | undefined> {
    for (const { filter, owner } of this.#filters) {
      if (filter.get === undefined) continue;
      let hit: unknown;
      try {
        hit = await filter.get(ctx, kind, key);
      } catch (error) {
        failed(ctx.log, owner, 'get', error);
        continue;
      }
      if (hit === undefined || hit === null) continue;
      const entry = asEntry(hit);
      if (entry !== undefined) return entry;
      ctx.log.warn(
        { plugin: owner, kind },
        `cache filter of ${owner}: get returned no { body, contentType }; entry deleted`,
      );
      await this.#delete(ctx, filter, owner, kind, key);
    }
    return undefined;
  }

  async set(ctx: RequestContext, kind: CachedKind, key: string, entry: CachedEntry): Promise<void> {
    for (const { filter, owner } of this.#filters) {
      if (filter.set === undefined) continue;
      try {
        await filter.set(ctx, kind, key, entry);
      } catch (error) {
        failed(ctx.log, owner, 'set', error);
      }
    }
  }

  /**
   * Tells every filter to drop the entries `why` makes stale, at the end of the current tick
   * together with the other invalidations of that tick.
   */
  invalidate(why: CacheInvalidation): void {
    if (this.#filters.length === 0) return;
    if (this.#pending === undefined) {
      this.#pending = [];
      queueMicrotask(() => void this.#flush());
    }
    const layers = this.#pending.find((p) => p.reason === 'layers');
    if (why.reason === 'layers' && layers?.reason === 'layers') {
      layers.layers = [...new Set([...layers.layers, ...why.layers])];
    } else {
      this.#pending.push(why.reason === 'layers' ? { ...why, layers: [...why.layers] } : why);
    }
  }

  async #flush(): Promise<void> {
    const pending = this.#pending ?? [];
    this.#pending = undefined;
    for (const why of pending) {
      const kind = why.reason === 'project' ? 'document' : undefined;
      await Promise.all(
        this.#filters.map(async ({ filter, owner }) => {
          try {
            await filter.clear?.(kind, why);
          } catch (error) {
            failed(this.#log, owner, 'clear', error);
          }
        }),
      );
    }
  }

  async #delete(
    ctx: RequestContext,
    filter: CacheFilter,
    owner: string,
    kind: CachedKind,
    key: string,
  ): Promise<void> {
    try {
      await filter.delete?.(ctx, kind, key);
    } catch (error) {
      failed(ctx.log, owner, 'delete', error);
    }
  }
}

/** A cache's answer as an entry: a Buffer (or other bytes, or a string) and a content type. */
function asEntry(hit: unknown): CachedEntry | undefined {
  if (typeof hit !== 'object' || hit === null) return undefined;
  const { body, contentType } = hit as { body?: unknown; contentType?: unknown };
  if (typeof contentType !== 'string' || contentType === '') return undefined;
  if (Buffer.isBuffer(body)) return hit as CachedEntry;
  if (body instanceof Uint8Array) {
    return { body: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType };
  }
  if (typeof body === 'string') return { body: Buffer.from(body), contentType };
  return undefined;
}

function failed(log: Logger, owner: string, hook: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  log.warn(
    { plugin: owner, err: error },
    `cache filter of ${owner}: ${hook} failed (${message}); answering without the cache`,
  );
}
