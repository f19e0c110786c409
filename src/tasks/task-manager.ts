/**
 * The task manager: one scheduler for all background work of the core and the plugins.
 *
 * - At most `maxConcurrent` tasks run at once; the next is the highest priority whose
 *   dependencies have all succeeded, FIFO within a priority.
 * - Cancelling removes a queued task at once. A running one is aborted (its pool jobs are
 *   terminated) but stays 'running', marked `cancelRequested`, until its run() has really
 *   returned: only then is it 'dismissed' and its slot given to the next task. A run() that
 *   ignores its signal is abandoned after `cancelGraceSeconds`: dismissed, and its slot freed,
 *   with a message that says so (its code may still be running; the log warns). Clients are
 *   never told a job stopped while it still runs, and the queue never stalls behind it. Tasks
 *   depending on a failed or dismissed one are dismissed in turn.
 * - Every state change is written to the job store before it is announced.
 * - A successful result is checked against the outputs the type declares (task-outputs.ts): one
 *   that does not match fails the job (`invalid-result`), logged on the type owner's logger.
 * - After a restart (or a crash), queued jobs stay queued whatever their type; running jobs
 *   resume (resumable types, with their last checkpoint) or fail with a clear "interrupted"
 *   error; a job whose cancellation was under way is dismissed.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, setMaxListeners } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { ZodError } from 'zod';
import type { WorkerPool } from '../pool/worker-pool.ts';
import { redactText } from '../server/redact-secrets.ts';
import type { DataDirStatus } from '../storage/data-dir-check.ts';
import { describeStorageFailure, storageFailureCode } from '../storage/storage-failure.ts';
import type { JobStore } from './job-store.ts';
import { ProgressCoalescer } from './progress-coalescer.ts';
import { resultChecker, type ResultChecker } from './task-outputs.ts';
import {
  jobProblem,
  TaskCancelled,
  TaskFailure,
  TaskInterrupted,
  TaskSubmitError,
  type JobProblemKind,
} from './task-errors.ts';
import {
  FINAL_STATUSES,
  type JobRecord,
  type ExecuteOptions,
  type SubmitOptions,
  type TaskRunContext,
  type TaskTypeDefinition,
} from './task-types.ts';

/** The `prepare` signal of an execute() call that gave none. */
const NEVER_ABORTED = new AbortController().signal;

export interface TaskManagerOptions {
  store: JobStore;
  pool: WorkerPool;
  log: FastifyBaseLogger;
  maxConcurrent: number;
  /** Root of the per-job folders. */
  jobsDir: string;
  /**
   * The data dir, named in the error of a job that failed on a full or read-only file system
   * (default: the parent of `jobsDir`).
   */
  dataDir?: string;
  /** Finished jobs older than this are removed with their files. */
  retentionSeconds: number;
  /** Smallest gap between two progress updates of one task (ms). */
  progressIntervalMs?: number;
  /**
   * How long a cancelled task's run() may take to return before it is abandoned (dismissed and
   * its slot freed though its code may still run). Default 30 s; RELIEF_TASK_CANCEL_GRACE.
   */
  cancelGraceSeconds?: number;
  /**
   * The data dir's state: new jobs are refused while it is below its free-space threshold or
   * unwritable, rather than accepted and failed at their first write.
   */
  storage?: StorageState;
}

/** What DataDirCheck offers: a fresh-enough state, or the last one without waiting. */
export interface StorageState {
  check(): Promise<DataDirStatus>;
  latest(): DataDirStatus | undefined;
}

export type JobEvent = { type: 'status' | 'progress'; job: JobRecord };

/**
 * What happens to any job, for whoever watches them all (plugins through onEvent, clients
 * through `GET /jobs/events`). `group.finished` comes when the last unfinished job of a group
 * has ended, with how many ended in each state (again if more jobs join the group later).
 */
export type TaskEvent =
  | {
      type:
        | 'job.accepted'
        | 'job.held'
        | 'job.started'
        | 'job.progress'
        | 'job.cancelling'
        | 'job.finished'
        | 'job.failed'
        | 'job.dismissed';
      job: JobRecord;
    }
  | { type: 'group.finished'; group: string; counts: Partial<Record<JobRecord['status'], number>> };

export type TaskEventType = TaskEvent['type'];

/** Why hold() or unhold() cannot act on a job in its present state (HTTP 409). */
export class JobStateError extends Error {
  override readonly name = 'JobStateError';
}

interface CheckedOptions {
  priority: number;
  group: string | null;
  dependsOn: string[];
  /** Set for a subtask (TaskRunContext.spawn). */
  parentId?: string;
}

function invalidInput(error: ZodError): TaskSubmitError {
  const issue = error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : undefined;
  return new TaskSubmitError(
    'invalid-input',
    `${where === undefined ? '' : `${where}: `}${issue?.message ?? 'invalid input'}`,
    where,
  );
}

interface RegisteredType {
  definition: TaskTypeDefinition;
  owner: string;
  /** Its outputs, compiled: checks each successful result. */
  checkResult: ResultChecker;
  /** The owner's logger (a plugin's), for what the owner must fix; else the manager's. */
  log: FastifyBaseLogger | undefined;
}

