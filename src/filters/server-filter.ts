import type { RequestContext } from '../request-loop/request-context.ts';

/** What a hook may return: `false` stops the remaining filters of that hook for this request. */
export type FilterResult = void | boolean | Promise<void | boolean>;

/** One piece of output on its way to the client; a sendResponse filter may replace `data`. */
export interface ResponseChunk {
  data: Buffer | string;
  /** 0 for the first chunk of a response. */
  readonly index: number;
}

/** How a request ended, as requestEnd sees it. */
export interface RequestEnd {
  /**
   * The status the client was sent; 499 when the client left before the status line went out
   * (as the access log records it).
   */
  readonly statusCode: number;
  /**
   * Body bytes the server wrote to the connection (after the sendResponse filters; headers and
   * chunk framing not counted; 0 for HEAD, 204 and 304). On a response that did not complete,
   * some of them may not have reached the client.
   */
  readonly bytes: number;
  /**
   * True when the whole response was handed to the operating system; false when the client went
   * away first, the connection broke, or a stream failed and the response was cut short.
   */
  readonly completed: boolean;
  /** Milliseconds from the request's arrival to its end. */
  readonly durationMs: number;
}

/**
 * A server filter, as QGIS Server's QgsServerFilter: up to four hooks, all optional, called for
 * every request Relief serves (OWS services, REST and plugin routes, static files).
 *
 * Order for a buffered response: requestReady → service → responseComplete → sendResponse (once)
 * → requestEnd (after the last byte).
 * Order for a streamed response: requestReady → service starts → sendResponse (once per chunk, as
 * chunks are produced) → responseComplete (once, after the last chunk) → requestEnd.
 * A request the client abandons, or whose stream fails, still ends with requestEnd.
 */
export interface ServerFilter {
  /**
   * First hook: the request is parsed (parameters as sent, headers, body), neither checked against
   * the route's schema nor seen by any service or route handler. The next hook is
   * responseComplete, or sendResponse when the service streams. May change `ctx.parameters`
   * (also on REST routes, whose schema then checks the changed query) and `ctx.headers`, answer
   * early with `ctx.response.send(...)` (the service is then skipped, the response hooks still
   * run), or throw a ServiceException.
   */
  requestReady?(ctx: RequestContext): FilterResult;
  /**
   * Called whenever output goes to the client: once with the whole body for a buffered response
   * (after responseComplete), once per chunk for a streamed response (before responseComplete).
   * Set `chunk.data` to transform the output. For a streamed response, status and headers can
   * still change while the first chunk (`chunk.index === 0`) is filtered, not after.
   */
  sendResponse?(ctx: RequestContext, chunk: ResponseChunk): FilterResult;
  /**
   * Called once when the service has finished. The previous hook is requestReady (buffered) or
   * the last sendResponse (streamed); the next is sendResponse (buffered) or requestEnd
   * (streamed). For a buffered response it may replace `ctx.response.body`, status and headers;
   * for a streamed one `ctx.response.streamed` is true and the body has gone out: replacing it
   * throws a ResponseSentError, and so does changing status or headers once they were sent
   * (`ctx.response.headersSent`). Such an error, as any in this hook after a stream, is logged
   * and the response, already complete, stays intact.
   */
  responseComplete?(ctx: RequestContext): FilterResult;
  /**
   * Last hook, once per request, after the last byte was written (following responseComplete
   * and sendResponse) or as soon as the request ends without completing (the client went away,
   * a stream failed). Every filter with this hook that was registered when the request reached
   * requestReady is called, whatever the other filters did (returned false, threw, answered
   * early); its return value is ignored, and an error it throws is logged and stops nothing.
   * Nothing can be changed any more: for logging, metrics and cleaning up `ctx.state`. A request
   * that does not complete ends when its connection closes, possibly while its service still
   * runs (`ctx.signal` has aborted then).
   */
  requestEnd?(ctx: RequestContext, end: RequestEnd): void | Promise<void>;
}

export type FilterStage = 'requestReady' | 'sendResponse' | 'responseComplete' | 'requestEnd';
