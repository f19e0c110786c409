/**
 * The exception types of OGC API – Processes – Part 1 (section 7.5 and the requirements on each
 * resource), as RFC 9457 problem types. They are thrown as ServiceExceptions, so the request loop
 * renders them as problem+json like every other REST error.
 */
import { ServiceException } from '../../errors/service-exception.ts';

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

export const resultNotReady = (id: string, status: string) =>
  new ServiceException(
    'result-not-ready',
    `Job ${id} is ${status}; its results are not ready yet`,
    'jobId',
    404,
    {
      type: `${BASE}/result-not-ready`,
    },
  );

export const jobFailed = (id: string, message: string) =>
  new ServiceException('job-results-failed', `Job ${id} failed: ${message}`, 'jobId', 500, {
    type: `${BASE}/job-results-failed`,
  });

export const invalidParameter = (message: string, locator?: string) =>
  new ServiceException('InvalidParameterValue', message, locator, 400, {
    type: `${BASE}/invalid-parameter`,
  });
