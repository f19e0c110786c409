/**
 * The operator routes under /admin act on everybody's jobs, so they answer only requests that
 * carry RELIEF_ADMIN_TOKEN as a bearer token. Without the setting they are refused outright: an
 * operator turns them on deliberately. Tokens are compared through SHA-256 digests with
 * timingSafeEqual, so neither the length nor a prefix of the token leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceException } from '../../errors/service-exception.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

export function adminGuard(
  token: string | undefined,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const expected = token === undefined ? undefined : digest(token);
  return async (request, reply) => {
    if (expected === undefined) {
      throw new ServiceException(
        'Forbidden',
        'The operator API is turned off: set RELIEF_ADMIN_TOKEN to use it',
        undefined,
        403,
      );
    }
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer +(\S{1,512}) *$/i.exec(header);
    if (match === null || !timingSafeEqual(digest(match[1]!), expected)) {
      reply.header('www-authenticate', 'Bearer realm="relief-admin"');
      throw new ServiceException(
        'Unauthorized',
        'The operator API needs Authorization: Bearer <RELIEF_ADMIN_TOKEN>',
        'Authorization',
        401,
      );
    }
  };
}
