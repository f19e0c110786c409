/**
 * The mosaic's pixel grid and its filling. Pixel centres sit on HGT samples of the finest tile
 * grid: pixel (x, y) is the sample with global indices (westIndex + x·step, northIndex − y·step),
 * i.e. at lon = (westIndex + x·step) / perDegree, lat = (northIndex − y·step) / perDegree. With
 * step 1 the mosaic is the samples themselves; larger areas take every step-th sample (nearest).
 * Pixels outside the area (inside-or-on counts, see polygon-scanline.ts) and pixels of cells
 * with no file stay nodata. Where tiles of different resolutions meet, the finer tile's samples
 * win the shared edge; a coarser tile is sampled at its nearest sample. The grid is filled and
 * handed on strip by strip, so a mosaic of 8192² pixels never sits in memory whole.
 */
import type { TileFile } from '../contracts.ts';
import { HGT_VOID } from '../contracts.ts';
import { HGT_ROW_BLOCK as ROW_BLOCK, withHgtRows as withRows } from 'relief/worker';
import { tileKey } from './hgt-grid.ts';
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

/**
 * Bytes of pixels per strip (64 rows of the widest mosaic, 8192 pixels). Small next to the 400 MB
 * a job may peak at, yet each tile's rows for a strip still come in one read of tens of rows,
 * and a tile file is opened once per strip it overlaps (a few hundred opens for 64 tiles).
 */
export const STRIP_BYTES = 1024 * 1024;

/** Pixel rows in one strip of a grid `width` pixels wide. */
export function stripRowsFor(width: number): number {
  return Math.max(1, Math.floor(STRIP_BYTES / (width * Int16Array.BYTES_PER_ELEMENT)));
}

/**
 * Called with each strip of pixels, north to south: `rows.length / width` whole rows starting at
 * pixel row `firstRow`. The array is reused for the next strip: copy what must outlive the call.
 */
export type StripSink = (rows: Int16Array, firstRow: number) => void;

/**
 * The pixels, strip by strip (`stripRows` rows each, the last may be shorter): nodata
 * everywhere, then each tile's samples inside the area copied in. Only one strip is held, never
 * the whole grid (8192² Int16 is 128 MiB).
 */
export function fillStrips(
  grid: MosaicGrid,
  tiles: readonly TileFile[],
  scanline: Scanline,
  sink: StripSink,
  stripRows = stripRowsFor(grid.width),
): void {
  const { width, height } = grid;
  const placements = finestLast(tiles).flatMap((file) => placeTile(grid, file) ?? []);
  const rowsPerStrip = Math.max(1, Math.min(height, stripRows));
  const buffer = new Int16Array(rowsPerStrip * width);
  for (let firstRow = 0; firstRow < height; firstRow += rowsPerStrip) {
    const rows = Math.min(rowsPerStrip, height - firstRow);
    const pixels = buffer.subarray(0, rows * width).fill(HGT_VOID);
    const spans = rowSpans(grid, scanline, firstRow, rows);
    for (const placement of placements) copyTile(grid, placement, spans, firstRow, pixels);
    sink(pixels, firstRow);
  }
}

/**
 * The tiles in copying order, each tile once: finer tiles last, so on an edge shared with a
 * coarser tile the finer tile's samples win (the sort is stable: equal tiles keep their order).
 */
function finestLast(tiles: readonly TileFile[]): TileFile[] {
  const done = new Set<string>();
  return [...tiles]
    .sort((a, b) => a.samples - b.samples)
    .filter((file) => {
      if (done.has(tileKey(file.tile))) return false;
      done.add(tileKey(file.tile));
      return true;
    });
}

/** Where a tile lands: the pixel rows and columns whose centre lies on it (edges included). */
interface Placement {
  file: TileFile;
  /** Global sample indices (on the grid's perDegree) of the tile's west and north edges. */
  tileWest: number;
  tileNorth: number;
  /** Tile samples per grid sample: 1, or 1/3 for an SRTM3 tile on an SRTM1 grid. */
  ratio: number;
  xFirst: number;
  xLast: number;
  yFirst: number;
  yLast: number;
}

function placeTile(grid: MosaicGrid, file: TileFile): Placement | null {
  const { perDegree, step, westIndex, northIndex, width, height } = grid;
  const { tile, samples } = file;
  const tileWest = tile.lon * perDegree;
  const tileNorth = (tile.lat + 1) * perDegree;
  const yFirst = Math.max(0, Math.ceil((northIndex - tileNorth) / step));
  const yLast = Math.min(height - 1, Math.floor((northIndex - tileNorth + perDegree) / step));
  const xFirst = Math.max(0, Math.ceil((tileWest - westIndex) / step));
  const xLast = Math.min(width - 1, Math.floor((tileWest + perDegree - westIndex) / step));
  if (yFirst > yLast || xFirst > xLast) return null;
  const ratio = (samples - 1) / perDegree;
  return { file, tileWest, tileNorth, ratio, xFirst, xLast, yFirst, yLast };
}

/** For pixel rows firstRow.., the pixel column ranges [x0, x1, x2, x3, ...] inside the area. */
function rowSpans(
  grid: MosaicGrid,
  scanline: Scanline,
  firstRow: number,
  rows: number,
): number[][] {
  const { perDegree, step, westIndex, northIndex, width } = grid;
  return Array.from({ length: rows }, (_, i) => {
    const y = firstRow + i;
    const intervals = scanline.intervalsAt((northIndex - y * step) / perDegree);
    const spans: number[] = [];
    for (let j = 0; j < intervals.length; j += 2) {
      const range = indexRange(intervals[j]!, intervals[j + 1]!, perDegree);
      if (range === null) continue;
      const x0 = Math.max(0, Math.ceil((range[0] - westIndex) / step));
      const x1 = Math.min(width - 1, Math.floor((range[1] - westIndex) / step));
      if (x0 <= x1) spans.push(x0, x1);
    }
    return spans;
  });
}

/** Copies the tile's samples into the strip of pixel rows firstRow.. held in `pixels`. */
function copyTile(
  grid: MosaicGrid,
  placement: Placement,
  spans: number[][],
  firstRow: number,
  pixels: Int16Array,
): void {
  const { step, westIndex, northIndex, width } = grid;
  const { file, tileWest, tileNorth, ratio, xFirst, xLast } = placement;
  const yFirst = Math.max(placement.yFirst, firstRow);
  const yLast = Math.min(placement.yLast, firstRow + spans.length - 1);
  if (yFirst > yLast) return;
  if (!spans.slice(yFirst - firstRow, yLast - firstRow + 1).some((s) => s.length > 0)) return;

  const sourceRow = (y: number) => Math.round((tileNorth - (northIndex - y * step)) * ratio);
  // A decimated mosaic reads only the rows it uses; otherwise the strip's rows come in one read
  // (at most ROW_BLOCK rows, the statistics' block size).
  const blockRows =
    step * ratio > 1 ? 1 : Math.min(ROW_BLOCK, sourceRow(yLast) - sourceRow(yFirst) + 1);
  withRows(file, blockRows, (rowAt) => {
    for (let y = yFirst; y <= yLast; y++) {
      const rowSpans = spans[y - firstRow]!;
      if (rowSpans.length === 0) continue;
      const data = rowAt(sourceRow(y));
      const target = (y - firstRow) * width;
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
