/**
 * How the map services use the plugins' cache filters (src/access/cache-filter.ts): one key
 * builder for every service and operation, and one look-up-or-build step.
 *
 * A key names everything the answer depends on: what the service passes (service, operation,
 * version, endpoint, the layer set's revision, the metadata's version, the request's
 * parameters…), the request's access-control view, and this server run. The access view is the
 * filters' cacheKey plus, for a document listing layers, the names of those hidden from the
 * request, since a filter without a cacheKey may still hide layers: entries never cross rights
 * whatever the filters implement. Revisions and metadata versions are counters of this process,
 * so the run's id keeps a cache that outlives the server (disk, Redis) from answering with an
 * entry of an earlier run or of another server.
 */
import { randomUUID } from 'node:crypto';
import type { CachedKind } from '../access/cache-filter.ts';
import type { PublishedLayer } from '../layers/layer-registry.ts';
import type { RequestContext } from '../request-loop/request-context.ts';
import { objectVersion, type DocumentCache } from './document-cache.ts';
import type { MapServicesContext } from './map-services-context.ts';

/** Distinguishes this server run in every key. */
const RUN = randomUUID();

export interface CacheKeyParts {
  service: string;
  operation: string;
  /** Whatever else the answer depends on; serialised with JSON.stringify. */
  [part: string]: unknown;
}

/**
 * The key of an answer for the cache filters (and the services' own document caches). `listed`:
 * the layers a document lists (or may list), whose visibility to this request is part of it.
 */
export function cacheKey(
  context: Pick<MapServicesContext, 'accessControl'>,
  ctx: RequestContext,
  parts: CacheKeyParts,
  listed: readonly PublishedLayer[] = [],
): string {
  const { accessControl } = context;
  const access = accessControl.empty
    ? ''
    : {
        key: accessControl.cacheKey(ctx),
        hidden: listed.filter((layer) => !accessControl.canRead(ctx, layer)).map((l) => l.name),
      };
  return JSON.stringify({ ...parts, access, run: RUN });
}

export interface CacheableAnswer {
  body: Buffer | string;
  contentType: string;
}

/**
 * The cache filters' entry under `key` when one has it; otherwise `build()`, offered to them.
 * With no filter registered this is `build()` and the key is never made.
 */
export async function throughCacheFilters(
  context: Pick<MapServicesContext, 'cacheFilters'>,
  ctx: RequestContext,
  kind: CachedKind,
  key: () => string,
  build: () => Promise<CacheableAnswer>,
): Promise<CacheableAnswer> {
  const filters = context.cacheFilters;
  if (filters.empty) return build();
  const id = key();
  const hit = await filters.get(ctx, kind, id);
  if (hit !== undefined) return hit;
  const answer = await build();
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
  await filters.set(ctx, kind, id, { body, contentType: answer.contentType });
  return answer;
}

export interface CapabilitiesRequest {
  service: string;
  version: string;
  endpoint: string;
  /** The metadata the document shows (its object version is part of the key). */
  metadata: object;
  /** The layers the document may list (their visibility to this request is part of the key). */
  listed: readonly PublishedLayer[];
  contentType: string;
}

/**
 * A service's capabilities document: from the cache filters, else from the service's own
 * document cache, else built; one key for both, naming everything the document shows.
 */
export function cachedCapabilities(
  context: Pick<MapServicesContext, 'accessControl' | 'cacheFilters' | 'layers'>,
  ctx: RequestContext,
  documents: DocumentCache,
  request: CapabilitiesRequest,
  build: () => Promise<string>,
): Promise<CacheableAnswer> {
  const { service, version, endpoint, metadata, listed, contentType } = request;
  const key = cacheKey(
    context,
    ctx,
    {
      service,
      operation: 'GetCapabilities',
      version,
      endpoint,
      revision: context.layers.revision,
      metadata: objectVersion(metadata),
    },
    listed,
  );
  return throughCacheFilters(
    context,
    ctx,
    'document',
    () => key,
    async () => ({ body: await documents.get(key, build), contentType }),
  );
}
