/**
 * The row-fed block averager against the whole-raster blockAverage it replaced (kept below,
 * verbatim, as the reference): the same Float32 bits for rasters of several shapes, block sizes
 * that do and do not divide them, nodata scattered and in patches, fed in strips of any height;
 * and its refusals.
 */
import { describe, expect, it } from 'vitest';
import type { FloatRaster } from '../../src/results/block-average.ts';
import { createBlockAverager } from '../../src/results/block-average.ts';

const NODATA = -32768;

interface HeightRaster {
  width: number;
  height: number;
  data: Int16Array;
  nodata: number;
}

/** hillshade.ts's blockAverage before the preview was fed by strips. */
function blockAverage(raster: HeightRaster, k: number): FloatRaster {
  const { data: source, nodata } = raster;
  const width = Math.ceil(raster.width / k);
  const height = Math.ceil(raster.height / k);
  const data = new Float32Array(width * height);
  const sums = new Float64Array(width);
  const counts = new Int32Array(width);
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    counts.fill(0);
    const rowEnd = Math.min(raster.height, (y + 1) * k);
    for (let sy = y * k; sy < rowEnd; sy++) {
      for (let sx = 0; sx < raster.width; sx++) {
        const value = source[sy * raster.width + sx]!;
        if (value === nodata) continue;
        const x = Math.floor(sx / k);
        sums[x]! += value;
        counts[x]!++;
      }
    }
    const centreRow = Math.min(raster.height - 1, y * k + (k >> 1));
    for (let x = 0; x < width; x++) {
      const centre =
        source[centreRow * raster.width + Math.min(raster.width - 1, x * k + (k >> 1))];
      data[y * width + x] = centre !== nodata && counts[x]! > 0 ? sums[x]! / counts[x]! : NaN;
    }
  }
  return { width, height, data };
}

/** Heights over the whole int16 range; nodata scattered (1 in 5) and in a disc. */
function raster(width: number, height: number, seed: number): HeightRaster {
  let state = seed;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const data = Int16Array.from({ length: width * height }, (_, p) => {
    const x = p % width;
    const y = Math.floor(p / width);
    if (random() < 0.2 || Math.hypot(x - width / 3, y - height / 2) < width / 5) return NODATA;
    return Math.floor(random() * 65535) - 32767;
  });
  return { width, height, data, nodata: NODATA };
}

function fedInStrips(source: HeightRaster, k: number, stripRows: number): FloatRaster {
  const averager = createBlockAverager(source.width, source.height, source.nodata, k);
  for (let y = 0; y < source.height; y += stripRows) {
    const rows = Math.min(stripRows, source.height - y);
    // A copy in a reused buffer, as the mosaic's strips come.
    averager.addRows(source.data.slice(y * source.width, (y + rows) * source.width));
  }
  return averager.result();
}

const bits = (r: FloatRaster) => new Uint32Array(r.data.buffer, r.data.byteOffset, r.data.length);

describe('createBlockAverager', () => {
  it.each([
    [1, 1, 1],
    [7, 5, 1],
    [7, 5, 2],
    [7, 5, 3],
    [7, 5, 10],
    [101, 53, 4],
    [100, 60, 5],
    [64, 200, 7],
  ])('matches blockAverage on %i×%i with k = %i, whatever the strips', (width, height, k) => {
    const source = raster(width, height, width * 1000 + height * 10 + k);
    const expected = blockAverage(source, k);
    for (const stripRows of [1, 2, 3, 17, height]) {
      const streamed = fedInStrips(source, k, stripRows);
      expect([streamed.width, streamed.height]).toEqual([expected.width, expected.height]);
      expect(Array.from(bits(streamed))).toEqual(Array.from(bits(expected)));
    }
    if (width * height > 1000) {
      // The large rasters have both nodata blocks and valid ones.
      expect(Array.from(expected.data).some(Number.isNaN)).toBe(true);
      expect(Array.from(expected.data).some(Number.isFinite)).toBe(true);
    }
  });

  it('averages valid pixels and is nodata where the block centre is', () => {
    const X = NODATA;
    // 4×3, k = 2: blocks (0..1, 0..1), (2..3, 0..1), (0..1, 2), (2..3, 2); centres (1, 1), (3, 1),
    // (1, 2), (3, 2).
    const averager = createBlockAverager(4, 3, NODATA, 2);
    averager.addRows(Int16Array.from([1, 2, 10, X]));
    averager.addRows(Int16Array.from([X, 5, 20, X, 7, X, 1, 3]));
    expect(Array.from(averager.result().data)).toEqual([Math.fround(8 / 3), NaN, NaN, 2]);
  });

  it('refuses partial rows, extra rows and a result before the last row', () => {
    const averager = createBlockAverager(3, 2, NODATA, 2);
    expect(() => averager.addRows(new Int16Array(4))).toThrow(/3 values cannot hold 4/);
    averager.addRows(new Int16Array(3));
    expect(() => averager.result()).toThrow(/after 1 of 2 rows/);
    expect(() => averager.addRows(new Int16Array(6))).toThrow(/2 rows given 3/);
    expect(() => createBlockAverager(3, 2, NODATA, 0)).toThrow(/block size 0/);
  });
});
