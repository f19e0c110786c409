/**
 * GetMap: the whole map drawn on the pool in one job (map-image-worker.ts): layers in LAYERS
 * order (first at the bottom) over the background, encoded as PNG, JPEG or WebP there, so only
 * the request goes to the pool and only the encoded image comes back. The main thread parses
 * and checks the request and selects the features of vector layers. The request's pixels
 * (WIDTH × HEIGHT × layers) are checked against the budget first (map-budget.ts); a map holds
 * one canvas and one layer however many layers it has, and the maps being drawn at once hold at
 * most RELIEF_MAX_MAP_MEMORY bytes together. Others wait, at most RELIEF_MAX_MAP_QUEUE of them
 * for at most RELIEF_MAP_QUEUE_TIMEOUT seconds; beyond that a request is refused with 503 and
 * Retry-After, always as an exception report (an image would hide the refusal from proxies).
 * With cache filters registered, answers are looked up and stored under a key of every
 * parameter, the layer set's revision and the request's access-control key. Errors follow
 * EXCEPTIONS (map-exceptions.ts).
 */
import { isServiceException, ServiceException } from '../../errors/service-exception.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import type { VectorStore } from '../../vector/vector-store.ts';
import { knownVersion } from '../known-version.ts';
import { checkMapPixels } from '../map-budget.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import { GateRefusedError, MemoryGate } from '../memory-gate.ts';
import type { OperationHandler, OwsResult } from '../ows-service.ts';
import { mapImageBytes, parseImageOutput } from './image-output.ts';
import { mapImageLayer, unrenderableLayer } from './map-image-layers.ts';
import { exceptionImage } from './map-exceptions.ts';
import { parseMapRequest } from './map-request.ts';
import type { MapImageLayer } from './map-image-worker.ts';
import { renderMapImageOnPool } from './wms-jobs.ts';
import { cacheKey, throughCacheFilters } from '../filter-cache.ts';
import { WMS_VERSIONS } from './wms-versions.ts';

/**
 * Seconds a refused GetMap is told to wait: maps take tens to hundreds of milliseconds, so the
 * queue has moved on by then, yet a client retrying at once would only meet the same queue.
 */
export const BUSY_RETRY_AFTER_SECONDS = 5;

export function getMap(context: MapServicesContext, store: VectorStore): OperationHandler {
  const { maxMapMemory, maxMapQueue, mapQueueTimeout } = context.limits;
  const memory = new MemoryGate(maxMapMemory, {
    maxWaiting: maxMapQueue,
    maxWaitMs: mapQueueTimeout * 1000,
  });
  return async ({ ctx, parameters, version }) => {
    try {
      return await renderMap(context, store, memory, ctx, parameters, version);
    } catch (error) {
      if (!isServiceException(error) || error.retryAfter !== undefined) throw error;
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
  return throughCacheFilters(
    context,
    ctx,
    'image',
    () => imageCacheKey(context, ctx, parameters),
    async () => {
      const layers: MapImageLayer[] = [];
      for (const layer of request.layers) {
        layers.push(await mapImageLayer(context, store, ctx, layer, request.grid));
      }
      const result = await memory
        .hold(
          mapImageBytes(width, height),
          () =>
            renderMapImageOnPool(
              context.pool,
              { grid: request.grid, layers, output },
              { signal: ctx.signal },
            ),
          ctx.signal,
        )
        .catch((error: unknown) => {
          throw error instanceof GateRefusedError ? busy(error, memory) : error;
        });
      if (result.kind === 'layer-failed') {
        throw unrenderableLayer(ctx, request.layers[result.layer]!.layer, result.message);
      }
      const { bytes } = result;
      const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return { body, contentType: output.format };
    },
  );
}

/** 503 for a GetMap the map memory could not admit: the queue was full, or its wait ran out. */
function busy(error: GateRefusedError, memory: MemoryGate): ServiceException {
  const why =
    error.reason === 'queue-full'
      ? `the queue for map memory is full (${memory.waiting} waiting)`
      : `the map waited ${memory.maxWaitMs / 1000} s for map memory`;
  return new ServiceException(
    'NoApplicableCode',
    `The server is busy: ${why}; try again in ${BUSY_RETRY_AFTER_SECONDS} s`,
    undefined,
    503,
    { cause: error, retryAfter: BUSY_RETRY_AFTER_SECONDS },
  );
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
  return cacheKey(context, ctx, {
    service: 'WMS',
    operation: 'GetMap',
    parameters: pairs,
    revision: context.layers.revision,
  });
}
