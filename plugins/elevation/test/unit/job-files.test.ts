/**
 * JobFiles.produce: complete files are renamed into place; when the writer fails after writing
 * part of its files (a mosaic stopped mid-strip), nothing is left in the job's folder, so a
 * partial file can never be served under mosaic.tif or preview.png.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobFiles } from '../../src/job-files.ts';

const JOB = '0b8e5c1e-4a4f-4f8e-9a53-7f1d2b3c4d5e';
let root: string;
let files: JobFiles;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'relief-job-files-'));
  files = new JobFiles(root);
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('JobFiles.produce', () => {
  it('renames the written files into place and returns the result', async () => {
    const result = await files.produce(JOB, ['mosaic.tif', 'preview.png'], async ([tif, png]) => {
      await writeFile(tif!, 'tif');
      await writeFile(png!, 'png');
      return 42;
    });
    expect(result).toBe(42);
    expect((await readdir(files.folder(JOB))).sort()).toEqual(['mosaic.tif', 'preview.png']);
    expect(await readFile(join(files.folder(JOB), 'mosaic.tif'), 'utf8')).toBe('tif');
  });

  it('leaves nothing behind when the writer fails after a partial write', async () => {
    const failing = files.produce(JOB, ['mosaic.tif', 'preview.png'], async ([tif]) => {
      await writeFile(tif!, 'half a mosaic');
      throw new Error('tile unreadable');
    });
    await expect(failing).rejects.toThrow('tile unreadable');
    expect(await readdir(files.folder(JOB))).toEqual([]);
  });
});
