/**
 * Means over regular k×k blocks of an Int16 raster fed row by row, so the preview of a mosaic
 * that is written strip by strip needs only the averaged raster (about twice the preview size
 * squared), never the mosaic. A block's mean is over its valid pixels; the last row and column
 * of blocks may be smaller. A block is nodata (NaN) when the pixel at its centre is, so the
 * outline stays as crisp as the area's instead of growing by partial blocks.
 */

/** Heights as floats, NaN = nodata. */
export interface FloatRaster {
  width: number;
  height: number;
  data: Float32Array;
}

export interface BlockAverager {
  /** Feeds whole rows (row-major, from the north), in order, any number at once. */
  addRows(rows: Int16Array): void;
  /** The block means; throws unless exactly the raster's rows were fed. */
  result(): FloatRaster;
}

/** An averager over k×k blocks of a `width` × `height` raster whose nodata value is `nodata`. */
export function createBlockAverager(
  width: number,
  height: number,
  nodata: number,
  k: number,
): BlockAverager {
  if (!(Number.isInteger(k) && k >= 1))
    throw new RangeError(`block size ${k} is not an integer ≥ 1`);
  const blocksWide = Math.ceil(width / k);
  const blocksHigh = Math.ceil(height / k);
  const data = new Float32Array(blocksWide * blocksHigh);
  // The block row being summed. Sums are float64 and taken in row-major order, as a whole-raster
  // pass would: the means come out the same to the last bit.
  const sums = new Float64Array(blocksWide);
  const counts = new Int32Array(blocksWide);
  const centreValid = new Uint8Array(blocksWide);
  // Source column of each block's centre, clamped into a narrower last block.
  const centreColumns = Int32Array.from({ length: blocksWide }, (_, x) =>
    Math.min(width - 1, x * k + (k >> 1)),
  );
  let row = 0; // the next source row

  const addRow = (rows: Int16Array, at: number) => {
    const blockRow = Math.floor(row / k);
    for (let sx = 0; sx < width; sx++) {
      const value = rows[at + sx]!;
      if (value === nodata) continue;
      const x = Math.floor(sx / k);
      sums[x]! += value;
      counts[x]!++;
    }
    if (row === Math.min(height - 1, blockRow * k + (k >> 1))) {
      for (let x = 0; x < blocksWide; x++) {
        centreValid[x] = rows[at + centreColumns[x]!] !== nodata ? 1 : 0;
      }
    }
    if (row === Math.min(height, (blockRow + 1) * k) - 1) {
      // The block row is complete (its centre row, never past its last row, was seen).
      for (let x = 0; x < blocksWide; x++) {
        data[blockRow * blocksWide + x] =
          centreValid[x] === 1 && counts[x]! > 0 ? sums[x]! / counts[x]! : NaN;
      }
      sums.fill(0);
      counts.fill(0);
    }
    row++;
  };

  return {
    addRows(rows) {
      if (rows.length % width !== 0) {
        throw new RangeError(`rows of ${width} values cannot hold ${rows.length}`);
      }
      const count = rows.length / width;
      if (row + count > height)
        throw new RangeError(`raster of ${height} rows given ${row + count}`);
      for (let i = 0; i < count; i++) addRow(rows, i * width);
    },
    result() {
      if (row !== height) throw new Error(`block averages asked after ${row} of ${height} rows`);
      return { width: blocksWide, height: blocksHigh, data };
    },
  };
}
