import { describe, expect, it } from 'vitest';
import { BAND_ROWS, fillFromGrid, type GridPiece } from '../../../src/raster/grid-sampler.ts';
import { RASTER_NODATA } from '../../../src/raster/raster-types.ts';

/** A grid whose sample (row, col) is row * 4 + col, counting the rows each read asks for. */
function countingPiece(outputRows: number, outputCols: number, gridRows: number) {
  const reads: number[] = [];
  const piece: GridPiece = {
    colFirst: 0,
    colPos: Float64Array.from({ length: outputCols }, (_, k) => k),
    rowFirst: 0,
    // Output row j samples grid position j * (gridRows - 1) / (outputRows - 1): all grid rows used.
    rowPos: Float64Array.from(
      { length: outputRows },
      (_, j) => (j * (gridRows - 1)) / (outputRows - 1),
    ),
    gridWidth: outputCols,
    gridHeight: gridRows,
    readRows(rows) {
      reads.push(rows.length);
      return Promise.resolve(
        rows.map((row) => Int16Array.from({ length: outputCols }, (_, col) => row * 4 + col)),
      );
    },
  };
  return { piece, reads };
}

describe('fillFromGrid', () => {
  it('reads a tall window a band of rows at a time, not every source row at once', async () => {
    const height = 5 * BAND_ROWS + 7;
    const { piece, reads } = countingPiece(height, 3, 4 * height);
    const values = new Int16Array(height * 3).fill(RASTER_NODATA);
    await fillFromGrid(values, 3, piece, 'nearest');
    expect(reads).toHaveLength(6);
    expect(Math.max(...reads)).toBe(BAND_ROWS);
    for (const j of [0, BAND_ROWS - 1, BAND_ROWS, 3 * BAND_ROWS + 5, height - 1]) {
      const row = Math.round((j * (4 * height - 1)) / (height - 1));
      expect([...values.subarray(j * 3, j * 3 + 3)]).toEqual([row * 4, row * 4 + 1, row * 4 + 2]);
    }
  });

  it('blends bilinear rows across band edges as within a band', async () => {
    const height = 2 * BAND_ROWS + 1;
    const { piece, reads } = countingPiece(height, 2, 3 * height);
    const values = new Int16Array(height * 2).fill(RASTER_NODATA);
    await fillFromGrid(values, 2, piece, 'bilinear');
    expect(Math.max(...reads)).toBeLessThanOrEqual(2 * BAND_ROWS);
    for (let j = 0; j < height; j++) {
      const position = (j * (3 * height - 1)) / (height - 1);
      // Linear in the row: the blend of rows floor and floor + 1 is position * 4.
      expect(values[j * 2]).toBe(Math.round(position * 4));
    }
  });
});
