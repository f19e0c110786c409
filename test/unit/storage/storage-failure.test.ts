import { describe, expect, it } from 'vitest';
import {
  describeStorageFailure,
  isStorageFailure,
  storageFailureCode,
} from '../../../src/storage/storage-failure.ts';

const fsError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('storageFailureCode', () => {
  it.each(['ENOSPC', 'EDQUOT', 'EROFS'])('recognises %s by its code', (code) => {
    expect(storageFailureCode(fsError(code, `${code}: something, write`))).toBe(code);
    expect(storageFailureCode(fsError(code, 'reworded'))).toBe(code);
  });

  it('recognises one from a pool thread, which arrives without its code', () => {
    // What crossing a thread leaves of an fs error: its message, not its code.
    const cloned = structuredClone(fsError('ENOSPC', 'ENOSPC: no space left on device, write'));
    expect((cloned as NodeJS.ErrnoException).code).toBeUndefined();
    expect(storageFailureCode(cloned)).toBe('ENOSPC');
  });

  it('looks through wrapping errors (cause)', () => {
    const wrapped = new Error('download failed', {
      cause: new Error('step', { cause: fsError('EDQUOT', 'x') }),
    });
    expect(storageFailureCode(wrapped)).toBe('EDQUOT');
  });

  it('ignores other errors: they may be worth a retry or are internal', () => {
    expect(storageFailureCode(fsError('EACCES', 'EACCES: permission denied'))).toBeUndefined();
    expect(storageFailureCode(fsError('ECONNRESET', 'socket hang up'))).toBeUndefined();
    expect(storageFailureCode(new Error('the text mentions ENOSPC: later'))).toBeUndefined();
    expect(storageFailureCode('ENOSPC: not an Error')).toBeUndefined();
    expect(isStorageFailure(undefined)).toBe(false);
    expect(isStorageFailure(fsError('EROFS', 'read-only'))).toBe(true);
  });
});

describe('describeStorageFailure', () => {
  it('says "disk full" for a full file system or quota, naming the data dir', () => {
    expect(describeStorageFailure('ENOSPC', '/data')).toBe(
      'disk full: no space left on the file system of the data dir /data (ENOSPC); free some space or enlarge the volume, then submit the job again',
    );
    expect(describeStorageFailure('EDQUOT', '/data')).toMatch(
      /^disk full: the disk quota of the data dir \/data is used up \(EDQUOT\)/,
    );
  });

  it('says "read-only" for a read-only file system', () => {
    expect(describeStorageFailure('EROFS', '/data')).toMatch(
      /^data dir read-only: the file system of the data dir \/data is mounted read-only \(EROFS\)/,
    );
  });
});
