import type { FastifyInstance } from 'fastify';
import type { PluginRecord } from './plugin-record.ts';

/** `GET /plugins`: every plugin found, loaded or failed, with the reason for a failure. */
export function registerPluginRoutes(
  app: FastifyInstance,
  records: () => readonly PluginRecord[],
): void {
  app.get('/plugins', async () => ({
    // The folder is left out: it tells clients about the server's file system.
    plugins: records().map(({ folder: _folder, routePrefixes, ...rest }) => ({
      ...rest,
      routes: routePrefixes,
    })),
  }));
}