interface RunningTask {
  controller: AbortController;
  coalescer: ProgressCoalescer;
  settled: Promise<void>;
  /** Set once the task is being cancelled: abandons it when the grace period runs out. */
  graceTimer?: NodeJS.Timeout;
}

const PROCESS_ID = /^[a-z][a-z0-9-]{0,62}$/;
/** The key of manager-wide listeners on #events (job ids are UUIDs, so it cannot collide). */
const ALL_JOBS = Symbol('all jobs');

function taskEventType(
  type: JobEvent['type'],
  job: JobRecord,
): Exclude<TaskEventType, 'group.finished'> {
  if (type === 'progress') return 'job.progress';
  switch (job.status) {
    case 'accepted':
      return job.held ? 'job.held' : 'job.accepted';
    case 'running':
      return job.cancelRequested === null ? 'job.started' : 'job.cancelling';
    case 'successful':
      return 'job.finished';
    case 'failed':
      return 'job.failed';
    case 'dismissed':
      return 'job.dismissed';
  }
}

/** The bound RELIEF_MAX_CONCURRENT_TASKS has, also for changes at run time. */
export const MAX_CONCURRENCY = 1024;
const MAX_GROUP_LENGTH = 100;

export class TaskManager {
  readonly #options: Required<Omit<TaskManagerOptions, 'storage'>> &
    Pick<TaskManagerOptions, 'storage'>;
  readonly #types = new Map<string, RegisteredType>();
  readonly #queue: JobRecord[] = [];
  readonly #running = new Map<string, RunningTask>();
  /** Jobs whose run() has returned and that wait for their subtasks (no slot held). */
  readonly #awaiting = new Set<string>();
  readonly #events = new EventEmitter();
  #paused = false;
  #closing = false;
  #expiryTimer: NodeJS.Timeout | undefined;

