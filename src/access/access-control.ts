/**
 * Access control for the map services, as QGIS Server's QgsAccessControlFilter: plugins decide,
 * per request, which layers a client may read, which features of a vector layer it sees and
 * which attributes. A layer a client may not read is absent from capabilities and refused by
 * GetMap, GetFeatureInfo, GetFeature, DescribeFeatureType, DescribeCoverage and GetCoverage.
 *
 * Hooks are synchronous on purpose: they run for every layer of every map request, and QGIS
 * users have seen access control cost 50× throughput. With no filter registered every check is
 * one comparison; answers are memoised per request and layer.
 */
import type { Feature } from 'geojson';
import type { PublishedLayer } from '../layers/layer-registry.ts';
import type { RequestContext } from '../request-loop/request-context.ts';

export interface AccessControlFilter {
  /** May this request read the layer? Returning false hides it everywhere. Default: true. */
  canRead?(ctx: RequestContext, layer: PublishedLayer): boolean;
  /** A predicate on the features of a vector layer this request may see; undefined: all. */
  featureFilter?(
    ctx: RequestContext,
    layer: PublishedLayer,
  ): ((feature: Feature) => boolean) | undefined;
  /** The attributes of a vector layer this request may see, out of `attributes`. */
  authorizedAttributes?(
    ctx: RequestContext,
    layer: PublishedLayer,
    attributes: readonly string[],
  ): readonly string[];
  /**
   * What distinguishes this request's view for caching (e.g. the user's role): documents and
   * images are cached per key, so two clients with different rights never share an entry.
   */
  cacheKey?(ctx: RequestContext): string | undefined;
}

interface Entry {
  filter: AccessControlFilter;
  priority: number;
  owner: string;
  sequence: number;
}

const MEMO = Symbol('relief.accessControl.memo');

export class AccessControl {
  #entries: Entry[] = [];

  register(filter: AccessControlFilter, priority = 0, owner = 'core'): void {
    if (filter === null || typeof filter !== 'object')
      throw new TypeError('An access control filter must be an object');
    if (!Number.isSafeInteger(priority))
      throw new RangeError(`Priority must be an integer, got ${priority}`);
    const hooks = ['canRead', 'featureFilter', 'authorizedAttributes', 'cacheKey'] as const;
    if (!hooks.some((hook) => typeof filter[hook] === 'function')) {
      throw new TypeError(`An access control filter must define one of ${hooks.join(', ')}`);
    }
    this.#entries = [
      ...this.#entries,
      { filter, priority, owner, sequence: this.#entries.length },
    ].sort((a, b) => a.priority - b.priority || a.sequence - b.sequence);
  }

  removeOwner(owner: string): void {
    this.#entries = this.#entries.filter((e) => e.owner !== owner);
  }

  /** True when no filter is registered: callers may skip all checks. */
  get empty(): boolean {
    return this.#entries.length === 0;
  }

  canRead(ctx: RequestContext, layer: PublishedLayer): boolean {
    if (this.#entries.length === 0) return true;
    const memo = memoOf(ctx);
    const known = memo.get(layer.name);
    if (known !== undefined) return known;
    let allowed = true;
    for (const { filter } of this.#entries) {
      if (filter.canRead !== undefined && !filter.canRead(ctx, layer)) {
        allowed = false;
        break;
      }
    }
    memo.set(layer.name, allowed);
    return allowed;
  }

  readable(ctx: RequestContext, layers: readonly PublishedLayer[]): PublishedLayer[] {
    return this.#entries.length === 0
      ? [...layers]
      : layers.filter((layer) => this.canRead(ctx, layer));
  }

  /** All filters' predicates combined; undefined when every feature may be seen. */
  featureFilter(
    ctx: RequestContext,
    layer: PublishedLayer,
  ): ((feature: Feature) => boolean) | undefined {
    const predicates: Array<(feature: Feature) => boolean> = [];
    for (const { filter } of this.#entries) {
      const predicate = filter.featureFilter?.(ctx, layer);
      if (predicate !== undefined) predicates.push(predicate);
    }
    if (predicates.length === 0) return undefined;
    if (predicates.length === 1) return predicates[0];
    return (feature) => predicates.every((p) => p(feature));
  }

  authorizedAttributes(
    ctx: RequestContext,
    layer: PublishedLayer,
    attributes: readonly string[],
  ): readonly string[] {
    let allowed = attributes;
    for (const { filter } of this.#entries) {
      if (filter.authorizedAttributes === undefined) continue;
      const permitted = new Set(filter.authorizedAttributes(ctx, layer, allowed));
      allowed = allowed.filter((name) => permitted.has(name));
    }
    return allowed;
  }

  /** The filters' keys joined; '' with no filter, so cache keys stay short in the common case. */
  cacheKey(ctx: RequestContext): string {
    if (this.#entries.length === 0) return '';
    const parts: string[] = [];
    for (const { filter, owner } of this.#entries) {
      const key = filter.cacheKey?.(ctx);
      if (key !== undefined) parts.push(`${owner}=${key}`);
    }
    return parts.join('&');
  }
}

function memoOf(ctx: RequestContext): Map<string, boolean> {
  let memo = ctx.state.get(MEMO) as Map<string, boolean> | undefined;
  if (memo === undefined) {
    memo = new Map();
    ctx.state.set(MEMO, memo);
  }
  return memo;
}
