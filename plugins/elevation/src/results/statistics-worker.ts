/**
 * Pool worker: min / max / mean and void count over the HGT samples whose point lies inside the
 * area (inside-or-on the boundary: see polygon-scanline.ts). CPU-bound, tens of millions of
 * samples per tile, so the polygon test is done per row (longitude intervals) and the inner loop
 * only reads an Int16Array.
 *
 * Samples on edges shared by adjacent tiles are counted once (sample-ownership.ts). No-data cells
 * (404 upstream) have no file: their samples inside the area count as voids, on the finest grid
 * among the given tiles (SRTM1 when there are none). With mixed resolutions, a shared edge is
 * sampled at its owner's resolution.
 */
import type { ElevationStatistics, StatisticsInput, TileId } from '../contracts.ts';
import { HGT_VOID } from '../contracts.ts';
import {
  HGT_ROW_BLOCK as ROW_BLOCK,
  withHgtRows as withRows,
  type HgtRowReader as RowReader,
  type WorkerTools,
} from 'relief/worker';
import { finestSamples, tileKey } from './hgt-grid.ts';
import type { Scanline } from './polygon-scanline.ts';
import { createScanline, indexRange } from './polygon-scanline.ts';
import type { TileStatus } from './sample-ownership.ts';
import { ownedColumns, tileOwnership } from './sample-ownership.ts';

interface Totals {
  min: number;
  max: number;
  sum: number;
  count: number;
  voidCount: number;
}

/** `tools` is absent in direct calls (tests, benchmarks). */
export function computeStatistics(
  input: StatisticsInput,
  tools?: WorkerTools,
): ElevationStatistics {
  const stepAside = tools === undefined ? undefined : () => tools.yieldToInteractive();
  const scanline = createScanline(input.area.geometry);
  const status = new Map<string, TileStatus>();
  for (const tile of input.noDataTiles) status.set(tileKey(tile), 'no-data');
  for (const file of input.tiles) status.set(tileKey(file.tile), 'data'); // data wins a duplicate
  const statusOf = (tile: TileId) => status.get(tileKey(tile));
  const totals: Totals = { min: Infinity, max: -Infinity, sum: 0, count: 0, voidCount: 0 };

  const seen = new Set<string>();
  const once = (tile: TileId) => {
    const key = tileKey(tile);
    const first = !seen.has(key);
    seen.add(key);
    return first;
  };
  for (const file of input.tiles) {
    if (!once(file.tile)) continue;
    withRows(
      file,
      ROW_BLOCK,
      (rowAt) => addTile(file.tile, file.samples, rowAt, scanline, statusOf, totals),
      stepAside,
    );
  }
  const noDataSamples = finestSamples(input.tiles);
  for (const tile of input.noDataTiles) {
    if (once(tile)) addTile(tile, noDataSamples, null, scanline, statusOf, totals);
  }

  const { min, max, sum, count, voidCount } = totals;
  return count === 0
    ? { min: null, max: null, mean: null, count, voidCount }
    : { min, max, mean: sum / count, count, voidCount };
}

/** Adds the owned samples of one tile inside the area; `rowAt` null = a no-data cell (all void). */
function addTile(
  tile: TileId,
  samples: number,
  rowAt: RowReader | null,
  scanline: Scanline,
  statusOf: (tile: TileId) => TileStatus,
  totals: Totals,
): void {
  const last = samples - 1; // also the number of samples per degree
  const ownership = tileOwnership(tile, statusOf);
  const columnsOf = {
    top: ownedColumns(ownership.top, samples),
    inner: ownedColumns(ownership.inner, samples),
    bottom: ownedColumns(ownership.bottom, samples),
  };
  const firstColumnIndex = tile.lon * last; // global index of column 0
  for (let row = 0; row <= last; row++) {
    const owned = row === 0 ? columnsOf.top : row === last ? columnsOf.bottom : columnsOf.inner;
    if (owned.length === 0) continue;
    const intervals = scanline.intervalsAt(((tile.lat + 1) * last - row) / last);
    for (let i = 0; i < intervals.length; i += 2) {
      const range = indexRange(intervals[i]!, intervals[i + 1]!, last);
      if (range === null) continue;
      for (let k = 0; k < owned.length; k += 2) {
        const from = Math.max(owned[k]!, range[0] - firstColumnIndex);
        const to = Math.min(owned[k + 1]!, range[1] - firstColumnIndex);
        if (from > to) continue;
        if (rowAt === null) totals.voidCount += to - from + 1;
        else addSamples(rowAt(row), from, to, totals);
      }
    }
  }
}

/** The hot loop: plain locals so the engine keeps everything in registers. */
function addSamples(data: Int16Array, from: number, to: number, totals: Totals): void {
  let { min, max, sum, count, voidCount } = totals;
  for (let i = from; i <= to; i++) {
    const value = data[i]!;
    if (value === HGT_VOID) {
      voidCount++;
      continue;
    }
    if (value < min) min = value;
    if (value > max) max = value;
    sum += value;
    count++;
  }
  Object.assign(totals, { min, max, sum, count, voidCount });
}
