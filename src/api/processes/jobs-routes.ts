/** `/jobs`: list, status (with long-poll), events, results and dismissal of jobs. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { publicBaseUrl } from '../../server/public-url.ts';
import {
  JOB_SORT_ORDERS,
  MAX_JOB_LIMIT,
  MAX_JOB_OFFSET,
  type JobSortOrder,
} from '../../tasks/job-store.ts';
import { PROBLEM_CONTENT_TYPE } from '../../errors/problem-details.ts';
import { ServiceException } from '../../errors/service-exception.ts';
import { JobStateError, type TaskEventType, type TaskManager } from '../../tasks/task-manager.ts';
import { FINAL_STATUSES, type JobRecord, type JobStatus } from '../../tasks/task-types.ts';
import { queryNumberSchema, readQueryNumber } from '../query-number.ts';
import { allJobsEventStream, jobEventStream } from './job-events.ts';
import { jobEndedProblem, noSuchJob, resultNotReady } from './ogc-problems.ts';
import { resolveResultLinks } from './result-links.ts';
import { type Link, removedStatusInfo, statusInfo } from './status-info.ts';

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

const LIST_PARAMETERS = new Set([
  'status',
  'processID',
  'group',
  'minPriority',
  'maxPriority',
  'createdAfter',
  'createdBefore',
  'sortBy',
  'limit',
  'offset',
]);
const PRIORITY_SCHEMA = {
  type: 'string',
  pattern: '^-?[0-9]{1,4}$',
  description: 'A job priority bound, inclusive: an integer from -1000 to 1000',
} as const;
// RFC 3339 date-time, the form OGC API uses: a date alone is not a point in time.
const TIME_SCHEMA = {
  type: 'string',
  maxLength: 40,
  pattern:
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$',
  description: 'An RFC 3339 date-time, e.g. 2026-12-06T10:00:00Z (exclusive bound)',
} as const;

function readPriority(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || Math.abs(value) > 1000) {
    throw new ServiceException(
      'InvalidParameterValue',
      `${name} must be an integer from -1000 to 1000`,
      name,
    );
  }
  return value;
}

/** As stored (UTC, toISOString), so that SQLite compares the text in time order. */
function readTime(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined) return undefined;
  const time = Date.parse(raw);
  if (Number.isNaN(time)) {
    throw new ServiceException('InvalidParameterValue', `${name} is not a valid date-time`, name);
  }
  return new Date(time).toISOString();
}

const EVENT_TYPES = [
  'job.accepted',
  'job.held',
  'job.started',
  'job.progress',
  'job.cancelling',
  'job.finished',
  'job.failed',
  'job.dismissed',
  'group.finished',
] as const satisfies readonly TaskEventType[];

