/**
 * One access line per request, written when the response ends or the client leaves: method,
 * redacted URL, status, response time, bytes (when the length is known), client address, and
 * the request id from the request's logger. Fastify's own pair ("incoming request" + "request
 * completed") is not written. Probes that succeed are logged at debug: an orchestrator asks
 * every few seconds and would bury the requests people make.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LogController } from 'fastify';
import { redactUrl } from './redact-secrets.ts';

/** Routes an orchestrator polls (liveness, readiness). */
const PROBE_ROUTES = new Set(['/health', '/ready']);

export class AccessLogController extends LogController {
  /** Replies whose line is written: a response that fails ('error') also closes. */
  readonly #written = new WeakSet<FastifyReply>();

  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    // 'finish' (requestCompleted) never comes for a response the client cut short (an SSE
    // stream closed by the browser, a download abandoned): then 'close' writes the line.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) this.#write(request, reply, undefined, true);
    });
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    this.#write(request, reply, error ?? undefined, false);
  }

  #write(request: FastifyRequest, reply: FastifyReply, error: Error | undefined, aborted: boolean) {
    if (this.#written.has(reply)) return;
    this.#written.add(reply);
    writeAccessLine(request, reply, error, aborted);
  }
}

function writeAccessLine(
  request: FastifyRequest,
  reply: FastifyReply,
  error: Error | undefined,
  aborted: boolean,
): void {
  // Nothing was sent to a client that left first: 499, as proxies log it (and the request loop).
  const status = aborted && !reply.raw.headersSent ? 499 : reply.statusCode;
  const length = reply.getHeader('content-length');
  const line = {
    method: request.method,
    url: redactUrl(request.url),
    status,
    responseTime: Math.round(reply.elapsedTime * 10) / 10,
    ...(length === undefined ? {} : { bytes: Number(length) }),
    remoteAddress: request.ip,
    ...(aborted ? { aborted } : {}),
  };
  const message = aborted ? 'request aborted' : 'request completed';
  if (error !== undefined) {
    reply.log.error({ ...line, err: error }, 'request failed while sending');
  } else if (status < 500 && PROBE_ROUTES.has(request.routeOptions.url ?? '')) {
    reply.log.debug(line, message);
  } else {
    reply.log.info(line, message);
  }
}
