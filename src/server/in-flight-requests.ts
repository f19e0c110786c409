/**
 * The requests being answered right now, so that a shutdown that has to cut connections can say
 * which requests it cut. A request is named by its route pattern, not its URL: a query string may
 * carry a credential.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface InFlightRequest {
  method: string;
  /** The route pattern (`/jobs/:jobId/events`), or null when no route matched. */
  route: string | null;
  requestId: string;
  /** How long the request had been running, in milliseconds. */
  elapsedMs: number;
}

/** Installs the tracking; the returned function lists the requests in flight. */
export function trackInFlightRequests(app: FastifyInstance): () => InFlightRequest[] {
  const open = new Set<FastifyReply>();
  app.addHook('onRequest', (_request, reply, done) => {
    open.add(reply);
    // 'close' comes once the response has ended, whether it finished or its connection was cut.
    reply.raw.once('close', () => open.delete(reply));
    done();
  });
  return () =>
    [...open].map((reply) => ({
      method: reply.request.method,
      route: reply.request.routeOptions.url ?? null,
      requestId: reply.request.id,
      elapsedMs: Math.round(reply.elapsedTime),
    }));
}
