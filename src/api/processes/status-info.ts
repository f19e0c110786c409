/** Job records as OGC API – Processes statusInfo documents (statusInfo.yaml), with links. */
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
  progress: number;
  /**
   * Present (true) while a running job is being cancelled: it is 'dismissed' only once its work
   * has really stopped (docs/processes.md, "Cancelling").
   */
  cancelling?: true;
  links: Link[];
}

export function statusInfo(job: JobRecord, base: string): StatusInfo {
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
  links.push({
    href: `${base}/processes/${job.processId}`,
    rel: 'process',
    type: 'application/json',
  });
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
    progress: job.progress,
    ...(job.cancelRequested !== null && job.status === 'running'
      ? { cancelling: true as const }
      : {}),
    links,
  };
}