  constructor(options: TaskManagerOptions) {
    if (
      !Number.isInteger(options.maxConcurrent) ||
      options.maxConcurrent < 1 ||
      options.maxConcurrent > MAX_CONCURRENCY
    ) {
      throw new RangeError(
        `maxConcurrent must be a positive integer, got ${options.maxConcurrent}`,
      );
    }
    this.#options = {
      progressIntervalMs: 100,
      cancelGraceSeconds: 30,
      dataDir: dirname(options.jobsDir),
      ...options,
    };
    // One listener per SSE client or long-poll: many may watch at once.
    this.#events.setMaxListeners(0);
  }

  // ---- task types -------------------------------------------------------------------------

  /**
   * Adds a task type. `log` is its owner's logger (a plugin's): a result that does not match the
   * declared outputs is reported there, as the owner's to fix. Throws a TypeError for an invalid
   * id, a missing run(), or outputs whose schemas cannot be compiled.
   */
  registerType(definition: TaskTypeDefinition, owner = 'core', log?: FastifyBaseLogger): void {
    if (!PROCESS_ID.test(definition.id)) {
      throw new TypeError(
        `Task type id must match ${PROCESS_ID}, got ${JSON.stringify(definition.id)}`,
      );
    }
    const existing = this.#types.get(definition.id);
    if (existing !== undefined) {
      throw new Error(`Task type ${definition.id} is already registered by ${existing.owner}`);
    }
    if (typeof definition.run !== 'function')
      throw new TypeError(`Task type ${definition.id}: run must be a function`);
    const checkResult = resultChecker(definition.id, definition.outputs);
    this.#types.set(definition.id, { definition, owner, checkResult, log });
  }

  unregisterOwner(owner: string): void {
    for (const [id, entry] of this.#types) if (entry.owner === owner) this.#types.delete(id);
  }

  type(id: string): TaskTypeDefinition | undefined {
    return this.#types.get(id)?.definition;
  }

  types(): TaskTypeDefinition[] {
    return [...this.#types.values()].map((e) => e.definition);
  }

  // ---- submitting and reading ---------------------------------------------------------------

  /** Validates and records a task, then queues it. Nothing is stored if validation fails. */
  submit(processId: string, input: unknown, options: SubmitOptions = {}): JobRecord {
    const { type, checked } = this.#checkSubmission(processId, options);
    this.#checkStorage(this.#options.storage?.latest());
    if (type.prepare !== undefined) {
      throw new TaskSubmitError(
        'invalid-option',
        `Process ${processId} prepares its input asynchronously: submit it with execute()`,
      );
    }
    const parsed = type.inputSchema.safeParse(input);
    if (!parsed.success) throw invalidInput(parsed.error);
    return this.#record(processId, parsed.data, checked);
  }

  /**
   * Like submit, for every process: validates the input (async schemas too), runs the type's
   * `prepare` step (which may use the pool), and only then records the job.
   */
  async execute(
    processId: string,
    input: unknown,
    options: ExecuteOptions = {},
  ): Promise<JobRecord> {
    return this.#execute(processId, input, options);
  }

  async #execute(
    processId: string,
    input: unknown,
    options: ExecuteOptions,
    parentId?: string,
  ): Promise<JobRecord> {
    const { type } = this.#checkSubmission(processId, options);
    this.#checkStorage(await this.#options.storage?.check());
    const parsed = await type.inputSchema.safeParseAsync(input);
    if (!parsed.success) throw invalidInput(parsed.error);
    const prepared =
      type.prepare === undefined
        ? parsed.data
        : await type.prepare(parsed.data, {
            pool: this.#options.pool,
            signal: options.signal ?? NEVER_ABORTED,
          });
    // Checked again: upstream jobs may have ended, or shutdown begun, while preparing.
    const { checked } = this.#checkSubmission(processId, options);
    if (parentId !== undefined) {
      // The parent may have been cancelled while this one was prepared: then it is not wanted.
      const parent = this.get(parentId);
      if (
        parent === undefined ||
        FINAL_STATUSES.has(parent.status) ||
        parent.cancelRequested !== null
      ) {
        throw new TaskSubmitError('invalid-option', `Job ${parentId} is no longer running`);
      }
      checked.parentId = parentId;
    }
    return this.#record(processId, prepared, checked);
  }

  /** Clients learn only that there is no room or no storage; the details go to the log. */
  #checkStorage(state: DataDirStatus | undefined): void {
    if (state === undefined || state.status === 'ok') return;
    this.#options.log.warn(
      { storage: state },
      'job refused: data dir %s (%s)',
      state.status,
      state.reason,
    );
    if (state.status === 'low-space') {
      throw new TaskSubmitError(
        'insufficient-storage',
        'Not enough free disk space for a new job; try again later',
      );
    }
    throw new TaskSubmitError(
      'storage-unavailable',
      'The server cannot store a new job now; try again later',
    );
  }

  #checkSubmission(
    processId: string,
    options: SubmitOptions,
  ): { type: TaskTypeDefinition; checked: CheckedOptions } {
    if (this.#closing) throw new TaskSubmitError('shutting-down', 'The server is shutting down');
    const type = this.type(processId);
    if (type === undefined)
      throw new TaskSubmitError('no-such-process', `No process "${processId}"`);
    const priority = options.priority ?? 0;
    if (!Number.isInteger(priority) || Math.abs(priority) > 1000) {
      throw new TaskSubmitError(
        'invalid-option',
        'priority must be an integer from -1000 to 1000',
        'priority',
      );
    }
    const group = options.group ?? null;
    if (
      group !== null &&
      (typeof group !== 'string' || group.length === 0 || group.length > MAX_GROUP_LENGTH)
    ) {
      throw new TaskSubmitError(
        'invalid-option',
        `group must be a string of 1 to ${MAX_GROUP_LENGTH} characters`,
        'group',
      );
    }
    const dependsOn = [...new Set(options.dependsOn ?? [])];
    for (const upstream of dependsOn) {
      const job = this.#options.store.get(upstream);
      if (job === undefined)
        throw new TaskSubmitError(
          'invalid-option',
          `No job "${upstream}" to depend on`,
          'dependsOn',
        );
      if (job.status === 'failed' || job.status === 'dismissed') {
        throw new TaskSubmitError(
          'invalid-option',
          `Job ${upstream} has ${job.status}; nothing can depend on it`,
          'dependsOn',
        );
      }
    }
    return { type, checked: { priority, group, dependsOn } };
  }

  #record(
    processId: string,
    input: unknown,
    { priority, group, dependsOn, parentId }: CheckedOptions,
  ): JobRecord {
    const now = new Date().toISOString();
    const job = this.#options.store.insert({
      id: randomUUID(),
      processId,
      input,
      status: 'accepted',
      priority,
      group,
      dependsOn,
      progress: 0,
      message: dependsOn.length > 0 ? 'Waiting for upstream jobs' : 'Queued',
      created: now,
      updated: now,
      attempts: 0,
      parentId: parentId ?? null,
    });
    this.#queue.push(job);
    this.#announce('status', job);
    this.#schedule();
    // Scheduling may already have started it: answer with the state as recorded now.
    return this.get(job.id) ?? job;
  }

  get(id: string): JobRecord | undefined {
    return this.#options.store.get(id);
  }

  /** Ids of the subtasks job `id` spawned, oldest first. */
  subtasks(id: string): string[] {
    return this.#options.store.children(id).map((child) => child.id);
  }

  /** Ids of the jobs that wait for, or were handed the result of, job `id`. */
  dependants(id: string): string[] {
    return this.#options.store.dependants(id);
  }

  list(query: Parameters<JobStore['list']>[0]): ReturnType<JobStore['list']> {
    return this.#options.store.list(query);
  }

  /**
   * Calls `listener` for every event of every job (TaskEvent); returns the unsubscribe. A
   * listener that throws is logged and does not disturb the others or the job.
   */
  onEvent(listener: (event: TaskEvent) => void): () => void {
    this.#events.on(ALL_JOBS, listener);
    return () => this.#events.off(ALL_JOBS, listener);
  }

  /** Puts a queued job on hold: it keeps its place but is not started until unhold(). */
  hold(id: string): JobRecord | undefined {
    const job = this.get(id);
    if (job === undefined) return undefined;
    const queued = this.#queue.find((j) => j.id === id);
    if (queued === undefined || job.status !== 'accepted') {
      throw new JobStateError(`Job ${id} is ${job.status}; only a queued job can be held`);
    }
    if (job.held) return job;
    queued.held = true;
    this.#options.store.update(id, { held: true, message: 'Held' });
    const held = this.get(id) as JobRecord;
    this.#announce('status', held);
    return held;
  }

  /** Releases a held job: it is started in its turn (its priority and submission order). */
  unhold(id: string): JobRecord | undefined {
    const job = this.get(id);
    if (job === undefined) return undefined;
    const queued = this.#queue.find((j) => j.id === id);
    if (queued === undefined || job.status !== 'accepted') {
      throw new JobStateError(`Job ${id} is ${job.status}; it is not held`);
    }
    if (!job.held) return job;
    queued.held = false;
    const message = job.dependsOn.length > 0 ? 'Waiting for upstream jobs' : 'Queued';
    this.#options.store.update(id, { held: false, message });
    this.#announce('status', this.get(id) as JobRecord);
    this.#schedule();
    return this.get(id);
  }

  /** Calls `listener` for every status and progress change of a job; returns the unsubscribe. */
  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    this.#events.on(jobId, listener);
    return () => this.#events.off(jobId, listener);
  }

  /** Resolves with the job as soon as it is final, or as it is when `timeoutMs` runs out. */
  waitForFinal(
    jobId: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<JobRecord | undefined> {
    const current = this.get(jobId);
    // An already aborted signal never fires 'abort' again: answer now rather than at the timeout.
    if (
      current === undefined ||
      FINAL_STATUSES.has(current.status) ||
      timeoutMs <= 0 ||
      signal?.aborted
    ) {
      return Promise.resolve(current);
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', finish);
        resolve(this.get(jobId));
      };
      const timer = setTimeout(finish, timeoutMs);
      const unsubscribe = this.subscribe(jobId, (event) => {
        if (FINAL_STATUSES.has(event.job.status)) finish();
      });
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  // ---- control --------------------------------------------------------------------------------

  /**
   * Dismisses a queued job at once, or starts cancelling a running one (see the module comment);
   * returns the job as it is now, or undefined if there is none. waitForFinal() tells when a
   * running one has really stopped.
   */
  cancel(id: string, reason = 'Dismissed by request'): JobRecord | undefined {
    const dismissed = this.#dismiss(id, reason);
    this.#schedule();
    return dismissed;
  }

  /** Dismisses a job and, transitively, its waiting dependants, without scheduling. */
  #dismiss(id: string, reason: string, kind: JobProblemKind = 'dismissed'): JobRecord | undefined {
    const job = this.get(id);
    if (job === undefined || FINAL_STATUSES.has(job.status)) return job;
    const running = this.#running.get(id);
    if (running !== undefined) {
      if (job.cancelRequested === null) this.#beginCancel(id, running, reason);
      return this.get(id);
    }
    const queued = this.#queue.findIndex((j) => j.id === id);
    if (queued !== -1) this.#queue.splice(queued, 1);
    const dismissed = this.#finish(id, {
      status: 'dismissed',
      message: reason,
      error: reason,
      problem: jobProblem(kind, reason),
      awaitingSubtasks: false,
    });
    this.#cascade(id, 'dismissed');
    return dismissed;
  }

  /**
   * Aborts a running task and records that its cancellation is under way. Its dependants can
   * never run now, so they are dismissed at once; the task itself when its run() returns
   * (#start) or when the grace period runs out, whichever comes first.
   */
  #beginCancel(id: string, running: RunningTask, reason: string): void {
    running.coalescer.close();
    this.#options.store.update(id, { cancelRequested: reason, message: `Cancelling: ${reason}` });
    this.#announce('status', this.get(id) as JobRecord);
    running.controller.abort(new TaskCancelled(reason));
    const graceMs = this.#options.cancelGraceSeconds * 1000;
    running.graceTimer = setTimeout(() => this.#abandon(id, running, reason), graceMs);
    running.graceTimer.unref();
    this.#cascade(id, 'dismissed');
    this.#dismissSubtasks(id);
  }

  /** Cancels what a job that ended badly (or is being cancelled) spawned and is not done. */
  #dismissSubtasks(parentId: string): void {
    for (const child of this.#options.store.children(parentId)) {
      if (!FINAL_STATUSES.has(child.status) && child.cancelRequested === null) {
        this.#dismiss(child.id, `Parent job ${parentId} ended`, 'upstream-ended');
      }
    }
  }

  /**
   * run() has returned with subtasks spawned: the job waits for them without holding a slot
   * (the caller frees it), keeping run()'s result until they are all done.
   */
  #awaitSubtasks(id: string, result: unknown): void {
    this.#awaiting.add(id);
    this.#options.store.update(id, {
      awaitingSubtasks: true,
      result: result ?? null,
      message: 'Waiting for its subtasks',
    });
    this.#announce('status', this.get(id) as JobRecord);
    this.#checkParent(id);
  }

  /**
   * A subtask moved: updates its parent's progress (the mean of its subtasks', once the
   * parent's run() has returned) and completes the parent once every subtask has ended.
   */
  #checkParent(parentId: string): void {
    const parent = this.get(parentId);
    if (parent === undefined || !parent.awaitingSubtasks || FINAL_STATUSES.has(parent.status)) {
      return;
    }
    const children = this.#options.store.children(parentId);
    const unfinished = children.filter((child) => !FINAL_STATUSES.has(child.status));
    if (unfinished.length > 0) {
      const done = children.reduce(
        (sum, child) => sum + (FINAL_STATUSES.has(child.status) ? 100 : child.progress),
        100,
      );
      const progress = Math.min(
        99,
        Math.max(parent.progress, Math.round(done / (children.length + 1))),
      );
      const message = `Waiting for ${unfinished.length} of ${children.length} subtasks`;
      if (progress !== parent.progress || message !== parent.message) {
        this.#options.store.update(parentId, { progress, message });
        this.#announce('progress', this.get(parentId) as JobRecord);
        // A subtask may have subtasks of its own: the news goes up every level.
        if (parent.parentId !== null) this.#checkParent(parent.parentId);
      }
      return;
    }
    const unsuccessful = children.filter((child) => child.status !== 'successful');
    if (unsuccessful.length === 0) {
      const type = this.type(parent.processId);
      let result = parent.result;
      try {
        const byId = Object.fromEntries(children.map((child) => [child.id, child.result]));
        if (type?.combine !== undefined) result = type.combine(parent.result, byId);
      } catch (error) {
        this.#options.log.error(
          { err: error, jobId: parentId },
          'combining subtask results failed',
        );
        const message = `${type?.title ?? parent.processId} failed because of an internal error; the server log has the details (job ${parentId})`;
        this.#finish(parentId, {
          status: 'failed',
          message,
          error: message,
          awaitingSubtasks: false,
          problem: jobProblem('internal-error', message),
        });
        this.#cascade(parentId, 'failed');
        return;
      }
      const checked = this.#checkResult(parentId, result);
      if (checked === undefined) return;
      this.#finish(parentId, {
        status: 'successful',
        progress: 100,
        message: 'Completed',
        result: checked,
        awaitingSubtasks: false,
      });
      return;
    }
    const message = `${unsuccessful.length} of ${children.length} subtasks did not succeed`;
    this.#finish(parentId, {
      status: 'failed',
      message,
      error: message,
      awaitingSubtasks: false,
      problem: jobProblem(
        'failed',
        message,
        unsuccessful.map((child) => ({
          item: child.id,
          detail: `${child.processId} ${child.status}: ${child.error ?? child.message}`,
        })),
      ),
    });
    this.#cascade(parentId, 'failed');
  }

  /** The grace period ran out and the task still runs: dismiss it and free its slot. */
  #abandon(id: string, running: RunningTask, reason: string): void {
    if (this.#running.get(id) !== running) return;
    this.#running.delete(id);
    const grace = this.#options.cancelGraceSeconds;
    this.#options.log.warn(
      { jobId: id, graceSeconds: grace },
      'a cancelled task did not stop within its grace period; abandoned (its code may still run)',
    );
    const message = `${reason} (the task did not stop within ${grace} s and was abandoned)`;
    this.#finish(id, {
      status: 'dismissed',
      message,
      error: message,
      cancelRequested: null,
      problem: jobProblem('abandoned', message),
    });
    this.#schedule();
  }

  /** Dismisses every queued and running job of a group; returns how many. */
  cancelGroup(group: string): number {
    const ids = [
      ...this.#queue.filter((j) => j.group === group).map((j) => j.id),
      ...[...this.#awaiting].filter((id) => this.get(id)?.group === group),
      // A task being cancelled stays in #running until its run() settles: not counted again.
      ...[...this.#running.keys()].filter((id) => {
        const job = this.get(id);
        return job?.group === group && job.status === 'running' && job.cancelRequested === null;
      }),
    ];
    for (const id of ids) this.cancel(id, `Group ${group} was dismissed`);
    return ids.length;
  }

  /** Removes a finished job and its files. */
  async remove(id: string): Promise<JobRecord | undefined> {
    const job = this.get(id);
    if (job === undefined) return undefined;
    if (!FINAL_STATUSES.has(job.status))
      throw new Error(`Job ${id} is ${job.status}; cancel it first`);
    this.#options.store.delete(id);
    // A dismissed task may still be unwinding and writing to its folder: let it finish first.
    await this.#running.get(id)?.settled;
    await this.#removeFiles(job);
    return job;
  }

  /** Dismisses every queued and running job (running ones as cancel() does); returns how many. */
  cancelAll(reason = 'Dismissed with the whole queue'): number {
    const ids = [
      ...this.#awaiting,
      ...this.#queue.map((j) => j.id),
      ...[...this.#running.keys()].filter((id) => this.get(id)?.cancelRequested === null),
    ];
    for (const id of ids) this.#dismiss(id, reason);
    this.#schedule();
    return ids.length;
  }

  /** Stops starting tasks; running ones carry on. Queued jobs wait, new ones are accepted. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#schedule();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Before maintenance: pauses the queue and resolves with true once no task runs any more, or
   * with false when `timeoutMs` runs out first (the queue stays paused either way; resume()
   * starts it again). Jobs submitted meanwhile are accepted and wait.
   */
  async drain(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    this.pause();
    const deadline = Date.now() + timeoutMs;
    while (this.#running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted === true) return false;
      await Promise.race([
        Promise.race([...this.#running.values()].map((task) => task.settled)),
        new Promise((resolve) => setTimeout(resolve, Math.min(left, 1000)).unref()),
      ]);
    }
    return true;
  }

  /** How many tasks may run at once, changed at run time (RELIEF_MAX_CONCURRENT_TASKS at start). */
  get maxConcurrent(): number {
    return this.#options.maxConcurrent;
  }

  /** Fewer than are running lets them finish and starts no more until below the new limit. */
  setMaxConcurrent(value: number): void {
    if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
      throw new RangeError(`maxConcurrent must be an integer from 1 to ${MAX_CONCURRENCY}`);
    }
    this.#options.maxConcurrent = value;
    this.#schedule();
  }

  get stats(): {
    queued: number;
    running: number;
    cancelling: number;
    paused: boolean;
    maxConcurrent: number;
    types: number;
  } {
    return {
      queued: this.#queue.length,
      running: this.#running.size,
      cancelling: [...this.#running.keys()].filter((id) => this.get(id)?.cancelRequested != null)
        .length,
      paused: this.#paused,
      maxConcurrent: this.#options.maxConcurrent,
      types: this.#types.size,
    };
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * Picks up jobs a previous process left queued or running, then starts the expiry sweep.
   * Call once plugins have registered their task types.
   */
  async start(): Promise<void> {
    const failed: string[] = [];
    for (const job of this.#options.store.unfinished()) {
      const type = this.type(job.processId);
      if (type === undefined) {
        const error = `Process "${job.processId}" is no longer available`;
        this.#finish(job.id, {
          status: 'failed',
          message: 'Interrupted',
          error,
          problem: jobProblem('process-unavailable', error),
        });
        failed.push(job.id);
      } else if (job.awaitingSubtasks) {
        // Its run() had returned: it only waits for its subtasks, which come back on their own.
        this.#awaiting.add(job.id);
      } else if (job.cancelRequested !== null) {
        // Its cancellation was under way when the server stopped: the client asked for that.
        this.#finish(job.id, {
          status: 'dismissed',
          message: job.cancelRequested,
          error: job.cancelRequested,
          cancelRequested: null,
          problem: jobProblem('dismissed', job.cancelRequested),
        });
        failed.push(job.id);
      } else if (job.status === 'accepted') {
        // Never started: nothing was lost, whatever its type. It keeps its place in the queue.
        this.#queue.push(job);
      } else if (type.resumable) {
        this.#options.store.update(job.id, {
          status: 'accepted',
          message: 'Resuming after a restart',
        });
        this.#queue.push({ ...job, status: 'accepted' });
      } else {
        const error =
          'The job was interrupted by a server restart and cannot resume; submit it again';
        this.#finish(job.id, {
          status: 'failed',
          message: 'Interrupted',
          error,
          problem: jobProblem('interrupted', error),
        });
        failed.push(job.id);
      }
    }
    // Only now are all resumed dependants queued (they come after their upstreams), so the
    // cascade reaches them instead of leaving them waiting forever on a failed upstream.
    for (const id of failed) this.#cascade(id, 'failed');
    for (const id of [...this.#awaiting]) this.#checkParent(id);
    await this.expire();
    const every = Math.min(3600, Math.max(60, this.#options.retentionSeconds / 10)) * 1000;
    this.#expiryTimer = setInterval(() => void this.expire(), every);
    this.#expiryTimer.unref();
    this.#schedule();
  }

  /** Removes finished jobs older than the retention, with their files. */
  async expire(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - this.#options.retentionSeconds * 1000).toISOString();
    const expired = this.#options.store.finishedBefore(cutoff);
    for (const job of expired) {
      this.#options.store.delete(job.id);
      await this.#running.get(job.id)?.settled;
      await this.#removeFiles(job);
    }
    if (expired.length > 0)
      this.#options.log.info({ count: expired.length }, 'expired finished jobs');
    return expired.length;
  }

  /**
   * Stops taking work and gives running tasks `timeoutMs` to stop. Their records stay as they
   * are, so the next start resumes or fails them like after a crash.
   */
  async shutdown(timeoutMs: number): Promise<void> {
    this.#closing = true;
    clearInterval(this.#expiryTimer);
    const running = [...this.#running.values()];
    for (const task of running)
      task.controller.abort(new TaskInterrupted('The server is shutting down'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(running.map((t) => t.settled)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    for (const task of running) task.coalescer.close();
  }

  // ---- internals ------------------------------------------------------------------------------

  #schedule(): void {
    while (!this.#paused && !this.#closing && this.#running.size < this.#options.maxConcurrent) {
      const next = this.#nextRunnable();
      if (next === undefined) return;
      this.#queue.splice(this.#queue.indexOf(next), 1);
      this.#start(next);
    }
  }

  #nextRunnable(): JobRecord | undefined {
    let best: JobRecord | undefined;
    const orphaned: Array<{ id: string; reason: string }> = [];
    for (const job of this.#queue) {
      const blocker = this.#deadUpstream(job);
      if (blocker !== undefined) {
        orphaned.push({ id: job.id, reason: blocker });
        continue;
      }
      if (job.held || !this.#dependenciesMet(job)) continue;
      if (
        best === undefined ||
        job.priority > best.priority ||
        (job.priority === best.priority && job.sequence < best.sequence)
      ) {
        best = job;
      }
    }
    // An upstream removed or ended badly while this job waited: it can never run. #dismiss,
    // not cancel: this runs inside #schedule, which must not re-enter itself.
    for (const { id, reason } of orphaned) this.#dismiss(id, reason, 'upstream-ended');
    return best;
  }

  #deadUpstream(job: JobRecord): string | undefined {
    for (const id of job.dependsOn) {
      const upstream = this.get(id);
      if (upstream === undefined) return `Upstream job ${id} no longer exists`;
      if (upstream.status === 'failed' || upstream.status === 'dismissed') {
        return `Upstream job ${id} ${upstream.status}`;
      }
    }
    return undefined;
  }

  #dependenciesMet(job: JobRecord): boolean {
    return job.dependsOn.every((id) => this.get(id)?.status === 'successful');
  }

  #start(queued: JobRecord): void {
    const { store, log } = this.#options;
    const type = this.type(queued.processId) as TaskTypeDefinition;
    const job = this.get(queued.id) as JobRecord;
    const started = new Date().toISOString();
    store.update(job.id, {
      status: 'running',
      started: job.started ?? started,
      attempts: job.attempts + 1,
      message: 'Running',
    });
    const controller = new AbortController();
    // Every pool job of the task listens to it (a task may run many at once): not a leak.
    setMaxListeners(0, controller.signal);
    const coalescer = new ProgressCoalescer(
      this.#options.progressIntervalMs,
      (update) => {
        if (this.get(job.id)?.status !== 'running') return;
        store.update(job.id, update);
        this.#announce('progress', this.get(job.id) as JobRecord);
        if (job.parentId !== null) this.#checkParent(job.parentId);
      },
      job.progress,
    );
    const jobLog = log.child({ jobId: job.id, process: job.processId });
    const workDir = join(this.#options.jobsDir, job.id);
    const dependencies = Object.fromEntries(job.dependsOn.map((id) => [id, this.get(id)?.result]));
    const context: TaskRunContext = {
      jobId: job.id,
      signal: controller.signal,
      log: jobLog,
      dependencies,
      workDir,
      checkpoint: job.checkpoint,
      progress: (percent, message) => coalescer.report(percent, message ?? ''),
      saveCheckpoint: (state) => {
        if (!controller.signal.aborted) store.update(job.id, { checkpoint: state });
      },
      spawn: async (processId, input, options = {}) => {
        controller.signal.throwIfAborted();
        const parent = this.get(job.id) as JobRecord;
        return this.#execute(
          processId,
          input,
          {
            priority: parent.priority,
            ...(parent.group === null ? {} : { group: parent.group }),
            ...options,
            signal: controller.signal,
          },
          job.id,
        );
      },
      runOnPool: (module, exportName, input, options) =>
        this.#options.pool.run(module, exportName, input, {
          // Task work never takes the thread a request may need (worker-pool.ts).
          lane: 'background',
          ...options,
          signal: controller.signal,
        }),
    };
    this.#announce('status', this.get(job.id) as JobRecord);
    jobLog.info({ attempt: job.attempts + 1 }, 'task started');
    const settled = Promise.resolve()
      .then(() => mkdir(workDir, { recursive: true }))
      .then(() => type.run(job.input, context))
      .then((result) => {
        coalescer.close();
        if (controller.signal.reason instanceof TaskCancelled) {
          this.#dismissStopped(job.id, controller.signal.reason);
          return;
        }
        if (controller.signal.aborted) return;
        if (store.children(job.id).length > 0) {
          // Without combine() run()'s result is the job's: a wrong one fails it before its
          // subtasks run for nothing.
          if (type.combine === undefined && this.#checkResult(job.id, result) === undefined) return;
          this.#awaitSubtasks(job.id, result);
          jobLog.info('task returned; waiting for its subtasks');
          return;
        }
        const checked = this.#checkResult(job.id, result);
        if (checked === undefined) return;
        this.#finish(job.id, {
          status: 'successful',
          progress: 100,
          message: 'Completed',
          result: checked,
        });
        jobLog.info('task successful');
      })
      // Not a second argument of then(): a result the store cannot serialize (a BigInt, a cycle)
      // must fail the job too, not leave it running and reject unhandled.
      .catch((error: unknown) => {
        coalescer.close();
        const reason: unknown = controller.signal.reason;
        if (reason instanceof TaskInterrupted) {
          jobLog.info('task interrupted by shutdown; it resumes on restart');
          return;
        }
        if (reason instanceof TaskCancelled) {
          this.#dismissStopped(job.id, reason);
          jobLog.info({ reason: reason.message }, 'task dismissed');
          return;
        }
        // Anyone who may read the job reads this: a URL quoted in it loses its credentials.
        const storage = storageFailureCode(error);
        const clientMessage =
          error instanceof TaskFailure
            ? redactText(error.message)
            : storage !== undefined
              ? describeStorageFailure(storage, this.#options.dataDir)
              : `${type.title} failed because of an internal error; the server log has the details (job ${job.id})`;
        const problem =
          error instanceof TaskFailure
            ? jobProblem(
                'failed',
                clientMessage,
                error.items?.map(({ item, detail }) => ({ item, detail: redactText(detail) })),
              )
            : jobProblem(
                storage === undefined
                  ? 'internal-error'
                  : storage === 'EROFS'
                    ? 'storage-read-only'
                    : 'storage-full',
                clientMessage,
              );
        jobLog.error({ err: error }, 'task failed');
        this.#finish(job.id, {
          status: 'failed',
          message: clientMessage,
          error: clientMessage,
          problem,
        });
        this.#cascade(job.id, 'failed');
      })
      .finally(() => {
        const entry = this.#running.get(job.id);
        clearTimeout(entry?.graceTimer);
        // An abandoned task gave its slot up already (#abandon).
        if (entry !== undefined && entry.settled === settled) this.#running.delete(job.id);
        this.#schedule();
      });
    this.#running.set(job.id, { controller, coalescer, settled });
  }

  /**
   * A successful job's result, checked against its type's declared outputs: the result to store,
   * or undefined once the job has been failed (`invalid-result`) because it does not match. The
   * owner's logger says what is wrong; the job's error names the offending outputs.
   */
  #checkResult(id: string, result: unknown): Record<string, unknown> | undefined {
    const job = this.get(id);
    if (job === undefined) return undefined;
    const entry = this.#types.get(job.processId);
    // The type went with its plugin: nothing to check against (its record stays as it is).
    if (entry === undefined) return (result ?? {}) as Record<string, unknown>;
    const check = entry.checkResult(result);
    if (check.ok) return check.result;
    const title = entry.definition.title;
    const message = redactText(
      `${title} returned a result that does not match its declared outputs: ${check.detail}`,
    );
    (entry.log ?? this.#options.log).error(
      { jobId: id, process: job.processId, outputs: check.items },
      'task result does not match the outputs its type declares; the job failed',
    );
    this.#finish(id, {
      status: 'failed',
      message,
      error: message,
      awaitingSubtasks: false,
      problem: jobProblem('invalid-result', message, check.items),
    });
    this.#cascade(id, 'failed');
    return undefined;
  }

  /** A cancelled task's run() has returned: now it is dismissed (unless abandoned before). */
  #dismissStopped(id: string, reason: TaskCancelled): void {
    const job = this.get(id);
    if (job === undefined || FINAL_STATUSES.has(job.status)) return;
    this.#finish(id, {
      status: 'dismissed',
      message: reason.message,
      error: reason.message,
      cancelRequested: null,
      problem: jobProblem('dismissed', reason.message),
    });
  }

  #finish(id: string, fields: Partial<JobRecord> & Pick<JobRecord, 'status'>): JobRecord {
    const now = new Date().toISOString();
    this.#awaiting.delete(id);
    this.#options.store.update(id, { ...fields, finished: now, updated: now });
    const job = this.get(id) as JobRecord;
    this.#announce('status', job);
    if (job.status !== 'successful') this.#dismissSubtasks(id);
    if (job.parentId !== null) this.#checkParent(job.parentId);
    return job;
  }

  /** Dismisses every job still waiting on `upstream`, and their own dependants. */
  #cascade(upstream: string, outcome: 'failed' | 'dismissed'): void {
    for (const job of [...this.#queue]) {
      if (job.dependsOn.includes(upstream))
        this.#dismiss(job.id, `Upstream job ${upstream} ${outcome}`, 'upstream-ended');
    }
  }

  #announce(type: JobEvent['type'], job: JobRecord): void {
    // Listeners include plugins' (subscribe): one that throws must not break the state change
    // that is being announced, nor keep the event from the other listeners.
    for (const listener of this.#events.listeners(job.id) as ((event: JobEvent) => void)[]) {
      try {
        listener({ type, job });
      } catch (error) {
        this.#options.log.error({ err: error, jobId: job.id }, 'job event listener failed');
      }
    }
    if (this.#events.listenerCount(ALL_JOBS) === 0) return;
    this.#broadcast({ type: taskEventType(type, job), job });
    if (job.group !== null && FINAL_STATUSES.has(job.status) && !this.#groupBusy(job.group)) {
      const counts = this.#options.store.groupCounts(job.group);
      this.#broadcast({ type: 'group.finished', group: job.group, counts });
    }
  }

  #broadcast(event: TaskEvent): void {
    for (const listener of this.#events.listeners(ALL_JOBS) as ((event: TaskEvent) => void)[]) {
      try {
        listener(event);
      } catch (error) {
        this.#options.log.error({ err: error, event: event.type }, 'task event listener failed');
      }
    }
  }

  /** Whether a job of the group is still queued or running (being cancelled counts). */
  #groupBusy(group: string): boolean {
    if (this.#queue.some((j) => j.group === group)) return true;
    for (const id of this.#awaiting) if (this.get(id)?.group === group) return true;
    for (const id of this.#running.keys()) {
      const job = this.get(id);
      if (job?.group === group && !FINAL_STATUSES.has(job.status)) return true;
    }
    return false;
  }

  async #removeFiles(job: JobRecord): Promise<void> {
    await rm(join(this.#options.jobsDir, job.id), { recursive: true, force: true });
    try {
      await this.type(job.processId)?.cleanup?.(job.id, job.result);
    } catch (error) {
      this.#options.log.error({ err: error, jobId: job.id }, 'task cleanup failed');
    }
  }
}
