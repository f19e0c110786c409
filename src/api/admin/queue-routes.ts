/**
 * Queue control for operators: read the queue, pause and resume it, drain it before
 * maintenance, change how many jobs run at once, dismiss a group or everything. Behind
 * adminGuard (RELIEF_ADMIN_TOKEN). Plugins reach the same through `relief.tasks`.
 */
import type { FastifyInstance } from 'fastify';
import type { TaskManager } from '../../tasks/task-manager.ts';
import { MAX_CONCURRENCY } from '../../tasks/task-manager.ts';
import { queryNumberSchema, readQueryNumber } from '../query-number.ts';
import { adminGuard } from './admin-auth.ts';

export interface QueueRoutesOptions {
  tasks: TaskManager;
  adminToken: string | undefined;
  /** Aborts when the server begins to shut down: a drain waiting for jobs answers at once. */
  stopping: AbortSignal;
}

const DRAIN_WAIT = {
  minimum: 0,
  maximum: 3600,
  fraction: true,
  description: 'Seconds to wait for the running jobs to end (default 0: answer at once)',
};
const GROUP = { type: 'string', minLength: 1, maxLength: 100 } as const;
const NO_QUERY = { type: 'object', properties: {}, additionalProperties: false } as const;

/** The queue's state as operators see it. */
function queueState(tasks: TaskManager) {
  const { queued, running, cancelling, paused, maxConcurrent } = tasks.stats;
  return {
    state: paused ? (running > 0 ? 'draining' : 'paused') : 'running',
    paused,
    queued,
    running,
    cancelling,
    maxConcurrent,
  };
}

export function registerQueueRoutes(
  app: FastifyInstance,
  { tasks, adminToken, stopping }: QueueRoutesOptions,
): void {
  const preHandler = adminGuard(adminToken);
  const tags = ['Operators'];
  const security = [{ adminToken: [] }];

  app.get(
    '/admin/queue',
    {
      preHandler,
      schema: { summary: 'State of the job queue', tags, security, querystring: NO_QUERY },
    },
    async () => queueState(tasks),
  );

  const switches = [
    {
      action: 'pause',
      summary: 'Start no more jobs (running ones go on; new ones are accepted and wait)',
      apply: () => tasks.pause(),
    },
    { action: 'resume', summary: 'Start jobs again', apply: () => tasks.resume() },
  ];
  for (const { action, summary, apply } of switches) {
    app.post(
      `/admin/queue/${action}`,
      { preHandler, schema: { summary, tags, security, querystring: NO_QUERY } },
      async (request) => {
        apply();
        request.log.warn(`job queue ${action}d by an operator`);
        return queueState(tasks);
      },
    );
  }

  app.post(
    '/admin/queue/drain',
    {
      preHandler,
      schema: {
        summary:
          'Pause the queue and wait (up to ?wait seconds) for running jobs to end: 200 when none runs, 202 while some still do',
        tags,
        security,
        querystring: {
          type: 'object',
          properties: { wait: queryNumberSchema(DRAIN_WAIT) },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const wait = readQueryNumber(
        (request.query as { wait?: string }).wait,
        'wait',
        DRAIN_WAIT,
        0,
      );
      request.log.warn({ waitSeconds: wait }, 'job queue drained by an operator');
      const abort = new AbortController();
      const onClose = () => abort.abort();
      request.raw.once('close', onClose);
      try {
        const drained = await tasks.drain(wait * 1000, AbortSignal.any([abort.signal, stopping]));
        if (!drained) reply.code(202);
      } finally {
        request.raw.off('close', onClose);
      }
      return queueState(tasks);
    },
  );

  app.put(
    '/admin/queue/concurrency',
    {
      preHandler,
      schema: {
        summary: 'How many jobs run at once, from now on (until the next start)',
        tags,
        security,
        querystring: NO_QUERY,
        body: {
          type: 'object',
          properties: {
            maxConcurrent: { type: 'integer', minimum: 1, maximum: MAX_CONCURRENCY },
          },
          required: ['maxConcurrent'],
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const { maxConcurrent } = request.body as { maxConcurrent: number };
      tasks.setMaxConcurrent(maxConcurrent);
      request.log.warn({ maxConcurrent }, 'job concurrency changed by an operator');
      return queueState(tasks);
    },
  );

  app.delete(
    '/admin/queue/jobs',
    {
      preHandler,
      schema: {
        summary: 'Dismiss every queued and running job',
        tags,
        security,
        querystring: NO_QUERY,
      },
    },
    async (request) => {
      const dismissed = tasks.cancelAll('Dismissed by an operator with the whole queue');
      request.log.warn({ dismissed }, 'all jobs dismissed by an operator');
      return { dismissed, ...queueState(tasks) };
    },
  );

  app.delete(
    '/admin/groups/:group',
    {
      preHandler,
      schema: {
        summary: 'Dismiss every queued and running job of a group',
        tags,
        security,
        params: { type: 'object', properties: { group: GROUP }, required: ['group'] },
        querystring: NO_QUERY,
      },
    },
    async (request) => {
      const { group } = request.params as { group: string };
      const dismissed = tasks.cancelGroup(group);
      request.log.warn({ group, dismissed }, 'job group dismissed by an operator');
      return { group, dismissed, ...queueState(tasks) };
    },
  );
}
