/**
 * Errors of the task subsystem. `TaskFailure` is what a task throws for an expected failure: its
 * message is shown to clients as the job's error. Any other error fails the job with a generic
 * message and is logged in full; one of a full or read-only file system (storage-failure.ts)
 * gets a message that says so.
 */
export class TaskFailure extends Error {
  override readonly name = 'TaskFailure';
  /** Per-item errors shown with the job's error (a failed tile each, say); at most 100 kept. */
  readonly items: readonly ProblemItem[] | undefined;

  constructor(message: string, options?: { items?: readonly ProblemItem[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.items = options?.items;
  }
}

/** One item of a job's error: what failed (a tile name, a feature id) and why. */
export interface ProblemItem {
  item: string;
  detail: string;
}

/**
 * A failed or dismissed job's error as its status document shows it, in the shape of RFC 9457
 * problem details: `type` tells the kind of ending apart for programs, `title` is fixed per type,
 * `detail` is this job's message.
 */
export interface JobProblem {
  type: string;
  title: string;
  detail: string;
  items?: ProblemItem[];
}

const JOB_PROBLEMS = {
  failed: 'The task reported a failure',
  'internal-error': 'The task failed because of an internal error',
  'invalid-result': 'The task returned a result that does not match its declared outputs',
  'storage-full': 'The data dir is full',
  'storage-read-only': 'The data dir is read-only',
  interrupted: 'A server restart interrupted the job',
  'process-unavailable': "The job's process is no longer available",
  dismissed: 'The job was dismissed',
  abandoned: 'The job was dismissed but did not stop in time',
  'upstream-ended': 'An upstream job failed or was dismissed',
} as const;

export type JobProblemKind = keyof typeof JOB_PROBLEMS;

/** Items beyond this are summed up in the detail, so a document stays small. */
const MAX_ITEMS = 100;

export function jobProblem(
  kind: JobProblemKind,
  detail: string,
  items?: readonly ProblemItem[],
): JobProblem {
  return {
    type: `urn:relief:job-problem:${kind}`,
    title: JOB_PROBLEMS[kind],
    detail,
    ...(items === undefined || items.length === 0
      ? {}
      : {
          items: items
            .slice(0, MAX_ITEMS)
            .map(({ item, detail }) => ({ item: String(item), detail: String(detail) })),
        }),
  };
}

/** The abort reason of a task that a client or an upstream failure dismissed. */
export class TaskCancelled extends Error {
  override readonly name = 'TaskCancelled';
}

/** The abort reason of tasks still running when the server shuts down; they resume on restart. */
export class TaskInterrupted extends Error {
  override readonly name = 'TaskInterrupted';
}

export type TaskSubmitErrorKind =
  | 'no-such-process'
  | 'invalid-input'
  | 'invalid-option'
  | 'shutting-down'
  /** The data dir has less free space than RELIEF_MIN_FREE_DISK: no room for a job's files. */
  | 'insufficient-storage'
  /** The data dir cannot be written (read-only, gone, or another server holds its lock). */
  | 'storage-unavailable';

export class TaskSubmitError extends Error {
  override readonly name = 'TaskSubmitError';
  constructor(
    readonly kind: TaskSubmitErrorKind,
    message: string,
    readonly locator?: string,
  ) {
    super(message);
  }
}

/**
 * The HTTP status for a refused submission: the client's fault (400, 404) or the server's state
 * (503 while shutting down or without a writable data dir, 507 Insufficient Storage when the disk
 * is nearly full), so that routes of the core and of plugins answer alike.
 */
export function submitErrorStatus(error: TaskSubmitError): 400 | 404 | 503 | 507 {
  switch (error.kind) {
    case 'no-such-process':
      return 404;
    case 'invalid-input':
    case 'invalid-option':
      return 400;
    case 'insufficient-storage':
      return 507;
    case 'shutting-down':
    case 'storage-unavailable':
      return 503;
  }
}
