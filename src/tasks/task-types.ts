/**
 * The vocabulary of background work. A plugin registers a task type (an OGC API – Processes
 * process) and submits tasks of it; each task is persisted as a job record.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ZodType } from 'zod';
import type { RunOptions, WorkerPool } from '../pool/worker-pool.ts';
import type { JobProblem } from './task-errors.ts';

/** OGC API – Processes 1.0 status codes (statusCode.yaml), spelled as the standard spells them. */
export type JobStatus = 'accepted' | 'running' | 'successful' | 'failed' | 'dismissed';

export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set([
  'successful',
  'failed',
  'dismissed',
]);

export type JobControlOption = 'async-execute' | 'sync-execute' | 'dismiss';

/** OGC API – Processes description of one input or output: a title and a JSON schema. */
export interface ParameterDescription {
  title: string;
  description?: string;
  schema: Record<string, unknown>;
  minOccurs?: number;
  maxOccurs?: number | 'unbounded';
}

export interface TaskRunContext<Checkpoint = unknown> {
  readonly jobId: string;
  /** Fires when the task is cancelled (or the server shuts down): stop promptly. */
  readonly signal: AbortSignal;
  readonly log: FastifyBaseLogger;
  /** Results of the tasks this one depends on, by job id. */
  readonly dependencies: Readonly<Record<string, unknown>>;
  /** The job's own folder for files; it is removed with the job. Created on first use. */
  readonly workDir: string;
  /** The last checkpoint saved by an earlier attempt (after a restart), if any. */
  readonly checkpoint: Checkpoint | undefined;
  /** Reports progress 0–100 and a short message; coalesced, so call it as often as you like. */
  progress(percent: number, message?: string): void;
  /** Saves resumable state; a resumed attempt receives it as `checkpoint`. */
  saveCheckpoint(state: Checkpoint): void;
  /**
   * Runs a job on the shared pool, aborted with this task's signal. The lane defaults to
   * `background` (and so the abort mode to `terminate`); see docs/plugins.md.
   */
  runOnPool<T>(
    module: URL | string,
    exportName: string,
    input: unknown,
    options?: Omit<RunOptions, 'signal'>,
  ): Promise<T>;
  /**
   * Submits a subtask: a job of its own (validated and prepared like any execute), in this job's
   * group and at its priority unless told otherwise. This job then completes only when all its
   * subtasks have ended, successful if they all succeeded (failed otherwise, each failed one an
   * item of its error); its progress, once run() has returned, is the mean of theirs. Return
   * from run() rather than wait for them: a waiting run() would hold a slot they may need.
   * Cancelling this job cancels its unfinished subtasks.
   */
  spawn(processId: string, input: unknown, options?: SubmitOptions): Promise<JobRecord>;
}

export interface PrepareContext {
  readonly pool: WorkerPool;
  /** The execute request's signal (never aborts when the caller gave none). */
  readonly signal: AbortSignal;
}

export interface TaskTypeDefinition<Input = unknown, Result = unknown, Checkpoint = unknown> {
  /** The process id: lower-case, digits and dashes, e.g. `elevation-tiles`. */
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly version: string;
  /** Validates (and may transform) the execute request's `inputs`; failures are 400s. */
  readonly inputSchema: ZodType<Input>;
  /** Process description of the inputs, as OGC API – Processes publishes it. */
  readonly inputs: Readonly<Record<string, ParameterDescription>>;
  /**
   * Process description of the outputs, and the contract of run()'s result: an object whose keys
   * are these outputs, each required unless `minOccurs` is 0, each value valid against its JSON
   * Schema (task-outputs.ts). A result that is not fails the job (`invalid-result`).
   */
  readonly outputs: Readonly<Record<string, ParameterDescription>>;
  /** `sync-execute` lets clients wait for the result in the execute request itself. */
  readonly jobControlOptions?: readonly JobControlOption[];
  /** Whether a job interrupted by a restart may run again (with its checkpoint). */
  readonly resumable: boolean;
  /**
   * Optional asynchronous step between validation and recording, e.g. normalising the input
   * with work on the pool. Throw TaskSubmitError('invalid-input', message, locator) to refuse
   * the input (a 400; nothing is recorded). Jobs of such types are submitted with execute().
   * A client waits for it: its pool work belongs in the (default) interactive lane, with
   * `signal`, which aborts when the client that submitted the job goes away.
   */
  prepare?(input: Input, context: PrepareContext): Promise<Input>;
  /** Does the work; resolves with the result, checked against `outputs` (undefined: `{}`). */
  run(input: Input, context: TaskRunContext<Checkpoint>): Promise<Result>;
  /** Called when a finished job of this type is removed (expiry or DELETE). */
  cleanup?(jobId: string, result: Result | undefined): void | Promise<void>;
  /**
   * For a job that spawned subtasks, once they all succeeded: the job's result from run()'s and
   * theirs (by job id). Keep it light: it runs on the event loop. Default: run()'s result.
   * What it returns is checked against `outputs` like run()'s result.
   */
  combine?(result: Result, subtasks: Readonly<Record<string, unknown>>): Result;
}

export interface JobRecord {
  id: string;
  processId: string;
  input: unknown;
  status: JobStatus;
  priority: number;
  group: string | null;
  dependsOn: string[];
  progress: number;
  message: string;
  created: string;
  started: string | null;
  finished: string | null;
  updated: string;
  attempts: number;
  result: unknown;
  /** The message shown to clients for a failed or dismissed job. */
  error: string | null;
  checkpoint: unknown;
  /**
   * Why the job is being cancelled, while its run() has not stopped yet (status still
   * 'running'); null otherwise. It becomes 'dismissed' once its work has really stopped.
   */
  cancelRequested: string | null;
  /** The structured form of `error` (type, title, detail, per-item errors); null otherwise. */
  problem: JobProblem | null;
  /** A queued job put on hold: it is not started until released (TaskManager.unhold). */
  held: boolean;
  /** The job that spawned this one as a subtask, or null. */
  parentId: string | null;
  /** run() has returned and the job waits for its subtasks (its slot is free meanwhile). */
  awaitingSubtasks: boolean;
  /** Insertion order, for FIFO within a priority. */
  sequence: number;
}

export interface SubmitOptions {
  priority?: number;
  group?: string;
  dependsOn?: readonly string[];
}

export interface ExecuteOptions extends SubmitOptions {
  /** Aborts the `prepare` step: the request that submits the job went away (ctx.signal). */
  signal?: AbortSignal;
}
