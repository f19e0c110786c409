/**
 * GetMap: the requested layers rendered on the pool, composited in LAYERS order (first at the
 * bottom) over the background and encoded as PNG, JPEG or WebP. The request's pixels (WIDTH ×
 * HEIGHT × layers) are checked against the budget first (map-budget.ts), and layers are
 * composited a few at a time (composeLayers), so memory does not grow with their number; the
 * maps being composited at once hold at most RELIEF_MAX_MAP_MEMORY bytes together (others wait).
 * With cache filters registered, answers are looked up and stored under a key of every
 * parameter, the layer set's revision and the request's access-control key. Errors follow
 * EXCEPTIONS (map-exceptions.ts).
 */
import { isServiceException } from '../../errors/service-exception.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import type { VectorStore } from '../../vector/vector-store.ts';
import { knownVersion } from '../known-version.ts';
import { checkMapPixels } from '../map-budget.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import { MemoryGate } from '../memory-gate.ts';
import type { OperationHandler, OwsResult } from '../ows-service.ts';
import { compositeBytes, composeLayers, parseImageOutput } from './image-output.ts';
import { exceptionImage } from './map-exceptions.ts';
import { parseMapRequest } from './map-request.ts';
import { renderMapLayer } from './render-map-layer.ts';
import { WMS_VERSIONS } from './wms-versions.ts';

export function getMap(context: MapServicesContext, store: VectorStore): OperationHandler {
  const memory = new MemoryGate(context.limits.maxMapMemory);
  return async ({ ctx, parameters, version }) => {
    try {
      return await renderMap(context, store, memory, ctx, parameters, version);
    } catch (error) {
      if (!isServiceException(error)) throw error;
      const image = await exceptionImage(error, parameters, context.limits);
      if (image === undefined) throw error;
      ctx.log.info({ code: error.code, locator: error.locator }, error.message);
      return { body: image.body, contentType: image.output.format };
    }
  };
}

async function renderMap(
  context: MapServicesContext,
  store: VectorStore,
  memory: MemoryGate,
  ctx: RequestContext,
  parameters: OwsParameters,
  requested: string,
): Promise<OwsResult> {
  const version = knownVersion(WMS_VERSIONS, requested);
  const request = parseMapRequest(context, ctx, version, parameters);
  const { width, height } = request.grid;
  checkMapPixels(context.limits, width, height, request.layers.length);
  const output = parseImageOutput(parameters, context.limits);
  const cacheKey = context.cacheFilters.empty ? undefined : imageCacheKey(context, ctx, parameters);
  if (cacheKey !== undefined) {
    const hit = await context.cacheFilters.get(ctx, 'image', cacheKey);
    if (hit !== undefined) return { body: hit.body, contentType: hit.contentType };
  }
  const count = request.layers.length;
  const body = await memory.hold(compositeBytes(width, height, count), () =>
    composeLayers(output, count, (index) =>
      renderMapLayer(context, store, ctx, request.layers[index]!, request.grid),
    ),
  );
  if (cacheKey !== undefined) {
    await context.cacheFilters.set(ctx, 'image', cacheKey, { body, contentType: output.format });
  }
  return { body, contentType: output.format };
}

/** Every parameter (names upper-cased, sorted), the layers' revision and the rights. */
function imageCacheKey(
  context: MapServicesContext,
  ctx: RequestContext,
  parameters: OwsParameters,
): string {
  const pairs = [...parameters]
    .map(([name, value]) => `${name.toUpperCase()}=${value}`)
    .sort()
    .join('&');
  return `WMS GetMap ${pairs} revision=${context.layers.revision} access=${context.accessControl.cacheKey(ctx)}`;
}
