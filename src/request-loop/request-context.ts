import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { clientGoneSignal } from './client-gone.ts';
import { OwsParameters } from './ows-parameters.ts';
import { ResponseState } from './response-state.ts';

/** OWS requests answer errors with OGC exception documents, REST requests with problem+json. */
export type RequestKind = 'ows' | 'rest';

/**
 * What every filter receives: the parsed request (mutable parameters and headers), the response
 * under construction, and a place to share state between the hooks of one request.
 */
export class RequestContext {
  readonly id: string;
  readonly log: FastifyBaseLogger;
  readonly method: string;
  /** The path without the query string, e.g. `/ows`. */
  readonly path: string;
  readonly kind: RequestKind;
  /**
   * The parameters as the client sent them, names case-insensitive, values strings: the query
   * string, plus a form body's KVP on OWS requests. On REST routes this is the query before the
   * route's schema checked it (request.query holds the checked values); a change in requestReady
   * replaces the query the route then checks and sees.
   */
  readonly parameters: OwsParameters;
  /** The request headers; changes are seen by the service. */
  readonly headers: IncomingHttpHeaders;
  readonly response: ResponseState;
  /** Per-request state shared by filters, keyed by whatever the filter chooses. */
  readonly state = new Map<string | symbol, unknown>();
  /** Set by the OWS dispatcher once known. */
  service: string | undefined;
  version: string | undefined;
  operation: string | undefined;
  /** @internal a response-stage filter failed: its error document is not filtered again. */
  responseFilterFailed = false;
  /** @internal requestReady has run for this request (install-request-loop.ts). */
  requestReadyRan = false;
  readonly #request: FastifyRequest;
  readonly #reply: FastifyReply;
  #signal: AbortSignal | undefined;

  constructor(request: FastifyRequest, reply: FastifyReply, kind: RequestKind) {
    this.#request = request;
    this.#reply = reply;
    this.id = request.id;
    this.log = request.log;
    this.method = request.method;
    const url = request.url;
    const q = url.indexOf('?');
    this.path = q === -1 ? url : url.slice(0, q);
    this.kind = kind;
    this.headers = request.headers;
    this.response = new ResponseState(reply);
    this.parameters = new OwsParameters(
      kind === 'ows' ? owsParameters(request) : queryAsSent(url, q),
    );
  }

  /**
   * Aborts when the client goes away before the response is finished (never after a normal
   * answer): pass it to pool runs and other costly work done for the request.
   */
  get signal(): AbortSignal {
    this.#signal ??= clientGoneSignal(this.#request.raw, this.#reply.raw);
    return this.#signal;
  }

  /** The parsed body: an object for JSON, a string for XML, form bodies also appear as parameters. */
  get body(): unknown {
    return this.#request.body;
  }

  set body(body: unknown) {
    this.#request.body = body;
  }
}

/**
 * A REST route's schema coerces and defaults request.query in place (`limit` becomes a number,
 * an absent `offset` appears), so the query is read again from the URL: what the client sent.
 */
function queryAsSent(url: string, q: number): Record<string, unknown> {
  if (q === -1 || q === url.length - 1) return {};
  // maxKeys 0: every parameter, as Fastify's own parser reads them.
  return parseQuery(url.slice(q + 1), '&', '=', { maxKeys: 0 });
}

/** The /ows endpoint has no query schema: request.query is the query as sent. */
function owsParameters(request: FastifyRequest): Record<string, unknown> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const contentType = request.headers['content-type'];
  if (
    request.body !== null &&
    typeof request.body === 'object' &&
    contentType?.startsWith('application/x-www-form-urlencoded')
  ) {
    // KVP sent by POST (OWS Common §11.7); query-string values win over a repeated body value.
    return { ...(request.body as Record<string, unknown>), ...query };
  }
  return query;
}
