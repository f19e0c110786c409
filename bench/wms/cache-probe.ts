/**
 * The decoded-row cache's effect on one GetMap render, without HTTP, the pool or PNG encoding:
 * renderRasterRGBA (what a pool thread runs for a raster layer) called directly in this thread,
 * over the first boxes of the sequence. A warm-up pass on other boxes first warms the JIT, then
 * the cache is cleared, so pass 1 differs from pass 2 only in the cache: pass 1 reads and
 * decodes every source row it needs, pass 2 finds them cached.
 */
import { clearTileCache, tileCacheStats } from '../../src/raster/decoded-tile-cache.ts';
import { renderRasterRGBA } from '../../src/raster/raster-worker.ts';
import type { MapBox } from './bboxes.ts';
import { gridBbox } from './bboxes.ts';

export interface CacheProbe {
  boxes: number;
  coldMsPerMap: number;
  warmMsPerMap: number;
  coldP50Ms: number;
  warmP50Ms: number;
  /** Source rows read and decoded in pass 1, and their MB (decoded Int16). */
  rowsRead: number;
  mbRead: number;
  /** Row look-ups answered from the cache in pass 2, of all. */
  warmHitRate: number;
}

async function pass(folder: string, boxes: readonly MapBox[], size: number): Promise<number[]> {
  const times: number[] = [];
  for (const box of boxes) {
    const started = performance.now();
    await renderRasterRGBA({
      request: {
        source: { kind: 'hgt-folder', path: folder },
        crs: box.crs,
        bbox: gridBbox(box),
        width: size,
        height: size,
      },
      style: 'hillshade',
    });
    times.push(performance.now() - started);
  }
  return times;
}

function p50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export async function probeRowCache(
  folder: string,
  warmUp: readonly MapBox[],
  boxes: readonly MapBox[],
  size: number,
): Promise<CacheProbe> {
  await pass(folder, warmUp, size);
  clearTileCache();
  const cold = await pass(folder, boxes, size);
  const afterCold = tileCacheStats();
  const warm = await pass(folder, boxes, size);
  const afterWarm = tileCacheStats();
  const warmLookups =
    afterWarm.hits - afterCold.hits + (afterWarm.misses - afterCold.misses) || NaN;
  const result: CacheProbe = {
    boxes: boxes.length,
    coldMsPerMap: mean(cold),
    warmMsPerMap: mean(warm),
    coldP50Ms: p50(cold),
    warmP50Ms: p50(warm),
    rowsRead: afterCold.misses,
    mbRead: afterCold.bytesRead / 1e6,
    warmHitRate: (afterWarm.hits - afterCold.hits) / warmLookups,
  };
  clearTileCache();
  return result;
}
