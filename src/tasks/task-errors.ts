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

export class TaskSubmitError extends Error {
  override readonly name = 'TaskSubmitError';
  constructor(
    readonly kind: 'no-such-process' | 'invalid-input' | 'invalid-option' | 'shutting-down',
    message: string,
    readonly locator?: string,
  ) {
    super(message);
  }
}
