/**
 * Where job records live, as the task manager needs it. One interface, so that every store —
 * SQLite embedded (sqlite-job-store.ts), a distributed one later — keeps the same promises:
 * - a record is durable once insert() or update() returns (the manager announces a change only
 *   after writing it), so a client that polls right after submitting finds its job and a
 *   restart or crash loses no queued job;
 * - get() reads what was last written; list() pages newest first by default, with a total;
 * - unfinished() gives queued and running jobs in submission order (restart recovery);
 * - JSON fields (input, result, checkpoint, problem, dependsOn) round-trip exactly.
 */
import type { JobRecord, JobStatus } from './task-types.ts';

/** The largest offset a job listing accepts: beyond it a JS number no longer counts exactly. */
export const MAX_JOB_OFFSET = Number.MAX_SAFE_INTEGER;
/** The largest page of a job listing through the API (internal callers may ask for more). */
export const MAX_JOB_LIMIT = 1000;

/** Orders of a job listing: a field, newest or largest first with a leading `-`. */
export const JOB_SORT_ORDERS = [
  '-created',
  'created',
  '-priority',
  'priority',
  '-updated',
  'updated',
] as const;
export type JobSortOrder = (typeof JOB_SORT_ORDERS)[number];

export interface JobQuery {
  status?: readonly JobStatus[];
  processId?: readonly string[];
  group?: readonly string[];
  minPriority?: number;
  maxPriority?: number;
  /** ISO 8601 UTC times as stored (`toISOString`): compared as text. */
  createdAfter?: string;
  createdBefore?: string;
  /** Default `-created` (newest first). */
  sortBy?: JobSortOrder;
  limit: number;
  offset: number;
}

/** What insert() takes: a new job, before the fields that only later states set. */
export type NewJob = Omit<
  JobRecord,
  | 'sequence'
  | 'started'
  | 'finished'
  | 'result'
  | 'error'
  | 'checkpoint'
  | 'cancelRequested'
  | 'problem'
  | 'held'
  | 'awaitingSubtasks'
>;

export interface JobStore {
  insert(job: NewJob): JobRecord;
  get(id: string): JobRecord | undefined;
  /** Writes the given fields; `updated` is always set. */
  update(
    id: string,
    fields: Partial<Omit<JobRecord, 'id' | 'sequence' | 'processId' | 'created'>>,
  ): void;
  /** Queued and running jobs, oldest first. */
  unfinished(): JobRecord[];
  /** Finished jobs that ended before the given ISO time (retention). */
  finishedBefore(isoTime: string): JobRecord[];
  delete(id: string): void;
  list(query: JobQuery): { jobs: JobRecord[]; total: number };
  /** Ids of the jobs that depend on `id`, oldest first. */
  dependants(id: string): string[];
  /** The subtasks of a job, oldest first. */
  children(parentId: string): JobRecord[];
  /** How many jobs of a group are in each state. */
  groupCounts(group: string): Partial<Record<JobStatus, number>>;
  close(): void;
}
