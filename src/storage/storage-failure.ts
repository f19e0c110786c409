/**
 * File-system errors that no retry can cure: the data dir's file system is full (ENOSPC), its
 * quota is used up (EDQUOT) or it is mounted read-only (EROFS). A task that meets one fails at
 * once with a message saying so, rather than retrying the step or reporting an internal error.
 */

export type StorageFailureCode = 'ENOSPC' | 'EDQUOT' | 'EROFS';

const CODES: ReadonlySet<string> = new Set<StorageFailureCode>(['ENOSPC', 'EDQUOT', 'EROFS']);

/**
 * An error from a pool thread arrives without its `code` (a structured clone keeps only the name,
 * message and stack), but Node's file-system messages begin with it: "ENOSPC: no space left…".
 */
const MESSAGE_CODE = /^(ENOSPC|EDQUOT|EROFS): /;

/** The storage failure behind `error` (or its `cause` chain), if there is one. */
export function storageFailureCode(error: unknown): StorageFailureCode | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code !== undefined && CODES.has(code)) return code as StorageFailureCode;
    const fromMessage = MESSAGE_CODE.exec(current.message)?.[1];
    if (fromMessage !== undefined) return fromMessage as StorageFailureCode;
    current = current.cause;
  }
  return undefined;
}

/** Whether `error` is a full or read-only file system: retrying will not help. */
export function isStorageFailure(error: unknown): boolean {
  return storageFailureCode(error) !== undefined;
}

/** The message a job that failed this way shows its client, naming the data dir. */
export function describeStorageFailure(code: StorageFailureCode, dataDir: string): string {
  switch (code) {
    case 'ENOSPC':
      return `disk full: no space left on the file system of the data dir ${dataDir} (ENOSPC); free some space or enlarge the volume, then submit the job again`;
    case 'EDQUOT':
      return `disk full: the disk quota of the data dir ${dataDir} is used up (EDQUOT); free some space or raise the quota, then submit the job again`;
    case 'EROFS':
      return `data dir read-only: the file system of the data dir ${dataDir} is mounted read-only (EROFS); make it writable, then submit the job again`;
  }
}
