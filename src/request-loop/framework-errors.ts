/**
 * Fastify takes its `frameworkErrors` handler (errors raised before routing, such as a path with
 * a malformed percent-encoding) as a constructor option, before the request loop that renders
 * errors exists; the relay is handed to both and forwards to the loop's renderer.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export type ErrorRenderer = (
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) => unknown;

export class FrameworkErrorRelay {
  #renderer: ErrorRenderer | undefined;

  /** The function to pass as Fastify's `frameworkErrors` option. */
  readonly handler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    if (this.#renderer === undefined) {
      reply.code(error.statusCode ?? 500).send();
      return;
    }
    this.#renderer(error, request, reply);
  };

  connect(renderer: ErrorRenderer): void {
    this.#renderer = renderer;
  }
}
