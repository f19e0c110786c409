/**
 * Refuses, before any handler runs, a request whose host (Host, or X-Forwarded-Host from a trusted
 * proxy) is malformed or not in RELIEF_ALLOWED_HOSTS, and a forwarded protocol other than http or
 * https: both end up in the URLs the server writes. Routes that write no URL and must answer
 * whatever a probe sends (`/health`, `/ready`) opt out with `config: { anyHost: true }`.
 */
import type { FastifyInstance } from 'fastify';
import { ServiceException } from '../errors/service-exception.ts';
import { parseHostPattern, refuseHost, type HostPattern } from './allowed-hosts.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answer whatever Host the request names (health probes); the route writes no URL. */
    anyHost?: boolean;
  }
}

export function installHostCheck(
  app: FastifyInstance,
  options: { allowedHosts: readonly string[] | undefined },
): void {
  const allowed: HostPattern[] | undefined = options.allowedHosts?.map((entry) => {
    const pattern = parseHostPattern(entry);
    if (pattern === undefined) throw new TypeError(`Invalid allowed host "${entry}"`);
    return pattern;
  });
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.config?.anyHost === true) return done();
    // Node keeps the first of several Host headers; a proxy may have routed on another one.
    if (countHostHeaders(request.raw.rawHeaders) > 1) {
      return done(
        new ServiceException(
          'InvalidParameterValue',
          'The request has more than one Host',
          'Host',
          400,
        ),
      );
    }
    const reason = refuseHost(request.host, allowed);
    if (reason !== undefined) {
      return done(new ServiceException('InvalidParameterValue', reason, 'Host', 400));
    }
    const protocol = request.protocol as string;
    if (protocol !== 'http' && protocol !== 'https') {
      return done(
        new ServiceException(
          'InvalidParameterValue',
          'X-Forwarded-Proto must be http or https',
          'X-Forwarded-Proto',
          400,
        ),
      );
    }
    done();
  });
}

function countHostHeaders(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === 'host') count++;
  }
  return count;
}
