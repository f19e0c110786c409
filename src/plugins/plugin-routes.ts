import type { FastifyInstance } from 'fastify';
import type { PluginRecord } from './plugin-record.ts';

/** `GET /plugins`: every plugin found, loaded or failed, with the reason for a failure. */
export function registerPluginRoutes(
  app: FastifyInstance,
  records: () => readonly PluginRecord[],
): void {
  app.get('/plugins', async () => ({
    plugins: records().map(
      ({
        name,
        version,
        description,
        status,
        error,
        filters,
        services,
        processes,
        routePrefixes,
      }) => ({
        name,
        version,
        description,
        status,
        error,
        filters,
        services,
        processes,
        routes: routePrefixes,
      }),
    ),
  }));
}
