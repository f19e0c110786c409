/**
 * An HGT source (hgt-folder or hgt-files) as grid pieces for a window: each output pixel belongs
 * to the 1°×1° cell its centre lies in (west and south edges included), and reads that cell's
 * tile on the tile's own grid, so SRTM1 and SRTM3 tiles mix. A cell without a file stays nodata.
 */
import { closeSync, openSync, statSync } from 'node:fs';
import type { CachedFile } from './decoded-tile-cache.ts';
import { cachedRows, fileVersion } from './decoded-tile-cache.ts';
import type { GridPiece } from './grid-sampler.ts';
import { hgtSourceIndex, type HgtTileIndex } from './hgt-tile-index.ts';
import { hgtTileKey } from './hgt-tile-name.ts';
import type { HgtSamples } from './hgt-tile-reader.ts';
import { hgtSamplesOf, readHgtRows } from './hgt-tile-reader.ts';
import type { PixelCentres } from './raster-crs.ts';
import type { RasterSource } from './raster-types.ts';

type HgtSource = Extract<RasterSource, { kind: 'hgt-folder' | 'hgt-files' }>;

interface CellRun {
  /** The cell's south (latitude) or west (longitude) edge. */
  cell: number;
  first: number;
  last: number;
  /**
   * The run's centres lie exactly on the cell's south or west edge. HGT tiles share their edge
   * samples, so these can also be read from the neighbour below (south or west) when this
   * cell has no tile: a tile set's north row and east column are not lost.
   */
  onEdge: boolean;
}

export function hgtPieces(source: HgtSource, centres: PixelCentres): GridPiece[] {
  const index = hgtSourceIndex(source);
  if (index.size === 0) return [];
  const columns = cellRuns(centres.lons, 180);
  const rows = cellRuns(centres.lats, 90);
  const pieces: GridPiece[] = [];
  for (const rowRun of rows) {
    for (const colRun of columns) {
      const found = findTile(index, rowRun, colRun, source.kind === 'hgt-files');
      if (found === undefined) continue;
      const { file, latCell, lonCell } = found;
      const step = file.samples - 1;
      pieces.push({
        colFirst: colRun.first,
        colPos: positions(centres.lons, colRun, (lon) => (lon - lonCell) * step),
        rowFirst: rowRun.first,
        rowPos: positions(centres.lats, rowRun, (lat) => (latCell + 1 - lat) * step),
        gridWidth: file.samples,
        gridHeight: file.samples,
        readRows: (wanted) => readTileRows(file, wanted),
      });
    }
  }
  return pieces;
}

/** The tile of a run pair's cell, or for edge runs the neighbour's that holds the same samples. */
function findTile(
  index: HgtTileIndex,
  rowRun: CellRun,
  colRun: CellRun,
  required: boolean,
): { file: TileFile; latCell: number; lonCell: number } | undefined {
  const latCells = rowRun.onEdge ? [rowRun.cell, rowRun.cell - 1] : [rowRun.cell];
  const lonCells = colRun.onEdge ? [colRun.cell, colRun.cell - 1] : [colRun.cell];
  for (const latCell of latCells) {
    for (const lonCell of lonCells) {
      const path = index.get(hgtTileKey(latCell, lonCell));
      const file = path === undefined ? undefined : tileFile(path, required);
      if (file !== undefined) return { file, latCell, lonCell };
    }
  }
  return undefined;
}

interface TileFile extends CachedFile {
  samples: HgtSamples;
}

/** The file's version and grid; undefined when it is gone or (in a folder) not a tile. */
function tileFile(path: string, required: boolean): TileFile | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return undefined;
  const samples = hgtSamplesOf(stats.size);
  if (samples === undefined) {
    if (required) throw new Error(`${path}: ${stats.size} bytes, not an SRTM1 or SRTM3 tile`);
    return undefined;
  }
  return { path, version: fileVersion(stats), samples };
}

async function readTileRows(file: TileFile, rows: readonly number[]): Promise<Int16Array[]> {
  let fd: number | undefined;
  try {
    return await cachedRows(file, rows, (first, count) =>
      readHgtRows((fd ??= openSync(file.path, 'r')), file.samples, first, count),
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Runs of adjacent pixels whose centres lie in the same 1° cell, from centres that increase or
 * decrease monotonically; centres outside ±limit belong to no cell. The last cell takes the
 * world's edge (lon 180, lat 90).
 */
function cellRuns(centres: Float64Array, limit: number): CellRun[] {
  const runs: CellRun[] = [];
  for (let k = 0; k < centres.length; k++) {
    const value = centres[k]!;
    if (!(value >= -limit && value <= limit)) continue;
    const cell = value === limit ? limit - 1 : Math.floor(value);
    // Within float noise of the edge: a centre computed as 46.99999999999 or 47.00000000001.
    const onEdge = Math.abs(value - Math.round(value)) < 1e-9 && cell > -limit;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.cell === cell && last.onEdge === onEdge && last.last === k - 1) {
      last.last = k;
    } else runs.push({ cell, first: k, last: k, onEdge });
  }
  return runs;
}

function positions(
  centres: Float64Array,
  run: CellRun,
  toGrid: (value: number) => number,
): Float64Array {
  const out = new Float64Array(run.last - run.first + 1);
  for (let k = 0; k < out.length; k++) out[k] = toGrid(centres[run.first + k]!);
  return out;
}
