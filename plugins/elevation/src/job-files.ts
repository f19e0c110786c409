/**
 * A job's output files (`<data>/elevation/jobs/<jobId>/mosaic.tif`, `preview.png`). Workers write
 * to temporary names handed to them; only complete files are renamed into place, and the main
 * thread removes the temporaries whatever happens to the worker.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export class JobFiles {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  folder(jobId: string): string {
    return join(this.#root, jobId);
  }

  /** Runs `write` with temporary paths for `names`, then renames them all into place. */
  async produce<T>(
    jobId: string,
    names: readonly string[],
    write: (paths: string[]) => Promise<T>,
  ): Promise<T> {
    const folder = this.folder(jobId);
    await mkdir(folder, { recursive: true });
    const temps = names.map((name) => join(folder, `.${name}.${randomUUID()}.tmp`));
    try {
      const result = await write(temps);
      for (const [i, name] of names.entries()) await rename(temps[i] as string, join(folder, name));
      return result;
    } finally {
      await Promise.all(temps.map((temp) => rm(temp, { force: true })));
    }
  }

  async remove(jobId: string): Promise<void> {
    await rm(this.folder(jobId), { recursive: true, force: true });
  }
}
