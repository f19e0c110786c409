/**
 * `/`: the landing page. Browsers get the HTML page from public/; `?f=json` or an Accept header
 * preferring JSON gets the OGC API landing document with its links.
 */
import type { FastifyInstance } from 'fastify';
import { publicBaseUrl } from '../server/public-url.ts';
import type { RegisteredService } from '../services/service-registry.ts';

/** What the core's capabilities documents are served as (plugin services: application/xml). */
const CAPABILITIES_TYPE: Readonly<Record<string, string>> = { WMS: 'text/xml' };

/**
 * `services` lists the OWS services registered now (core and plugins): one `service` link each,
 * to its GetCapabilities when it has one, else to the service with its newest version.
 */
export function registerLandingRoutes(
  app: FastifyInstance,
  publicUrl: string | undefined,
  services: () => readonly RegisteredService[],
): void {
  app.get(
    '/',
    { schema: { summary: 'Landing page (HTML, or JSON with ?f=json)', tags: ['Capabilities'] } },
    async (request, reply) => {
      const { f } = request.query as { f?: string };
      const accept = request.headers.accept ?? '';
      const wantsJson =
        f === 'json' ||
        (f === undefined && /application\/json/.test(accept) && !/text\/html/.test(accept));
      if (!wantsJson) return reply.sendFile('index.html');
      const base = publicBaseUrl(request, publicUrl);
      return {
        title: 'Relief',
        description: `A plugin-extensible map server: ${services()
          .map((service) => service.name)
          .join(', ')} and OGC API – Processes`,
        links: [
          {
            href: `${base}/?f=json`,
            rel: 'self',
            type: 'application/json',
            title: 'This document',
          },
          { href: `${base}/`, rel: 'alternate', type: 'text/html', title: 'This page as HTML' },
          {
            href: `${base}/api`,
            rel: 'service-desc',
            type: 'application/vnd.oai.openapi+json;version=3.0',
            title: 'OpenAPI',
          },
          {
            href: `${base}/conformance`,
            rel: 'http://www.opengis.net/def/rel/ogc/1.0/conformance',
            type: 'application/json',
          },
          {
            href: `${base}/processes`,
            rel: 'http://www.opengis.net/def/rel/ogc/1.0/processes',
            type: 'application/json',
          },
          {
            href: `${base}/jobs`,
            rel: 'http://www.opengis.net/def/rel/ogc/1.0/job-list',
            type: 'application/json',
          },
          ...services().map((service) => ({
            href: service.operation('GetCapabilities')
              ? `${base}/ows?SERVICE=${service.name}&REQUEST=GetCapabilities`
              : `${base}/ows?SERVICE=${service.name}&VERSION=${service.versions.at(-1) ?? ''}`,
            rel: 'service',
            type: CAPABILITIES_TYPE[service.name] ?? 'application/xml',
            title: service.owner === 'core' ? service.name : `${service.title} (${service.owner})`,
          })),
        ],
      };
    },
  );
}
