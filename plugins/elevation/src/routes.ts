/**
 * HTTP for the elevation plugin, mounted under `/elevation`:
 * - `POST /elevation` (GeoJSON body, optional `?crs=EPSG:3857`, `?repair=true`): the same as
 *   executing the `elevation-tiles` process; 201 with the job's Location and status (and the
 *   `repairs` made, if any);
 * - `GET /elevation/tiles/N46/N46E007.hgt`: cached tiles, with ETag and Range (@fastify/static);
 * - `GET /elevation/jobs/{jobId}/mosaic.tif|preview.png`: a job's products.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ServiceException, submitErrorStatus, TaskSubmitError, type PluginApi } from 'relief';
import type { ElevationConfig } from './config.ts';
import { type ElevationJobInput, PROCESS_ID } from './elevation-task.ts';

const CRS_PARAMETER = /^[A-Za-z0-9:._/-]{1,200}$/;

export function elevationRoutes(
  relief: PluginApi<ElevationConfig>,
  paths: { tilesRoot: string; jobsRoot: string },
) {
  return async (app: FastifyInstance): Promise<void> => {
    // GeoJSON's own media type (RFC 7946) is parsed by the core, like every `+json` type, with
    // its nesting-depth bound; the route's bodyLimit applies.
    app.post(
      '/',
      {
        bodyLimit: relief.config.maxBodyBytes,
        schema: {
          summary:
            'Submit an elevation job for a GeoJSON polygon (same as executing elevation-tiles)',
          tags: ['Elevation'],
          querystring: {
            type: 'object',
            properties: {
              crs: { type: 'string', pattern: CRS_PARAMETER.source },
              repair: {
                type: 'string',
                enum: ['true', 'false'],
                description: 'Repair an invalid polygon instead of refusing it (default false)',
              },
            },
            additionalProperties: false,
          },
        },
      },
      async (request, reply) => {
        const { crs, repair } = request.query as { crs?: string; repair?: 'true' | 'false' };
        if (request.body === undefined || request.body === null) {
          throw new ServiceException(
            'InvalidParameterValue',
            'The body must be a GeoJSON polygon',
            'body',
          );
        }
        let job;
        try {
          job = await relief.tasks.execute(
            PROCESS_ID,
            {
              geometry: request.body,
              ...(crs === undefined ? {} : { crs }),
              ...(repair === 'true' ? { repair: true } : {}),
            },
            // The polygon's check on the pool is dropped if the client goes away meanwhile.
            { signal: relief.requestSignal(request, reply) },
          );
        } catch (error) {
          if (error instanceof TaskSubmitError) {
            const status = submitErrorStatus(error);
            if (status >= 500) {
              throw new ServiceException('ServiceUnavailable', error.message, undefined, status);
            }
            const locator = error.locator?.replace(/^geometry\.?/, '') || 'body';
            throw new ServiceException('InvalidParameterValue', error.message, locator, status);
          }
          throw error;
        }
        const { area } = job.input as ElevationJobInput;
        const status = {
          ...relief.jobStatus(job, request),
          ...(area?.repairs === undefined ? {} : { repairs: area.repairs }),
        };
        reply.code(201).header('location', `${relief.baseUrl(request)}/jobs/${job.id}`);
        return status;
      },
    );

    await app.register(fastifyStatic, {
      root: paths.tilesRoot,
      prefix: '/tiles/',
      decorateReply: false,
      index: false,
      list: false,
      // Only finished tiles: never temporaries or no-data markers.
      allowedPath: (path) => /^\/[NS]\d{2}\/[NS]\d{2}[EW]\d{3}\.hgt$/.test(path),
      setHeaders: (reply) => void reply.header('content-type', 'application/octet-stream'),
    });
    await app.register(fastifyStatic, {
      root: paths.jobsRoot,
      prefix: '/jobs/',
      decorateReply: false,
      index: false,
      list: false,
      allowedPath: (path) => /^\/[0-9a-f-]{36}\/(mosaic\.tif|preview\.png)$/.test(path),
      setHeaders: (reply, path) => {
        if (path.endsWith('.tif')) reply.header('content-type', 'image/tiff; application=geotiff');
      },
    });
  };
}
