/** `/conformance` and `/api`: what Relief claims to implement, and its OpenAPI document. */
import type { FastifyInstance } from 'fastify';

export const CONFORMANCE_CLASSES = [
  'http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/json',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/oas30',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/ogc-process-description',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/job-list',
  'http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/dismiss',
] as const;

export function registerConformanceRoutes(app: FastifyInstance): void {
  app.get(
    '/conformance',
    { schema: { summary: 'Conformance classes', tags: ['Capabilities'] } },
    async () => ({
      conformsTo: CONFORMANCE_CLASSES,
    }),
  );
  app.get(
    '/api',
    { schema: { summary: 'This OpenAPI 3 document', tags: ['Capabilities'] } },
    async (_request, reply) =>
      reply
        .type('application/vnd.oai.openapi+json;version=3.0')
        .send(JSON.stringify(app.swagger())),
  );
}
