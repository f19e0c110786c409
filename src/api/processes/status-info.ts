/** Job records as OGC API – Processes statusInfo documents (statusInfo.yaml), with links. */
import { jobProblem, type JobProblem } from '../../tasks/task-errors.ts';
import type { JobRecord } from '../../tasks/task-types.ts';

export const RESULTS_REL = 'http://www.opengis.net/def/rel/ogc/1.0/results';

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
}

export interface StatusInfo {
  processID: string;
  type: 'process';
  jobID: string;
  status: JobRecord['status'];
  message: string;
  created: string;
  started?: string;
  finished?: string;
  updated: string;
  /**
   * 0-100, never decreasing, 100 only when successful. Absent while the job is queued: it has
   * no progress yet, and OGC's statusInfo schema allows no null here.
   */
  progress?: number;
  /** Relief: the job's priority, group and the jobs it depends on (execute request options). */
  priority: number;
  group?: string;
  dependsOn: string[];
  /** Relief, in a single job's document: the jobs that depend on this one. */
  dependants?: string[];
  /** Relief: the job that spawned this one as a subtask. */
  parentID?: string;
  /** Relief, in a single job's document: the subtasks this job spawned. */
  subtasks?: string[];
  /** Relief: why a failed or dismissed job ended, as RFC 9457 problem details. */
  error?: JobProblem;
  /**
   * Present (true) while a running job is being cancelled: it is 'dismissed' only once its work
   * has really stopped (docs/processes.md, "Cancelling").
   */
  cancelling?: true;
  /** Present (true) while a queued job is on hold: it is not started until released. */
  held?: true;
  links: Link[];
}

/** `dependants` is given for a single job's document (a query per job would cost a listing). */
export function statusInfo(
  job: JobRecord,
  base: string,
  related?: { dependants: string[]; subtasks: string[] },
): StatusInfo {
  const self = `${base}/jobs/${job.id}`;
  const links: Link[] = [
    { href: self, rel: 'self', type: 'application/json', title: 'This job' },
    {
      href: `${self}/events`,
      rel: 'monitor',
      type: 'text/event-stream',
      title: 'Status and progress as server-sent events',
    },
  ];
  if (job.status === 'successful') {
    links.push({
      href: `${self}/results`,
      rel: RESULTS_REL,
      type: 'application/json',
      title: 'Results',
    });
  }
  links.push(
    {
      href: `${base}/processes/${job.processId}`,
      rel: 'process',
      type: 'application/json',
    },
    { href: `${self}/inputs`, rel: 'inputs', type: 'application/json', title: 'Inputs' },
  );
  const problem = jobError(job);
  return {
    processID: job.processId,
    type: 'process',
    jobID: job.id,
    status: job.status,
    message:
      job.status === 'failed' || job.status === 'dismissed'
        ? (job.error ?? job.message)
        : job.message,
    created: job.created,
    ...(job.started === null ? {} : { started: job.started }),
    ...(job.finished === null ? {} : { finished: job.finished }),
    updated: job.updated,
    ...(job.status === 'accepted' ? {} : { progress: job.progress }),
    priority: job.priority,
    ...(job.group === null ? {} : { group: job.group }),
    dependsOn: job.dependsOn,
    ...(related === undefined ? {} : { dependants: related.dependants }),
    ...(job.parentId === null ? {} : { parentID: job.parentId }),
    ...(related === undefined || related.subtasks.length === 0
      ? {}
      : { subtasks: related.subtasks }),
    ...(problem === undefined ? {} : { error: problem }),
    ...(job.held && job.status === 'accepted' ? { held: true as const } : {}),
    ...(job.cancelRequested !== null && job.status === 'running'
      ? { cancelling: true as const }
      : {}),
    links,
  };
}

/** Why a failed or dismissed job ended (its document's `error`); undefined for other states. */
export function jobError(job: JobRecord): JobProblem | undefined {
  if (job.status !== 'failed' && job.status !== 'dismissed') return undefined;
  // Jobs that ended before problems were recorded keep their message.
  return (
    job.problem ??
    jobProblem(job.status === 'failed' ? 'failed' : 'dismissed', job.error ?? job.message)
  );
}

export const REMOVED_MESSAGE = 'Job and its results removed';

/**
 * The answer to DELETE of a finished job, once it is removed: its document as `dismissed`
 * (/req/dismiss/job-dismiss-success), with a `dismissed` error saying it was removed, and only
 * the links that still lead somewhere (itself, now no-such-job, and its process).
 */
export function removedStatusInfo(job: JobRecord, base: string): StatusInfo {
  const info = statusInfo(
    {
      ...job,
      status: 'dismissed',
      message: REMOVED_MESSAGE,
      error: REMOVED_MESSAGE,
      problem: jobProblem('dismissed', REMOVED_MESSAGE),
      held: false,
      cancelRequested: null,
    },
    base,
  );
  return { ...info, links: info.links.filter((l) => l.rel === 'self' || l.rel === 'process') };
}
