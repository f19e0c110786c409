/**
 * The request loop: wires the filter chain into Fastify's lifecycle so that every request
 * (OWS services, REST and plugin routes, static files, 404s) passes through the same hooks.
 *
 *   parse → preValidation: requestReady filters → schema → handler (service or route)
 *         → onSend: responseComplete then sendResponse (buffered), or a SendResponseStream
 *           (streamed: sendResponse per chunk, then responseComplete) → socket
 *         → the response closes: requestEnd filters (completed, or not: client gone, stream cut)
 *
 * requestReady runs before the route's schema: filters see the request as sent, and what they
 * change (a parameter added or removed) is what the schema checks. A request that fails while
 * its body is read (bad JSON, 413, 415) never reaches preValidation; its error goes through the
 * requestReady filters first, so that a filter (authentication, say) can refuse or answer every
 * routed request, and a client it would refuse learns nothing about the route.
 *
 * Errors become OGC exception documents for OWS requests and problem+json for REST requests:
 * thrown ones, Fastify's own (bad JSON, 413, 415, schema, bad URL via the framework-error relay),
 * unknown paths (404) and wrong methods (405 with `Allow`). Client faults are logged at info
 * without a stack, server faults at error with one.
 */
import type { ServerResponse } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderExceptionReport } from '../errors/exception-report.ts';
import { problem, PROBLEM_CONTENT_TYPE } from '../errors/problem-details.ts';
import { isServiceException, ServiceException } from '../errors/service-exception.ts';
import {
  runRequestEnd,
  runStage,
  type FilterChain,
  type StageEntry,
} from '../filters/filter-chain.ts';
import { FilterError } from '../filters/filter-error.ts';
import type { ResponseChunk } from '../filters/server-filter.ts';
import type { ServiceRegistry } from '../services/service-registry.ts';
import { isClientGone } from './client-gone.ts';
import { RequestContext, type RequestKind } from './request-context.ts';
import type { FrameworkErrorRelay } from './framework-errors.ts';
import { RouteIndex } from './route-index.ts';
import { SendResponseStream } from './send-response-stream.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `ows` routes answer errors with OGC exception reports; everything else is `rest`. */
    requestKind?: RequestKind;
  }
  interface FastifyRequest {
    reliefContext: RequestContext | null;
    /** Fastify has begun reading the body: the request is routed, past the onRequest guards. */
    reliefRouted: boolean;
  }
}

export type ContextAccessor = (request: FastifyRequest, reply: FastifyReply) => RequestContext;

