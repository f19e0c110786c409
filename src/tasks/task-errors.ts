/**
 * Errors of the task subsystem. `TaskFailure` is what a task throws for an expected failure: its
 * message is shown to clients as the job's error. Any other error fails the job with a generic
 * message and is logged in full; one of a full or read-only file system (storage-failure.ts)
 * gets a message that says so.
 */
export class TaskFailure extends Error {
  override readonly name = 'TaskFailure';
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
