/**
 * The strip fill against the whole-grid fill it replaced (test/fixtures/whole-grid-fill.ts): the
 * same pixels bit for bit, whatever the strip height, for a grid at step 1, a decimated one,
 * SRTM1 and SRTM3 tiles mixed (a duplicate tile too), voids, and polygons with holes; strips come
 * in order, at most `stripRows` rows each, in one reused buffer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElevationArea, TileFile } from '../../src/contracts.ts';
import { finestSamples } from '../../src/results/hgt-grid.ts';
import type { MosaicGrid } from '../../src/results/mosaic-grid.ts';
import { fillStrips, planGrid, stripRowsFor } from '../../src/results/mosaic-grid.ts';
import { createScanline } from '../../src/results/polygon-scanline.ts';
import type { TileDir } from '../fixtures/hgt-files.ts';
import { areaOf, createTileDir, rectangle, star } from '../fixtures/hgt-files.ts';
import { fillGrid } from '../fixtures/whole-grid-fill.ts';

/** A different height at every SRTM1 sample, so a pixel taken from a wrong sample shows. */
const distinct = (lat: number, lon: number) =>
  ((Math.round(lat * 3600) * 31 + Math.round(lon * 3600) * 17) % 30_000) - 10_000;

let dir: TileDir;
let other: TileDir;
let srtm3: TileFile[]; // N46E007, N46E008, N45E007, N45E008 at 1201 samples
let mixed: TileFile[]; // N46E008 at 1201, N46E007 at 3601, N46E008 again (other heights)
beforeAll(() => {
  dir = createTileDir();
  other = createTileDir();
  const voidAt = (lat: number, lon: number) => Math.hypot(lat - 45.9, lon - 8.1) < 0.02;
  srtm3 = [
    { lat: 46, lon: 7 },
    { lat: 46, lon: 8 },
    { lat: 45, lon: 7 },
    { lat: 45, lon: 8 },
  ].map((tile) => dir.write(tile, 1201, distinct, voidAt));
  // In another folder: the SRTM3 N46E007.hgt above keeps its file.
  const fine = other.write({ lat: 46, lon: 7 }, 3601, distinct);
  const coarse = srtm3[1]!;
  // A tile listed twice is copied once (the first listed): the duplicate's heights must not show.
  const duplicate = other.write({ lat: 46, lon: 8 }, 1201, (lat, lon) => distinct(lat, lon) + 1);
  mixed = [coarse, fine, duplicate];
});
afterAll(() => {
  dir.remove();
  other.remove();
});

/** The strips concatenated, checking their order, size and that one buffer is reused. */
function streamed(grid: MosaicGrid, tiles: TileFile[], area: ElevationArea, stripRows?: number) {
  const out = new Int16Array(grid.width * grid.height);
  const buffers = new Set<ArrayBufferLike>();
  let next = 0;
  fillStrips(
    grid,
    tiles,
    createScanline(area.geometry),
    (rows, firstRow) => {
      expect(firstRow).toBe(next);
      expect(rows.length % grid.width).toBe(0);
      const count = rows.length / grid.width;
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(stripRows ?? stripRowsFor(grid.width));
      buffers.add(rows.buffer);
      out.set(rows, firstRow * grid.width);
      next += count;
    },
    stripRows,
  );
  expect(next).toBe(grid.height);
  expect(buffers.size).toBe(1);
  return out;
}

function expectSameAsWholeGrid(tiles: TileFile[], area: ElevationArea, maxSize: number) {
  const grid = planGrid(area.bbox, finestSamples(tiles) - 1, maxSize);
  const whole = fillGrid(grid, tiles, createScanline(area.geometry));
  const valid = whole.filter((v) => v !== -32768).length;
  expect(valid).toBeGreaterThan(100); // the comparison is not between two empty grids
  for (const stripRows of [1, 7, 64, undefined]) {
    const strips = streamed(grid, tiles, area, stripRows);
    // Not toEqual on 10⁶ values: count the differences, and show the first.
    const first = strips.findIndex((v, i) => v !== whole[i]);
    expect({ stripRows, first }).toEqual({ stripRows, first: -1 });
  }
  return grid;
}

describe('fillStrips', () => {
  it('matches the whole-grid fill at step 1 over four tiles, polygon with a hole', () => {
    const area = areaOf([star(7.95, 45.95, 0.3), star(7.95, 45.95, 0.08, 5).reverse()]);
    const grid = expectSameAsWholeGrid(srtm3, area, 10_000);
    expect(grid.step).toBe(1);
  });

  it('matches the whole-grid fill decimated (step 6), a multipolygon with holes', () => {
    const area = areaOf(
      [rectangle(7.02, 45.03, 8.97, 45.9), rectangle(7.5, 45.3, 7.9, 45.6).reverse()],
      [star(8.2, 46.5, 0.35), star(8.2, 46.5, 0.1).reverse()],
    );
    const grid = expectSameAsWholeGrid(srtm3, area, 400);
    expect(grid.step).toBe(6);
  });

  it('matches the whole-grid fill with SRTM1 and SRTM3 tiles (and a duplicate) mixed', () => {
    const area = areaOf([star(7.98, 46.5, 0.1), star(7.98, 46.5, 0.03, 5).reverse()]);
    const grid = expectSameAsWholeGrid(mixed, area, 10_000);
    expect([grid.perDegree, grid.step]).toEqual([3600, 1]);
    const decimated = expectSameAsWholeGrid(mixed, area, 300);
    expect(decimated.step).toBeGreaterThan(1);
  });

  it('sizes strips at about 1 MiB, at least one row', () => {
    expect(stripRowsFor(8192)).toBe(64);
    expect(stripRowsFor(1000)).toBe(524);
    expect(stripRowsFor(1_000_000)).toBe(1);
  });
});
