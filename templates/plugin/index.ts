/**
 * The __NAME__ plugin: a filter that stamps every answer, a route under /__NAME__, and work on
 * the server's worker pool (worker.ts). Start from here; docs/plugins.md in Relief has the rest.
 */
import { definePlugin, moduleUrl, z } from 'relief';

const WORKER = moduleUrl('./worker.ts', import.meta.url);

const configSchema = z
  .object({
    /** The value of the X-__NAME__ header the filter adds. */
    stamp: z.string().min(1).max(40).default('__NAME__'),
  })
  .strict();

export default definePlugin({
  configSchema,
  register(relief) {
    relief.registerFilter({
      responseComplete(ctx) {
        ctx.response.setHeader('x-__NAME__', relief.config.stamp);
      },
    });

    relief.registerRoutes(async (app) => {
      // GET /__NAME__/tiles?lat=46.5&lon=7.5 → the HGT tile holding that point, named on the pool.
      app.get(
        '/tiles',
        {
          schema: {
            querystring: {
              type: 'object',
              required: ['lat', 'lon'],
              properties: {
                lat: { type: 'number', minimum: -90, maximum: 90 },
                lon: { type: 'number', minimum: -180, maximum: 180 },
              },
              additionalProperties: false,
            },
          },
        },
        async (request, reply) => {
          const { lat, lon } = request.query as { lat: number; lon: number };
          const signal = relief.requestSignal(request, reply);
          return relief.pool.run(WORKER, 'tileOf', { lat, lon }, { signal });
        },
      );
    });
    relief.log.info({ stamp: relief.config.stamp }, '__NAME__ plugin ready');
  },
});
