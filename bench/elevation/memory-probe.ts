/**
 * Pool-worker side of bench/elevation/worker-memory.ts: runs one elevation worker function on a
 * pool thread and reports that thread's memory (V8 heap, ArrayBuffers) around it.
 */
import { workerTools } from '../../src/pool/pool-job.ts';
import { fetchTile } from '../../plugins/elevation/src/fetch/fetch-worker.ts';
import { buildMosaic } from '../../plugins/elevation/src/results/mosaic-worker.ts';
import { computeStatistics } from '../../plugins/elevation/src/results/statistics-worker.ts';
import type { MosaicInput, StatisticsInput } from '../../plugins/elevation/src/contracts.ts';

const MiB = 1024 * 1024;

export interface ThreadMemory {
  ms: number;
  /** MiB at the end (and the highest seen, for the asynchronous fetch). */
  heapUsed: number;
  arrayBuffers: number;
  peakHeapUsed: number;
  peakArrayBuffers: number;
}

async function measure(work: () => Promise<unknown>): Promise<ThreadMemory> {
  let peakHeap = 0;
  let peakBuffers = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  };
  // Fires between the fetch's awaits; the synchronous results workers only give the end state.
  const timer = setInterval(sample, 5);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  const end = process.memoryUsage();
  return {
    ms: Math.round(performance.now() - started),
    heapUsed: Math.round(end.heapUsed / MiB),
    arrayBuffers: Math.round(end.arrayBuffers / MiB),
    peakHeapUsed: Math.round(peakHeap / MiB),
    peakArrayBuffers: Math.round(peakBuffers / MiB),
  };
}

/** Loads the worker modules, so the measured run pays for its data only. */
export function warm(): number {
  return process.memoryUsage().rss;
}

export function fetchTiles(input: { url: string; tiles: number; dir: string }) {
  return measure(async () => {
    for (let i = 0; i < input.tiles; i++) {
      const result = await fetchTile(
        { url: input.url, tempPath: `${input.dir}/${i}.hgt`, timeoutMs: 60_000 },
        workerTools(),
      );
      if (result.kind !== 'ok') throw new Error(`fetch failed: ${JSON.stringify(result)}`);
    }
  });
}

export function statistics(input: StatisticsInput) {
  return measure(async () => computeStatistics(input));
}

export function mosaic(input: MosaicInput) {
  return measure(() => buildMosaic(input));
}