const DEFAULT_DISMISS_WAIT_SECONDS = 5;
const DISMISS_WAIT = {
  minimum: 0,
  maximum: MAX_WAIT_SECONDS,
  fraction: true,
  description: `Seconds to wait for a running job to stop before answering (default ${DEFAULT_DISMISS_WAIT_SECONDS})`,
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
  /**
   * The job once it is final, or as it is after `seconds`; sooner if the client goes away or the
   * server begins to shut down.
   */
  const untilFinal = async (
    request: FastifyRequest,
    job: JobRecord,
    seconds: number,
  ): Promise<JobRecord> => {
    if (seconds <= 0 || FINAL_STATUSES.has(job.status)) return job;
    const abort = new AbortController();
    const onClose = () => abort.abort();
    request.raw.once('close', onClose);
    try {
      const signal = AbortSignal.any([abort.signal, stopping]);
      return (await tasks.waitForFinal(job.id, seconds * 1000, signal)) ?? job;
    } finally {
      request.raw.off('close', onClose);
    }
  };

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
            group: {
              type: 'array',
              maxItems: 100,
              items: { type: 'string', minLength: 1, maxLength: 100 },
              description: 'Jobs of these groups (repeat the parameter for several)',
            },
            minPriority: PRIORITY_SCHEMA,
            maxPriority: PRIORITY_SCHEMA,
            createdAfter: TIME_SCHEMA,
            createdBefore: TIME_SCHEMA,
            sortBy: {
              type: 'string',
              enum: [...JOB_SORT_ORDERS],
              description:
                'Order of the list; a leading - puts the newest or largest first (default -created)',
            },
            limit: queryNumberSchema(LIMIT),
            offset: queryNumberSchema(OFFSET),
          },
          additionalProperties: false,
        },
      },
      // A filter the server does not know would otherwise be a 400 naming only the first one:
      // name them all, so a client learns at once which of its filters are not applied.
      preValidation: async (request) => {
        const unknown = Object.keys(request.query as object).filter((k) => !LIST_PARAMETERS.has(k));
        if (unknown.length > 0) {
          throw new ServiceException(
            'InvalidParameterValue',
            `Unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown
              .slice(0, 10)
              .map((k) => JSON.stringify(k.slice(0, 100)))
              .join(', ')}; /jobs accepts ${[...LIST_PARAMETERS].join(', ')}`,
            unknown[0]!.slice(0, 100),
          );
        }
      },
    },
    async (request) => {
      const raw = request.query as {
        status?: JobStatus[];
        processID?: string[];
        group?: string[];
        minPriority?: string;
        maxPriority?: string;
        createdAfter?: string;
        createdBefore?: string;
        sortBy?: JobSortOrder;
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
      const minPriority = readPriority(raw.minPriority, 'minPriority');
      const maxPriority = readPriority(raw.maxPriority, 'maxPriority');
      const createdAfter = readTime(raw.createdAfter, 'createdAfter');
      const createdBefore = readTime(raw.createdBefore, 'createdBefore');
      const { jobs, total } = tasks.list({
        status,
        processId,
        group: raw.group,
        minPriority,
        maxPriority,
        createdAfter,
        createdBefore,
        sortBy: raw.sortBy,
        limit: query.limit,
        offset: query.offset,
      });
      const base = publicBaseUrl(request, publicUrl);
      const page = (offset: number) => {
        const params = new URLSearchParams();
        for (const s of status ?? []) params.append('status', s);
        for (const p of processId ?? []) params.append('processID', p);
        for (const g of raw.group ?? []) params.append('group', g);
        if (raw.minPriority !== undefined) params.set('minPriority', raw.minPriority);
        if (raw.maxPriority !== undefined) params.set('maxPriority', raw.maxPriority);
        if (raw.createdAfter !== undefined) params.set('createdAfter', raw.createdAfter);
        if (raw.createdBefore !== undefined) params.set('createdBefore', raw.createdBefore);
        if (raw.sortBy !== undefined) params.set('sortBy', raw.sortBy);
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
      if (wait !== undefined) job = await untilFinal(request, job, wait);
      return statusInfo(job, publicBaseUrl(request, publicUrl), {
        dependants: tasks.dependants(jobId),
        subtasks: tasks.subtasks(jobId),
      });
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
    '/jobs/events',
    {
      schema: {
        summary:
          'Server-sent events of every job (job.accepted, job.held, job.started, job.progress, job.cancelling, job.finished, job.failed, job.dismissed, group.finished), filtered',
        tags: ['Jobs'],
        querystring: {
          type: 'object',
          properties: {
            processID: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9,-]{1,640}$' } },
            group: {
              type: 'array',
              maxItems: 100,
              items: { type: 'string', minLength: 1, maxLength: 100 },
            },
            type: {
              type: 'array',
              items: { type: 'string', enum: [...EVENT_TYPES] },
              description: 'Only these events (repeat the parameter for several)',
            },
          },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const query = request.query as { processID?: string[]; group?: string[]; type?: string[] };
      const set = (values: string[] | undefined) =>
        values === undefined ? undefined : new Set(values.flatMap((v) => v.split(',')));
      reply.header('cache-control', 'no-cache').header('x-accel-buffering', 'no');
      return reply
        .type('text/event-stream; charset=utf-8')
        .send(
          allJobsEventStream(
            tasks,
            { processId: set(query.processID), group: set(query.group), type: set(query.type) },
            publicBaseUrl(request, publicUrl),
            stopping,
          ),
        );
    },
  );

  for (const action of ['hold', 'unhold'] as const) {
    app.post(
      `/jobs/:jobId/${action}`,
      {
        schema: {
          summary:
            action === 'hold'
              ? 'Put a queued job on hold: it keeps its place but is not started (409 unless queued)'
              : 'Release a held job: it starts in its turn (409 unless queued)',
          tags: ['Jobs'],
          params: { type: 'object', properties: { jobId: JOB_ID }, required: ['jobId'] },
        },
      },
      async (request) => {
        const { jobId } = request.params as { jobId: string };
        let job;
        try {
          job = action === 'hold' ? tasks.hold(jobId) : tasks.unhold(jobId);
        } catch (error) {
          if (error instanceof JobStateError) {
            throw new ServiceException('JobStateConflict', error.message, 'jobId', 409);
          }
          throw error;
        }
        if (job === undefined) throw noSuchJob(jobId);
        return statusInfo(job, publicBaseUrl(request, publicUrl));
      },
    );
  }

  app.get(
    '/jobs/:jobId/inputs',
    {
      schema: {
        summary:
          'The inputs a job runs with (validated and prepared: as its process received them)',
        tags: ['Jobs'],
        params: { type: 'object', properties: { jobId: JOB_ID }, required: ['jobId'] },
      },
    },
    async (request) => {
      const { jobId } = request.params as { jobId: string };
      const job = tasks.get(jobId);
      if (job === undefined) throw noSuchJob(jobId);
      return { processID: job.processId, inputs: job.input ?? {} };
    },
  );

  app.get(
    '/jobs/:jobId/results',
    {
      schema: {
        summary:
          'Results of a successful job; 404 result-not-ready while queued or running, the job error for a failed (500) or dismissed (410) job',
        tags: ['Jobs'],
        params: { type: 'object', properties: { jobId: JOB_ID }, required: ['jobId'] },
      },
    },
    async (request, reply) => {
      const { jobId } = request.params as { jobId: string };
      const job = tasks.get(jobId);
      if (job === undefined) throw noSuchJob(jobId);
      if (job.status === 'successful') {
        return resolveResultLinks(job.result ?? {}, publicBaseUrl(request, publicUrl));
      }
      if (job.status === 'failed' || job.status === 'dismissed') {
        // Not thrown: the job's error is the answer, with its own type, title and items, and no
        // fault of this request to log (docs/processes.md, "Answers by job state").
        const body = jobEndedProblem(job, request.url.split('?')[0] ?? request.url);
        return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
      }
      throw resultNotReady(job);
    },
  );

  app.delete(
    '/jobs/:jobId',
    {
      schema: {
        summary:
          'Dismiss a queued or running job (200 once it has stopped, 202 while it is still stopping); remove a finished job and its files',
        tags: ['Jobs'],
        params: { type: 'object', properties: { jobId: JOB_ID }, required: ['jobId'] },
        querystring: {
          type: 'object',
          properties: { wait: queryNumberSchema(DISMISS_WAIT) },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const { jobId } = request.params as { jobId: string };
      // Checked first: a bad parameter is a 400 whatever the job, as on GET /jobs/{jobId}.
      const wait = readQueryNumber(
        (request.query as { wait?: string }).wait,
        'wait',
        DISMISS_WAIT,
        DEFAULT_DISMISS_WAIT_SECONDS,
      );
      const job = tasks.get(jobId);
      if (job === undefined) throw noSuchJob(jobId);
      const base = publicBaseUrl(request, publicUrl);
      if (!FINAL_STATUSES.has(job.status)) {
        // A running job stops at its next chunk: usually at once, so the answer waits a little
        // for it to be really over rather than sending every client into a polling loop.
        const now = await untilFinal(request, tasks.cancel(jobId) ?? job, wait);
        if (!FINAL_STATUSES.has(now.status)) reply.code(202);
        return statusInfo(now, base);
      }
      return removedStatusInfo((await tasks.remove(jobId)) ?? job, base);
    },
  );
}
