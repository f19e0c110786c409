/**
 * Filling a window from one regular grid of samples (an HGT tile or a GeoTIFF band). Both output
 * CRSs and both source CRSs are separable, so the caller maps each output column and each
 * output row to a position in the grid once, and the per-pixel work is indexing only. Rows are
 * read in bands (BAND_ROWS), so the source rows held do not grow with the window's height.
 */
import { RASTER_NODATA, type Resampling } from './raster-types.ts';
import { roundHalfUp } from './round-half-up.ts';

/**
 * Output rows filled per read: the source rows a window needs are read and held a band at a
 * time, so a zoomed-out window over a wide grid (a GeoTIFF row is the file's whole width) holds
 * at most about 2 × BAND_ROWS source rows, not one per output row.
 */
export const BAND_ROWS = 256;

/** The part of a window that one grid of samples provides. */
export interface GridPiece {
  /**
   * Output columns colFirst … colFirst + colPos.length − 1 come from this grid: colPos[k] is the
   * position of column colFirst + k in the grid, in samples (0 = the centre of grid column 0).
   */
  colFirst: number;
  colPos: Float64Array;
  /** The same for output rows (0 = the centre of grid row 0, the north row). */
  rowFirst: number;
  rowPos: Float64Array;
  gridWidth: number;
  gridHeight: number;
  /** Grid rows (ascending, distinct), RASTER_NODATA where void; one array per row. */
  readRows(rows: readonly number[]): Promise<Int16Array[]>;
}

/** Writes the piece's pixels into `values` (a window `width` pixels wide). */
export async function fillFromGrid(
  values: Int16Array,
  width: number,
  piece: GridPiece,
  resampling: Resampling,
): Promise<void> {
  if (piece.colPos.length === 0 || piece.rowPos.length === 0) return;
  if (resampling === 'bilinear') await fillBilinear(values, width, piece);
  else await fillNearest(values, width, piece);
}

async function fillNearest(values: Int16Array, width: number, piece: GridPiece): Promise<void> {
  const cols = nearestIndices(piece.colPos, piece.gridWidth);
  const rows = nearestIndices(piece.rowPos, piece.gridHeight);
  for (let first = 0; first < rows.length; first += BAND_ROWS) {
    const band = rows.subarray(first, first + BAND_ROWS);
    const { distinct, rowOf } = await readDistinctRows(piece, [band]);
    for (let j = 0; j < band.length; j++) {
      const source = distinct[rowOf.get(band[j]!)!]!;
      const base = (piece.rowFirst + first + j) * width + piece.colFirst;
      for (let k = 0; k < cols.length; k++) values[base + k] = source[cols[k]!]!;
    }
  }
}

async function fillBilinear(values: Int16Array, width: number, piece: GridPiece): Promise<void> {
  const x = interpolation(piece.colPos, piece.gridWidth);
  const y = interpolation(piece.rowPos, piece.gridHeight);
  for (let first = 0; first < y.lower.length; first += BAND_ROWS) {
    const lower = y.lower.subarray(first, first + BAND_ROWS);
    const upper = y.upper.subarray(first, first + BAND_ROWS);
    const { distinct, rowOf } = await readDistinctRows(piece, [lower, upper]);
    for (let j = 0; j < lower.length; j++) {
      const north = distinct[rowOf.get(lower[j]!)!]!;
      const south = distinct[rowOf.get(upper[j]!)!]!;
      const wy = y.weight[first + j]!;
      const nearestRow = wy >= 0.5 ? south : north;
      const base = (piece.rowFirst + first + j) * width + piece.colFirst;
      for (let k = 0; k < x.lower.length; k++) {
        const c0 = x.lower[k]!;
        const c1 = x.upper[k]!;
        const wx = x.weight[k]!;
        if (nearestRow[wx >= 0.5 ? c1 : c0] === RASTER_NODATA) continue; // stays nodata
        values[base + k] = blend(north[c0]!, north[c1]!, south[c0]!, south[c1]!, wx, wy);
      }
    }
  }
}

/** Bilinear blend of the four corners (nw, ne, sw, se), leaving voids out. */
function blend(nw: number, ne: number, sw: number, se: number, wx: number, wy: number): number {
  const a = (1 - wx) * (1 - wy);
  const b = wx * (1 - wy);
  const c = (1 - wx) * wy;
  const d = wx * wy;
  const N = RASTER_NODATA;
  if (nw !== N && ne !== N && sw !== N && se !== N)
    return roundHalfUp(nw * a + ne * b + sw * c + se * d);
  // The nearest corner is valid and weighs at least 1/4, so the total is never 0.
  let sum = 0;
  let total = 0;
  if (nw !== N) {
    sum += nw * a;
    total += a;
  }
  if (ne !== N) {
    sum += ne * b;
    total += b;
  }
  if (sw !== N) {
    sum += sw * c;
    total += c;
  }
  if (se !== N) {
    sum += se * d;
    total += d;
  }
  return roundHalfUp(sum / total);
}

function nearestIndices(positions: Float64Array, size: number): Int32Array {
  const indices = new Int32Array(positions.length);
  for (let k = 0; k < positions.length; k++) {
    indices[k] = Math.min(size - 1, Math.max(0, Math.round(positions[k]!)));
  }
  return indices;
}

/** The two samples around each position and the weight of the upper one. */
function interpolation(positions: Float64Array, size: number) {
  const lower = new Int32Array(positions.length);
  const upper = new Int32Array(positions.length);
  const weight = new Float64Array(positions.length);
  for (let k = 0; k < positions.length; k++) {
    const position = Math.min(size - 1, Math.max(0, positions[k]!));
    const below = Math.min(size - 1, Math.floor(position));
    lower[k] = below;
    upper[k] = Math.min(size - 1, below + 1);
    weight[k] = upper[k] === below ? 0 : position - below;
  }
  return { lower, upper, weight };
}

/** Reads every grid row any of `lists` names, once. */
async function readDistinctRows(piece: GridPiece, lists: readonly Int32Array[]) {
  const wanted = new Set<number>();
  for (const list of lists) for (const row of list) wanted.add(row);
  const rows = [...wanted].sort((a, b) => a - b);
  const distinct = await piece.readRows(rows);
  const rowOf = new Map(rows.map((row, k) => [row, k]));
  return { distinct, rowOf };
}
