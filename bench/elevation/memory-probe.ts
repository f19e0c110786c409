/**
 * Pool-worker side of bench/elevation/worker-memory.ts: runs one elevation worker function on a
 * pool thread and reports that thread's memory (V8 heap, ArrayBuffers) around it.
 */
import { decodeTile } from '../../plugins/elevation/src/fetch/decode-worker.ts';
import { buildMosaic } from '../../plugins/elevation/src/results/mosaic-worker.ts';
import { computeStatistics } from '../../plugins/elevation/src/results/statistics-worker.ts';
import type { MosaicInput, StatisticsInput } from '../../plugins/elevation/src/contracts.ts';

const MiB = 1024 * 1024;

export interface ThreadMemory {
  ms: number;
  /** MiB at the end (and the highest seen between awaits). */
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
  // Fires between awaits (between tiles of the decode); synchronous work only gives the end state.
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

export function decodeTiles(input: { gzipPath: string; tiles: number; dir: string }) {
  return measure(async () => {
    for (let i = 0; i < input.tiles; i++) {
      const result = await decodeTile({
        gzipPath: input.gzipPath,
        hgtPath: `${input.dir}/${i}.hgt`,
      });
      if (result.kind !== 'ok') throw new Error(`decode failed: ${JSON.stringify(result)}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
}

export function statistics(input: StatisticsInput) {
  return measure(async () => computeStatistics(input));
}

export function mosaic(input: MosaicInput) {
  return measure(() => buildMosaic(input));
}
