import type { FastifyRequest } from 'fastify';

/** The base URL clients reach this server at: RELIEF_PUBLIC_URL, else from the request. */
export function publicBaseUrl(request: FastifyRequest, configured: string | undefined): string {
  return configured ?? `${request.protocol}://${request.host}`;
}
