import type { RequestContext } from '../request-loop/request-context.ts';

/** What a hook may return: `false` stops the remaining filters of that hook for this request. */
export type FilterResult = void | boolean | Promise<void | boolean>;

/** One piece of output on its way to the client; a sendResponse filter may replace `data`. */
export interface ResponseChunk {
  data: Buffer | string;
  /** 0 for the first chunk of a response. */
  readonly index: number;
}

/**
 * A server filter, as QGIS Server's QgsServerFilter: up to three hooks, all optional, called for
 * every request Relief serves (OWS services, REST and plugin routes, static files).
 *
 * Order for a buffered response: requestReady → service → responseComplete → sendResponse (once).
 * Order for a streamed response: requestReady → service starts → sendResponse (once per chunk, as
 * chunks are produced) → responseComplete (once, after the last chunk was sent).
 */
export interface ServerFilter {
  /**
   * First hook: the request is parsed (parameters, headers, body) and no service or route handler
   * has run yet. The previous step is body parsing; the next hook is responseComplete, or
   * sendResponse when the service streams. May change `ctx.parameters` and `ctx.headers`, answer
   * early with `ctx.response.send(...)` (the service is then skipped, the response hooks still
   * run), or throw a ServiceException.
   */
  requestReady?(ctx: RequestContext): FilterResult;
  /**
   * Called whenever output goes to the client: once with the whole body for a buffered response
   * (after responseComplete), once per chunk for a streamed response (before responseComplete).
   * Set `chunk.data` to transform the output. Headers are already sent for streamed responses.
   */
  sendResponse?(ctx: RequestContext, chunk: ResponseChunk): FilterResult;
  /**
   * Called once when the service has finished. The previous hook is requestReady (buffered) or
   * the last sendResponse (streamed); the next is sendResponse (buffered) or none (streamed).
   * For a buffered response it may replace `ctx.response.body`, status and headers; for a
   * streamed one `ctx.response.streamed` is true and the body was already sent.
   */
  responseComplete?(ctx: RequestContext): FilterResult;
}

export type FilterStage = 'requestReady' | 'sendResponse' | 'responseComplete';
