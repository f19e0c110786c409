/**
 * The exception types of OGC API – Processes – Part 1 (section 7.5 and the requirements on each
 * resource), as RFC 9457 problem types. They are thrown as ServiceExceptions, so the request loop
 * renders them as problem+json like every other REST error; except the results of a job that
 * ended without any, which are the job's own error (jobEndedProblem).
 */
import { problem, type ProblemDetails } from '../../errors/problem-details.ts';
import { ServiceException } from '../../errors/service-exception.ts';
import type { JobRecord } from '../../tasks/task-types.ts';
import { jobError } from './status-info.ts';

const BASE = 'http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0';

export const noSuchProcess = (id: string) =>
  new ServiceException(
    'no-such-process',
    `No process "${id}"; GET /processes lists them`,
    'processId',
    404,
    {
      type: `${BASE}/no-such-process`,
    },
  );

export const noSuchJob = (id: string) =>
  new ServiceException('no-such-job', `No job "${id}"`, 'jobId', 404, {
    type: `${BASE}/no-such-job`,
  });

/** A queued or running job (/req/core/job-results-exception/results-not-ready). */
export const resultNotReady = (job: JobRecord) =>
  new ServiceException(
    'result-not-ready',
    job.status === 'running' && job.cancelRequested !== null
      ? `Job ${job.id} is being cancelled; it will end dismissed, without results`
      : `Job ${job.id} is ${job.status}${job.held && job.status === 'accepted' ? ' (held)' : ''}; its results are not ready yet`,
    'jobId',
    404,
    {
      type: `${BASE}/result-not-ready`,
    },
  );

/**
 * `GET /jobs/{id}/results` of a job that ended without results: its error, as its status
 * document shows it (`type` urn:relief:job-problem:…, title, detail, items), so the `type` tells
 * the reason as /req/core/job-results-failed asks. A failed job answers 500 (the process could
 * not produce its results), a dismissed one 410 Gone (its results will never exist).
 */
export function jobEndedProblem(job: JobRecord, instance: string): ProblemDetails {
  const failed = job.status === 'failed';
  const error = jobError(job) ?? { type: 'about:blank', title: 'No results', detail: job.message };
  return problem(failed ? 500 : 410, error.detail, {
    type: error.type,
    title: error.title,
    code: failed ? 'job-results-failed' : 'job-dismissed',
    locator: 'jobId',
    instance,
    jobID: job.id,
    ...(error.items === undefined ? {} : { items: error.items }),
  });
}

export const invalidParameter = (message: string, locator?: string) =>
  new ServiceException('InvalidParameterValue', message, locator, 400, {
    type: `${BASE}/invalid-parameter`,
  });
