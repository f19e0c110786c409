import type { WorkerTools } from '../../../../src/pool/pool-job.ts';

/** Spins for `ms` milliseconds of wall time, reporting progress ten times. */
export function burn({ ms }: { ms: number }, tools: WorkerTools): number {
  const start = Date.now();
  let iterations = 0;
  let reported = 0;
  for (let elapsed = 0; elapsed < ms; elapsed = Date.now() - start) {
    for (let i = 0; i < 10_000; i++) iterations += Math.sqrt(i) > -1 ? 1 : 0;
    const tenth = Math.floor((elapsed / ms) * 10);
    if (tenth > reported) tools.progress((reported = tenth) * 10);
  }
  return iterations;
}
