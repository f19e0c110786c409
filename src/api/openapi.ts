/**
 * OpenAPI 3 from the route schemas themselves (@fastify/swagger), so the document cannot drift
 * from what the routes accept. Registered before any route, since it collects them as they are
 * declared.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { RELIEF_VERSION } from '../server/version.ts';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Relief',
        version: RELIEF_VERSION,
        description:
          'Relief map server: OGC API – Processes job API, plugin routes, health. OGC WMS/WCS/WFS are served at /ows.',
      },
      tags: [
        { name: 'Capabilities', description: 'Landing, conformance and API description' },
        { name: 'Processes', description: 'OGC API – Processes: processes and their execution' },
        { name: 'Jobs', description: 'OGC API – Processes: job status, results and dismissal' },
        {
          name: 'Operators',
          description: 'Queue control (pause, resume, drain, concurrency, dismiss a group or all)',
        },
      ],
      components: {
        securitySchemes: {
          adminToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'RELIEF_ADMIN_TOKEN; without the setting the operator routes answer 403',
          },
        },
      },
    },
  });
}
