/**
 * The per-chunk path of the request loop: a Transform between a streaming service and the socket.
 * Each chunk goes through the sendResponse filters as it arrives; responseComplete runs once after
 * the last one (a failure there is logged and leaves the response whole: it has been sent). Being a Transform in a pipe, it passes backpressure through: a slow client
 * pauses the service instead of making the server buffer the stream.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { runStage, type FilterChain } from '../filters/filter-chain.ts';
import { FilterError } from '../filters/filter-error.ts';
import type { ResponseChunk } from '../filters/server-filter.ts';
import type { RequestContext } from './request-context.ts';

export class SendResponseStream extends Transform {
  readonly #ctx: RequestContext;
  readonly #chain: FilterChain;
  #index = 0;

  constructor(ctx: RequestContext, chain: FilterChain) {
    super();
    this.#ctx = ctx;
    this.#chain = chain;
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const entries = this.#chain.sendResponse;
    if (entries === null) return callback(null, data);
    const chunk: ResponseChunk = { data, index: this.#index++ };
    const push = () => {
      const out = chunk.data;
      if (out.length > 0) this.push(out);
      callback();
    };
    try {
      const run = runStage(entries, 'sendResponse', this.#ctx, chunk);
      if (run === undefined) push();
      else run.then(push, (error: unknown) => this.#fail(error, callback));
    } catch (error) {
      this.#fail(error, callback);
    }
  }

  override _flush(callback: TransformCallback): void {
    const entries = this.#chain.responseComplete;
    if (entries === null) return callback();
    try {
      const run = runStage(entries, 'responseComplete', this.#ctx);
      if (run === undefined) callback();
      else
        run.then(
          () => callback(),
          (error: unknown) => this.#failAfterBody(error, callback),
        );
    } catch (error) {
      this.#failAfterBody(error, callback);
    }
  }

  /**
   * responseComplete runs once the whole body has gone through sendResponse: the response is
   * complete, and ending it with an error would only cut it short (a late `body =` or
   * `setHeader` used to do that). The failure is logged and the response ends intact.
   */
  #failAfterBody(error: unknown, callback: TransformCallback): void {
    this.#ctx.responseFilterFailed = true;
    this.#ctx.log.error(
      { err: error, plugin: error instanceof FilterError ? error.plugin : undefined },
      'filter failed in responseComplete of a streamed response; the response was already sent and is left complete',
    );
    callback();
  }

  /**
   * Headers are already on the wire, so no error document can follow: the stream is ended with
   * the error (the client sees a truncated body) and the failure is logged here with its plugin.
   */
  #fail(error: unknown, callback: TransformCallback): void {
    this.#ctx.responseFilterFailed = true;
    this.#ctx.log.error(
      { err: error, plugin: error instanceof FilterError ? error.plugin : undefined },
      'filter failed during a streamed response; the stream was ended',
    );
    callback(error instanceof Error ? error : new Error(String(error)));
  }
}
