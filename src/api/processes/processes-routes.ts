/** `/processes`: the registered task types and their execution (OGC API – Processes – Part 1). */
import type { FastifyInstance } from 'fastify';
import type { ContextAccessor } from '../../request-loop/install-request-loop.ts';
import { ServiceException } from '../../errors/service-exception.ts';
import { publicBaseUrl } from '../../server/public-url.ts';
import { submitErrorStatus, TaskSubmitError } from '../../tasks/task-errors.ts';
import { resolveResultLinks } from './result-links.ts';
import type { TaskManager } from '../../tasks/task-manager.ts';
import type { ExecuteOptions } from '../../tasks/task-types.ts';
import { MAX_WAIT_SECONDS } from './jobs-routes.ts';
import { invalidParameter, noSuchProcess } from './ogc-problems.ts';
import { jobControlOptions, processDescription, processSummary } from './process-description.ts';
import { statusInfo } from './status-info.ts';

const PROCESS_ID = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' } as const;

export interface ProcessesRoutesOptions {
  tasks: TaskManager;
  publicUrl: string | undefined;
  /** For the request's signal: a process's `prepare` step stops when the client goes away. */
  contextOf: ContextAccessor;
  /** Aborts when the server begins to shut down: a `Prefer: wait` answers with the job as it is. */
  stopping: AbortSignal;
}

interface ExecuteRequest {
  inputs?: Record<string, unknown>;
  priority?: number;
  group?: string;
  dependsOn?: string[];
}

export function registerProcessesRoutes(
  app: FastifyInstance,
  { tasks, publicUrl, contextOf, stopping }: ProcessesRoutesOptions,
): void {
  app.get(
    '/processes',
    { schema: { summary: 'The processes this server can run', tags: ['Processes'] } },
    async (request) => {
      const base = publicBaseUrl(request, publicUrl);
      return {
        processes: tasks.types().map((type) => processSummary(type, base)),
        links: [{ href: `${base}/processes`, rel: 'self', type: 'application/json' }],
      };
    },
  );

  app.get(
    '/processes/:processId',
    {
      schema: {
        summary: 'Inputs and outputs of a process',
        tags: ['Processes'],
        params: { type: 'object', properties: { processId: PROCESS_ID }, required: ['processId'] },
      },
    },
    async (request) => {
      const { processId } = request.params as { processId: string };
      const type = tasks.type(processId);
      if (type === undefined) throw noSuchProcess(processId);
      return processDescription(type, publicBaseUrl(request, publicUrl));
    },
  );

  app.post(
    '/processes/:processId/execution',
    {
      schema: {
        summary:
          'Run a process. Asynchronous: 201 with Location of the job. A process that allows sync-execute answers with its results when the client sends `Prefer: wait=SECONDS` and the job ends in time.',
        tags: ['Processes'],
        params: { type: 'object', properties: { processId: PROCESS_ID }, required: ['processId'] },
        body: {
          type: 'object',
          properties: {
            inputs: { type: 'object' },
            outputs: { type: 'object' },
            response: { type: 'string', enum: ['document', 'raw'] },
            subscriber: { type: 'object' },
            priority: {
              type: 'integer',
              minimum: -1000,
              maximum: 1000,
              description: 'Relief: higher runs first',
            },
            group: {
              type: 'string',
              minLength: 1,
              maxLength: 100,
              description: 'Relief: a group to cancel together',
            },
            dependsOn: {
              type: 'array',
              maxItems: 100,
              items: { type: 'string', maxLength: 36 },
              description: 'Relief: jobs that must succeed first; their results reach this one',
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { processId } = request.params as { processId: string };
      const body = (request.body ?? {}) as ExecuteRequest;
      const type = tasks.type(processId);
      if (type === undefined) throw noSuchProcess(processId);
      const options: ExecuteOptions = {
        signal: contextOf(request, reply).signal,
        ...(body.priority === undefined ? {} : { priority: body.priority }),
        ...(body.group === undefined ? {} : { group: body.group }),
        ...(body.dependsOn === undefined ? {} : { dependsOn: body.dependsOn }),
      };
      let job;
      try {
        job = await tasks.execute(processId, body.inputs ?? {}, options);
      } catch (error) {
        if (error instanceof TaskSubmitError) {
          if (error.kind === 'no-such-process') throw noSuchProcess(processId);
          const status = submitErrorStatus(error);
          if (status >= 500) {
            throw new ServiceException('ServiceUnavailable', error.message, undefined, status);
          }
          throw invalidParameter(
            error.message,
            error.locator === undefined ? 'inputs' : `inputs.${error.locator}`,
          );
        }
        throw error;
      }
      const base = publicBaseUrl(request, publicUrl);
      const prefer = request.headers.prefer;
      const wait = preferredWait(Array.isArray(prefer) ? prefer.join(',') : prefer);
      if (wait !== undefined && jobControlOptions(type).includes('sync-execute')) {
        const finished = await tasks.waitForFinal(job.id, wait * 1000, stopping);
        if (finished?.status === 'successful') {
          reply.header('preference-applied', `wait=${wait}`);
          reply.header('location', `${base}/jobs/${job.id}`);
          return resolveResultLinks(finished.result ?? {}, base);
        }
        job = finished ?? job;
      }
      reply.code(201).header('location', `${base}/jobs/${job.id}`);
      return statusInfo(job, base);
    },
  );
}

/** `Prefer: wait=N` (RFC 7240) → N seconds, capped; undefined when absent or malformed. */
function preferredWait(prefer: string | undefined): number | undefined {
  const match = prefer === undefined ? null : /(?:^|[,;\s])wait=(\d+)/i.exec(prefer);
  return match ? Math.min(Number(match[1]), MAX_WAIT_SECONDS) : undefined;
}
