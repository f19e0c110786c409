/**
 * The mosaic's pixel grid and its filling. Pixel centres sit on HGT samples of the finest tile
 * grid: pixel (x, y) is the sample with global indices (westIndex + x·step, northIndex − y·step),
 * i.e. at lon = (westIndex + x·step) / perDegree, lat = (northIndex − y·step) / perDegree. With
 * step 1 the mosaic is the samples themselves; larger areas take every step-th sample (nearest).
 * Pixels outside the area (inside-or-on counts, see polygon-scanline.ts) and pixels of cells
 * with no file stay nodata. Where tiles of different resolutions meet, the finer tile's samples
 * win the shared edge; a coarser tile is sampled at its nearest sample.
 */
import type { TileFile } from '../contracts.ts';
import { HGT_VOID } from '../contracts.ts';
import { ROW_BLOCK, tileKey, withRows } from './hgt-grid.ts';
import type { Scanline } from './polygon-scanline.ts';
import { indexRange } from './polygon-scanline.ts';

export interface MosaicGrid {
  /** Samples per degree of the grid the pixels sit on (samples - 1 of the finest tiles). */
  perDegree: number;
  /** Decimation factor: samples per pixel along each axis. */
  step: number;
  /** Global sample indices of the first (north-west) pixel's centre. */
  westIndex: number;
  northIndex: number;
  width: number;
  height: number;
}

/** Tolerance, in samples, when snapping the bbox outward: absorbs float noise like 46.1·3600. */
const SNAP_EPSILON = 1e-6;

/** The grid over `bbox` snapped outward to the samples, decimated to fit `maxSize`. */
export function planGrid(
  bbox: [number, number, number, number],
  perDegree: number,
  maxSize: number,
): MosaicGrid {
  if (!(maxSize >= 2)) throw new RangeError(`maxSize must be at least 2, got ${maxSize}`);
  const [west, south, east, north] = bbox;
  const westIndex = Math.floor(west * perDegree + SNAP_EPSILON);
  const eastIndex = Math.max(westIndex, Math.ceil(east * perDegree - SNAP_EPSILON));
  const southIndex = Math.floor(south * perDegree + SNAP_EPSILON);
  const northIndex = Math.max(southIndex, Math.ceil(north * perDegree - SNAP_EPSILON));
  const spanX = eastIndex - westIndex;
  const spanY = northIndex - southIndex;
  // The smallest step whose grid, still reaching the east and south edges, fits maxSize.
  const step = Math.max(1, Math.ceil(spanX / (maxSize - 1)), Math.ceil(spanY / (maxSize - 1)));
  return {
    perDegree,
    step,
    westIndex,
    northIndex,
    width: Math.ceil(spanX / step) + 1,
    height: Math.ceil(spanY / step) + 1,
  };
}

/** Outer edges of the pixel grid: [west, south, east, north] in degrees. */
export function gridBounds(grid: MosaicGrid): [number, number, number, number] {
  const { perDegree, step, westIndex, northIndex, width, height } = grid;
  return [
    (westIndex - step / 2) / perDegree,
    (northIndex - (height - 1) * step - step / 2) / perDegree,
    (westIndex + (width - 1) * step + step / 2) / perDegree,
    (northIndex + step / 2) / perDegree,
  ];
}

/** The pixels: nodata everywhere, then each tile's samples inside the area copied in. */
export function fillGrid(
  grid: MosaicGrid,
  tiles: readonly TileFile[],
  scanline: Scanline,
): Int16Array {
  const { width, height } = grid;
  const pixels = new Int16Array(width * height).fill(HGT_VOID);
  const spans = rowSpans(grid, scanline);
  const done = new Set<string>();
  // Finer tiles last: on an edge shared with a coarser tile, the finer tile's samples win.
  for (const file of [...tiles].sort((a, b) => a.samples - b.samples)) {
    if (done.has(tileKey(file.tile))) continue;
    done.add(tileKey(file.tile));
    copyTile(grid, file, spans, pixels);
  }
  return pixels;
}

/** Per pixel row, the pixel column ranges [x0, x1, x2, x3, ...] inside the area. */
function rowSpans(grid: MosaicGrid, scanline: Scanline): number[][] {
  const { perDegree, step, westIndex, northIndex, width, height } = grid;
  return Array.from({ length: height }, (_, y) => {
    const intervals = scanline.intervalsAt((northIndex - y * step) / perDegree);
    const spans: number[] = [];
    for (let i = 0; i < intervals.length; i += 2) {
      const range = indexRange(intervals[i]!, intervals[i + 1]!, perDegree);
      if (range === null) continue;
      const x0 = Math.max(0, Math.ceil((range[0] - westIndex) / step));
      const x1 = Math.min(width - 1, Math.floor((range[1] - westIndex) / step));
      if (x0 <= x1) spans.push(x0, x1);
    }
    return spans;
  });
}

function copyTile(grid: MosaicGrid, file: TileFile, spans: number[][], pixels: Int16Array): void {
  const { perDegree, step, westIndex, northIndex, width, height } = grid;
  const { tile, samples } = file;
  // Pixel rows and columns whose centre lies on this tile (its edges included).
  const tileWest = tile.lon * perDegree;
  const tileNorth = (tile.lat + 1) * perDegree;
  const yFirst = Math.max(0, Math.ceil((northIndex - tileNorth) / step));
  const yLast = Math.min(height - 1, Math.floor((northIndex - tileNorth + perDegree) / step));
  const xFirst = Math.max(0, Math.ceil((tileWest - westIndex) / step));
  const xLast = Math.min(width - 1, Math.floor((tileWest + perDegree - westIndex) / step));
  if (yFirst > yLast || xFirst > xLast) return;

  const ratio = (samples - 1) / perDegree; // 1, or 1/3 for an SRTM3 tile on an SRTM1 grid
  // Consecutive source rows are read in blocks; a decimated mosaic reads only the rows it uses.
  const blockRows = step * ratio > 1 ? 1 : ROW_BLOCK;
  withRows(file, blockRows, (rowAt) => {
    for (let y = yFirst; y <= yLast; y++) {
      const rowSpans = spans[y]!;
      if (rowSpans.length === 0) continue;
      const data = rowAt(Math.round((tileNorth - (northIndex - y * step)) * ratio));
      const target = y * width;
      for (let i = 0; i < rowSpans.length; i += 2) {
        const x0 = Math.max(xFirst, rowSpans[i]!);
        const x1 = Math.min(xLast, rowSpans[i + 1]!);
        if (x0 > x1) continue;
        if (step === 1 && ratio === 1) {
          const column = westIndex + x0 - tileWest;
          pixels.set(data.subarray(column, column + x1 - x0 + 1), target + x0);
          continue;
        }
        for (let x = x0; x <= x1; x++) {
          const column = Math.round((westIndex + x * step - tileWest) * ratio);
          pixels[target + x] = data[column]!;
        }
      }
    }
  });
}
