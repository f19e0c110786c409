/** `/jobs`: list, status (with long-poll), events, results and dismissal of jobs. */
import type { FastifyInstance } from 'fastify';
import { publicBaseUrl } from '../../server/public-url.ts';
import { MAX_JOB_LIMIT, MAX_JOB_OFFSET } from '../../tasks/job-store.ts';
import type { TaskManager } from '../../tasks/task-manager.ts';
import { FINAL_STATUSES, type JobStatus } from '../../tasks/task-types.ts';
import { queryNumberSchema, readQueryNumber } from '../query-number.ts';
import { jobEventStream } from './job-events.ts';
import { jobFailed, noSuchJob, resultNotReady } from './ogc-problems.ts';
import { resolveResultLinks } from './result-links.ts';
import { type Link, statusInfo } from './status-info.ts';

const JOB_ID = {
  type: 'string',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
} as const;
const STATUSES: JobStatus[] = ['accepted', 'running', 'successful', 'failed', 'dismissed'];
const ANY_STATUS = STATUSES.join('|');
export const MAX_WAIT_SECONDS = 60;
const LIMIT = {
  minimum: 1,
  maximum: MAX_JOB_LIMIT,
  description: 'Most jobs in one page (default 10)',
};
const OFFSET = { minimum: 0, maximum: MAX_JOB_OFFSET, description: 'Jobs to skip (default 0)' };
const WAIT = {
  minimum: 0,
  maximum: MAX_WAIT_SECONDS,
  fraction: true,
  description: 'Seconds to wait for the job to end',
};

export interface JobsRoutesOptions {
  tasks: TaskManager;
  publicUrl: string | undefined;
  /** Aborts when the server begins to shut down: long polls answer, event streams end. */
  stopping: AbortSignal;
}

export function registerJobsRoutes(
  app: FastifyInstance,
  { tasks, publicUrl, stopping }: JobsRoutesOptions,
): void {
  app.get(
    '/jobs',
    {
      schema: {
        summary: 'List jobs, newest first',
        tags: ['Jobs'],
        querystring: {
          type: 'object',
          properties: {
            // OGC API – Processes uses form style without explode: `status=running,accepted`;
            // repeated parameters are accepted too.
            status: {
              type: 'array',
              items: { type: 'string', pattern: `^(${ANY_STATUS})(,(${ANY_STATUS}))*$` },
            },
            processID: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9,-]{1,640}$' } },
            limit: queryNumberSchema(LIMIT),
            offset: queryNumberSchema(OFFSET),
          },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const raw = request.query as {
        status?: JobStatus[];
        processID?: string[];
        limit?: string;
        offset?: string;
      };
      const query = {
        ...raw,
        limit: readQueryNumber(raw.limit, 'limit', LIMIT, 10),
        offset: readQueryNumber(raw.offset, 'offset', OFFSET, 0),
      };
      const status = query.status?.flatMap((s) => s.split(',')) as JobStatus[] | undefined;
      const processId = query.processID?.flatMap((s) => s.split(','));
      const { jobs, total } = tasks.list({
        status,
        processId,
        limit: query.limit,
        offset: query.offset,
      });
      const base = publicBaseUrl(request, publicUrl);
      const page = (offset: number) => {
        const params = new URLSearchParams();
        for (const s of status ?? []) params.append('status', s);
        for (const p of processId ?? []) params.append('processID', p);
        params.set('limit', String(query.limit));
        params.set('offset', String(offset));
        return `${base}/jobs?${params.toString()}`;
      };
      const links: Link[] = [{ href: page(query.offset), rel: 'self', type: 'application/json' }];
      if (query.offset + query.limit < total)
        links.push({
          href: page(query.offset + query.limit),
          rel: 'next',
          type: 'application/json',
        });
      if (query.offset > 0)
        links.push({
          href: page(Math.max(0, query.offset - query.limit)),
          rel: 'prev',
          type: 'application/json',
        });
      return {
        jobs: jobs.map((job) => statusInfo(job, base)),
        numberMatched: total,
        numberReturned: jobs.length,
        links,
      };
    },
  );

  app.get(
    '/jobs/:jobId',
    {
      schema: {
        summary:
          'Status of a job; with wait=SECONDS, answers as soon as the job ends or the wait runs out',
        tags: ['Jobs'],
        params: { type: 'object', properties: { jobId: JOB_ID }, required: ['jobId'] },
        querystring: {
          type: 'object',
          properties: { wait: queryNumberSchema(WAIT) },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const { jobId } = request.params as { jobId: string };
      const wait = readQueryNumber((request.query as { wait?: string }).wait, 'wait', WAIT);
      let job = tasks.get(jobId);
      if (job === undefined) throw noSuchJob(jobId);
      if (wait !== undefined && wait > 0 && !FINAL_STATUSES.has(job.status)) {
        const abort = new AbortController();
        const onClose = () => abort.abort();
        request.raw.once('close', onClose);
        try {
          const signal = AbortSignal.any([abort.signal, stopping]);
          job = (await tasks.waitForFinal(jobId, wait * 1000, signal)) ?? job;
        } finally {
          request.raw.off('close', onClose);
        }
      }
      return statusInfo(job, publicBaseUrl(request, publicUrl));
    },
  );

  app.get(
    '/jobs/:jobId/events',
    {
      schema: {
        summary:
          'Server-sent events with every state change and progress update, ending with the job',
        tags: ['Jobs'],
        params: { type: 'object', properties: { jobId: JOB_ID }, required: ['jobId'] },
      },
    },
    async (request, reply) => {
      const { jobId } = request.params as { jobId: string };
      const job = tasks.get(jobId);
      if (job === undefined) throw noSuchJob(jobId);
      reply.header('cache-control', 'no-cache').header('x-accel-buffering', 'no');
      return reply
        .type('text/event-stream; charset=utf-8')
        .send(jobEventStream(tasks, job, publicBaseUrl(request, publicUrl), stopping));
    },
  );

  app.get(
    '/jobs/:jobId/results',
    {
      schema: {
        summary: 'Results of a successful job',
        tags: ['Jobs'],
        params: { type: 'object', properties: { jobId: JOB_ID }, required: ['jobId'] },
      },
    },
    async (request) => {
      const { jobId } = request.params as { jobId: string };
      const job = tasks.get(jobId);
      if (job === undefined || job.status === 'dismissed') throw noSuchJob(jobId);
      if (job.status === 'failed') throw jobFailed(jobId, job.error ?? 'unknown error');
      if (job.status !== 'successful') throw resultNotReady(jobId, job.status);
      return resolveResultLinks(job.result ?? {}, publicBaseUrl(request, publicUrl));
    },
  );

  app.delete(
    '/jobs/:jobId',
    {
      schema: {
        summary: 'Dismiss a queued or running job; remove a finished job and its files',
        tags: ['Jobs'],
        params: { type: 'object', properties: { jobId: JOB_ID }, required: ['jobId'] },
      },
    },
    async (request) => {
      const { jobId } = request.params as { jobId: string };
      const job = tasks.get(jobId);
      if (job === undefined) throw noSuchJob(jobId);
      const base = publicBaseUrl(request, publicUrl);
      if (!FINAL_STATUSES.has(job.status)) {
        return statusInfo(tasks.cancel(jobId) ?? job, base);
      }
      const removed = (await tasks.remove(jobId)) ?? job;
      return {
        ...statusInfo(removed, base),
        status: 'dismissed',
        message: 'Job and its results removed',
      };
    },
  );
}