export function installRequestLoop(
  app: FastifyInstance,
  chain: FilterChain,
  registry: ServiceRegistry,
  frameworkErrors: FrameworkErrorRelay,
): ContextAccessor {
  app.decorateRequest('reliefContext', null);
  app.decorateRequest('reliefRouted', false);
  const routes = new RouteIndex(app);

  const contextOf: ContextAccessor = (request, reply) => {
    // Requests Fastify builds for errors before routing lack the decoration (undefined).
    let ctx = request.reliefContext ?? null;
    if (ctx === null) {
      ctx = new RequestContext(request, reply, routes.kindOf(request));
      request.reliefContext = ctx;
    }
    return ctx;
  };

  app.addHook('onRequest', (request, _reply, done) => {
    // Only origin-form (`/path`) and absolute-form (`http://host/path`) name a resource; the
    // asterisk-form (`GET *`) would otherwise reach the catch-all static route.
    const target = request.url;
    if (target.startsWith('/') || /^https?:\/\//i.test(target)) return done();
    done(
      new ServiceException(
        'InvalidParameterValue',
        'The request target must be a path such as /ows',
        undefined,
        400,
      ),
    );
  });

  app.addHook('preParsing', (request, _reply, payload, done) => {
    // Not the context itself: it would read the parameters before a form body is parsed.
    request.reliefRouted = true;
    done(null, payload);
  });

  /**
   * The request has reached the filters: requestReady runs now, and requestEnd will, for the
   * filters registered at this moment, once the response closes.
   */
  const begin = (ctx: RequestContext, request: FastifyRequest, reply: FastifyReply): void => {
    ctx.requestReadyRan = true;
    const ends = chain.requestEnd;
    if (ends !== null) watchRequestEnd(ctx, ends, request, reply);
  };

  app.addHook('preValidation', (request, reply, done) => {
    const entries = chain.requestReady;
    if (entries === null && chain.requestEnd === null) return done();
    const ctx = contextOf(request, reply);
    begin(ctx, request, reply);
    if (entries === null) return done();
    const finish = () => {
      // REST handlers read request.query, so a rewrite lands there, before the schema checks it.
      if (ctx.parameters.changed && ctx.kind === 'rest') request.query = ctx.parameters.toQuery();
      if (ctx.response.hasBody) {
        reply.send(ctx.response.body);
        return;
      }
      done();
    };
    let run;
    try {
      run = runStage(entries, 'requestReady', ctx);
    } catch (error) {
      return done(error as Error);
    }
    if (run === undefined) finish();
    else run.then(finish, (error: unknown) => done(error as Error));
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    if (!chain.watchesResponses) return done(null, payload);
    const ctx = contextOf(request, reply);
    if (ctx.responseFilterFailed) return done(null, payload);
    if (payload instanceof Readable || isNodeStream(payload)) {
      ctx.response.markStreamed();
      // Filters may change chunk sizes, so a length computed upstream (static files) would lie.
      reply.removeHeader('content-length');
      const filtered = new SendResponseStream(ctx, chain);
      pipeline(payload as NodeJS.ReadableStream, filtered, () => {
        // Errors are logged by SendResponseStream or by Fastify's stream handling.
      });
      return done(null, filtered);
    }
    filterBuffered(ctx, chain, payload as string | Buffer | null | undefined, (error, body) => {
      if (error !== null) {
        ctx.responseFilterFailed = true;
        return done(error);
      }
      done(null, body);
    });
  });

  const sendError = (
    error: FastifyError | Error,
    request: FastifyRequest,
    reply: FastifyReply,
  ): FastifyReply | Promise<FastifyReply> => {
    if (isClientGone(error)) {
      // Work dropped because nobody waits for it (ctx.signal): nobody's fault, and nobody to
      // answer. 499 is what proxies log for a client that closed its request.
      request.log.info('the client went away before the answer; its work was dropped');
      return reply.code(499).send();
    }
    const ctx = contextOf(request, reply);
    const entries = chain.requestReady;
    const unseen =
      (entries !== null || chain.requestEnd !== null) &&
      request.reliefRouted &&
      !ctx.requestReadyRan;
    // Failed between routing and preValidation: the filters have not seen it yet.
    if (unseen) begin(ctx, request, reply);
    if (unseen && entries !== null) {
      const afterFilters = (): FastifyReply | Promise<FastifyReply> =>
        ctx.response.hasBody ? reply.send(ctx.response.body) : sendError(error, request, reply);
      let run;
      try {
        run = runStage(entries, 'requestReady', ctx);
      } catch (refusal) {
        return sendError(refusal as Error, request, reply);
      }
      if (run === undefined) return afterFilters();
      return run.then(afterFilters, (refusal: unknown): FastifyReply | Promise<FastifyReply> =>
        sendError(refusal as Error, request, reply),
      );
    }
    const answer = classify(error);
    if (answer.retryAfter !== undefined) {
      // A busy server's refusal: load, not a fault, so no stack trace; warn, as it is news.
      request.log.warn({ status: answer.status, retryAfter: answer.retryAfter }, answer.message);
    } else if (isServerFault(answer.status)) {
      request.log.error(
        { err: error, plugin: error instanceof FilterError ? error.plugin : undefined },
        'request failed',
      );
    } else {
      // The client's doing: no stack trace, so the real faults stand out in the log.
      request.log.info(
        { status: answer.status, code: answer.code, locator: answer.locator },
        answer.message,
      );
    }
    reply.code(answer.status);
    if (answer.retryAfter !== undefined) reply.header('retry-after', String(answer.retryAfter));
    if (ctx.kind === 'ows') {
      const serviceName = ctx.service ?? ctx.parameters.get('SERVICE');
      const service = serviceName === undefined ? undefined : registry.get(serviceName);
      const format = service?.exceptionFormat(ctx.version ?? ctx.parameters.get('VERSION'));
      const rendered = renderExceptionReport(
        format ?? { kind: 'ows', owsVersion: '1.1.0', reportVersion: '1.1.0' },
        answer,
      );
      return reply.type(rendered.contentType).send(rendered.body);
    }
    const body = problem(answer.status, answer.message, {
      ...(answer.type === undefined ? {} : { type: answer.type }),
      code: answer.code,
      ...(answer.locator === undefined ? {} : { locator: answer.locator }),
      instance: ctx.path,
    });
    return reply.type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  };
  app.setErrorHandler(sendError);
  // Errors raised before routing (a malformed percent-encoding in the path) take the same form.
  frameworkErrors.connect(sendError);

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    const allowed = routes.methodsAt(path);
    // A route that answers this method said "not found" itself (a static file that is absent).
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      throw new ServiceException(
        'OperationNotSupported',
        `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
        undefined,
        405,
      );
    }
    throw new ServiceException(
      'NotFound',
      `No resource at ${request.method} ${path}`,
      undefined,
      404,
    );
  });

  return contextOf;
}

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  locator: string | undefined;
  type: string | undefined;
  retryAfter?: number | undefined;
}

function classify(error: FastifyError | Error): ErrorAnswer {
  if (isServiceException(error)) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      locator: error.locator,
      type: error.type,
      retryAfter: error.retryAfter,
    };
  }
  const status = (error as FastifyError).statusCode;
  if (!(error instanceof FilterError) && status !== undefined && status >= 400 && status < 500) {
    // Fastify's own client errors (bad JSON, body too large, unsupported media type, schema
    // validation, bad URL) carry messages written for clients.
    return {
      status,
      code: (error as FastifyError).code ?? 'InvalidParameterValue',
      message: error.message,
      locator: undefined,
      type: undefined,
    };
  }
  return {
    status: 500,
    code: 'NoApplicableCode',
    message: 'Internal server error; the details are in the server log',
    locator: undefined,
    type: undefined,
  };
}

/** 501 is the client asking for what this server does not implement, not a server fault. */
function isServerFault(status: number): boolean {
  return status >= 500 && status !== 501;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function filterBuffered(
  ctx: RequestContext,
  chain: FilterChain,
  payload: string | Buffer | null | undefined,
  callback: (error: Error | null, body?: string | Buffer | null) => void,
): void {
  ctx.response.body = payload ?? null;
  const send = () => {
    const body = ctx.response.body;
    const entries = chain.sendResponse;
    if (entries === null || body === null) return callback(null, body);
    const chunk: ResponseChunk = { data: body, index: 0 };
    const run = runStage(entries, 'sendResponse', ctx, chunk);
    if (run === undefined) callback(null, chunk.data);
    else
      run.then(
        () => callback(null, chunk.data),
        (error: unknown) => callback(error as Error),
      );
  };
  try {
    const entries = chain.responseComplete;
    const run = entries === null ? undefined : runStage(entries, 'responseComplete', ctx);
    if (run === undefined) send();
    else
      run.then(
        () => {
          try {
            send();
          } catch (error) {
            callback(error as Error);
          }
        },
        (error: unknown) => callback(error as Error),
      );
  } catch (error) {
    callback(error as Error);
  }
}

function isNodeStream(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { pipe?: unknown }).pipe === 'function'
  );
}

/**
 * Calls the requestEnd filters once, when the Node response closes: after its last byte was
 * handed to the OS (`completed`), or when the connection went first (the client left, a stream
 * failed and the response was destroyed). Only requests that reached the filters are watched,
 * and only while some filter has the hook: otherwise this costs nothing.
 */
function watchRequestEnd(
  ctx: RequestContext,
  entries: readonly StageEntry[],
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const res = reply.raw;
  const bodyBytes = countBodyBytes(res);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const completed = res.writableFinished;
    const statusCode = !completed && !res.headersSent ? 499 : res.statusCode;
    const bodyless =
      request.method === 'HEAD' || statusCode === 204 || statusCode === 304 || statusCode < 200;
    void runRequestEnd(entries, ctx, {
      statusCode,
      bytes: bodyless ? 0 : bodyBytes(),
      completed,
      durationMs: reply.elapsedTime,
    });
  };
  res.once('close', end);
  // The connection may have closed before the request reached the filters (a client that left
  // while its body was read): 'close' has been emitted already.
  if (res.closed || res.destroyed) setImmediate(end);
}

/** Counts the body bytes written to `res` (Node writes headers and chunk framing itself). */
function countBodyBytes(res: ServerResponse): () => number {
  let bytes = 0;
  const add = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === 'string') {
      bytes += Buffer.byteLength(
        chunk,
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );
    } else if (chunk instanceof Uint8Array) {
      bytes += chunk.byteLength;
    }
  };
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    add(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    // end(callback) has no data; end(data, encoding?, callback?) writes it.
    if (typeof chunk !== 'function') add(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return () => bytes;
}
