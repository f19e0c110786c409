/**
 * computeStatistics against a brute force: every point of the global sample grid in the bbox,
 * tested with turf, valued from whichever generated tile holds it. That walk counts each point
 * once by construction, so it checks the worker's per-row scanline and its edge ownership.
 */
import { readFileSync } from 'node:fs';
import { booleanPointInPolygon } from '@turf/turf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ElevationArea,
  ElevationStatistics,
  HgtSamples,
  TileFile,
  TileId,
} from '../../src/contracts.ts';
import { HGT_VOID } from '../../src/contracts.ts';
import { computeStatistics } from '../../src/results/statistics-worker.ts';
import type { TileDir } from '../fixtures/hgt-files.ts';
import { areaOf, createTileDir, rectangle, star } from '../fixtures/hgt-files.ts';
import { hgtSample } from 'relief/testing';

let dir: TileDir;
beforeEach(() => {
  dir = createTileDir();
});
afterEach(() => dir.remove());

const key = (tile: TileId) => `${tile.lat},${tile.lon}`;

function bruteForce(
  area: ElevationArea,
  tiles: TileFile[],
  noDataTiles: TileId[],
  samples: HgtSamples,
): ElevationStatistics {
  const perDegree = samples - 1;
  const data = new Map(tiles.map((f) => [key(f.tile), readFileSync(f.path)]));
  const noData = new Set(noDataTiles.map(key));
  const [west, south, east, north] = area.bbox;
  const values: number[] = [];
  let voidCount = 0;
  for (let j = Math.floor(south * perDegree); j <= Math.ceil(north * perDegree); j++) {
    for (let i = Math.floor(west * perDegree); i <= Math.ceil(east * perDegree); i++) {
      const lat = j / perDegree;
      const lon = i / perDegree;
      if (!booleanPointInPolygon([lon, lat], area.geometry)) continue;
      // The tiles holding the point: two per axis when it lies on a tile edge.
      const lats = j % perDegree === 0 ? [j / perDegree, j / perDegree - 1] : [Math.floor(lat)];
      const lons = i % perDegree === 0 ? [i / perDegree, i / perDegree - 1] : [Math.floor(lon)];
      const holders = lats.flatMap((tlat) => lons.map((tlon) => ({ lat: tlat, lon: tlon })));
      const withData = holders.find((t) => data.has(key(t)));
      if (withData !== undefined) {
        const row = (withData.lat + 1) * perDegree - j;
        const value = hgtSample(
          data.get(key(withData))!,
          samples,
          row,
          i - withData.lon * perDegree,
        );
        if (value === HGT_VOID) voidCount++;
        else values.push(value);
      } else if (holders.some((t) => noData.has(key(t)))) {
        voidCount++;
      }
    }
  }
  if (values.length === 0) return { min: null, max: null, mean: null, count: 0, voidCount };
  return {
    min: values.reduce((a, b) => Math.min(a, b)),
    max: values.reduce((a, b) => Math.max(a, b)),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    count: values.length,
    voidCount,
  };
}

function expectSame(actual: ElevationStatistics, expected: ElevationStatistics): void {
  expect({ ...actual, mean: null }).toEqual({ ...expected, mean: null });
  if (expected.mean === null) expect(actual.mean).toBeNull();
  else expect(actual.mean).toBeCloseTo(expected.mean, 6);
}

describe('computeStatistics', () => {
  it('matches a per-sample turf brute force over an irregular polygon with a hole and voids', () => {
    const tile = { lat: 46, lon: 7 };
    const files = [dir.write(tile, 1201, undefined, (lat, lon) => lat > 46.55 && lon < 7.45)];
    const area = areaOf([star(7.5, 46.5, 0.2), star(7.5, 46.5, 0.05, 5).reverse()]);
    const stats = computeStatistics({ tiles: files, noDataTiles: [], area });
    expectSame(stats, bruteForce(area, files, [], 1201));
    expect(stats.count).toBeGreaterThan(1000);
    expect(stats.voidCount).toBeGreaterThan(100);
  });

  it('counts samples on the boundary, excludes a hole but keeps its boundary', () => {
    const files = [dir.write({ lat: 46, lon: 7 }, 1201)];
    const outer = rectangle(7, 46, 7.5, 46.5); // 601 × 601 samples, edges included
    const hole = rectangle(7.1, 46.1, 7.2, 46.2).reverse(); // 121 × 121, of which 119² inside
    const area = areaOf([outer, hole]);
    const stats = computeStatistics({ tiles: files, noDataTiles: [], area });
    expect(stats.count).toBe(601 * 601 - 119 * 119);
    expectSame(stats, bruteForce(area, files, [], 1201));
  });

  it('counts grid points on slanted edges despite float rounding (a diamond, south-west)', () => {
    const files = [dir.write({ lat: -34, lon: -72 }, 1201)];
    const [lon, lat, r] = [-71.3, -33.4, 0.3]; // vertices computed, so not the nearest doubles
    const diamond = [
      [lon, lat + r],
      [lon + r, lat],
      [lon, lat - r],
      [lon - r, lat],
      [lon, lat + r],
    ];
    const stats = computeStatistics({ tiles: files, noDataTiles: [], area: areaOf([diamond]) });
    const n = 360; // samples from the centre to a vertex: 0.3° at 1200 per degree
    expect(stats.count).toBe(2 * n * (n + 1) + 1); // grid points with |dx| + |dy| ≤ n
  });

  it('unions overlapping polygons of a MultiPolygon instead of cancelling them', () => {
    const files = [dir.write({ lat: 46, lon: 7 }, 1201)];
    const area = areaOf([rectangle(7.1, 46.1, 7.3, 46.3)], [rectangle(7.2, 46.2, 7.4, 46.4)]);
    const stats = computeStatistics({ tiles: files, noDataTiles: [], area });
    expect(stats.count).toBe(2 * 241 * 241 - 121 * 121);
    expectSame(stats, bruteForce(area, files, [], 1201));
  });

  it('counts the edge shared by two adjacent tiles once', () => {
    const files = [dir.write({ lat: 46, lon: 7 }, 1201), dir.write({ lat: 46, lon: 8 }, 1201)];
    const aligned = areaOf([rectangle(7.9, 46.4, 8.1, 46.6)]);
    const stats = computeStatistics({ tiles: files, noDataTiles: [], area: aligned });
    expect(stats.count).toBe(241 * 241);
    expectSame(stats, bruteForce(aligned, files, [], 1201));
    const irregular = areaOf([star(8, 46.5, 0.3)]);
    expectSame(
      computeStatistics({ tiles: files, noDataTiles: [], area: irregular }),
      bruteForce(irregular, files, [], 1201),
    );
  });

  it('counts the corner shared by four tiles once, whichever cell has no data', () => {
    const cells = [
      { lat: 46, lon: 7 },
      { lat: 46, lon: 8 },
      { lat: 47, lon: 7 },
      { lat: 47, lon: 8 },
    ];
    const files = cells.map((tile) => dir.write(tile, 1201));
    const area = areaOf([rectangle(7.9, 46.9, 8.1, 47.1)]);
    const all = computeStatistics({ tiles: files, noDataTiles: [], area });
    expect(all).toMatchObject({ count: 241 * 241, voidCount: 0 });
    expectSame(all, bruteForce(area, files, [], 1201));
    for (const missing of cells) {
      const present = files.filter((f) => f.tile !== missing);
      const stats = computeStatistics({ tiles: present, noDataTiles: [missing], area });
      // Only the points held by the missing cell alone are void: shared edges have data.
      expect(stats).toMatchObject({ count: 241 * 241 - 120 * 120, voidCount: 120 * 120 });
      expectSame(stats, bruteForce(area, present, [missing], 1201));
    }
  });

  it('counts a no-data cell as voids on the finest grid given (SRTM1 without tiles)', () => {
    const area = areaOf([rectangle(7, 46, 7.1, 46.1)]);
    const none = computeStatistics({ tiles: [], noDataTiles: [{ lat: 46, lon: 7 }], area });
    expect(none).toEqual({ min: null, max: null, mean: null, count: 0, voidCount: 361 * 361 });
    const files = [dir.write({ lat: 46, lon: 8 }, 1201)];
    const srtm3 = computeStatistics({ tiles: files, noDataTiles: [{ lat: 46, lon: 7 }], area });
    expect(srtm3.voidCount).toBe(121 * 121);
  });

  it('counts an all-void tile as voids only', () => {
    const files = [dir.write({ lat: 46, lon: 7 }, 1201, undefined, () => true)];
    const area = areaOf([rectangle(7, 46, 8, 47)]);
    expect(computeStatistics({ tiles: files, noDataTiles: [], area })).toEqual({
      min: null,
      max: null,
      mean: null,
      count: 0,
      voidCount: 1201 * 1201,
    });
  });

  it('counts the antimeridian seam once (lon 180 and -180 are the same samples)', () => {
    const files = [dir.write({ lat: 0, lon: 179 }, 1201), dir.write({ lat: 0, lon: -180 }, 1201)];
    const area = areaOf([rectangle(179.9, 0.4, 180, 0.5)], [rectangle(-180, 0.4, -179.9, 0.5)]);
    const stats = computeStatistics({ tiles: files, noDataTiles: [], area });
    expect(stats.count).toBe(121 * (121 + 121 - 1));
  });

  it('reads SRTM1 tiles: whole-tile totals and a brute-forced polygon', () => {
    const files = [dir.write({ lat: 46, lon: 7 }, 3601)];
    const grid = readFileSync(files[0]!.path);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let i = 0; i < 3601 * 3601; i++) {
      const value = grid.readInt16BE(i * 2);
      min = Math.min(min, value);
      max = Math.max(max, value);
      sum += value;
    }
    const whole = computeStatistics({
      tiles: files,
      noDataTiles: [],
      area: areaOf([rectangle(7, 46, 8, 47)]),
    });
    expectSame(whole, { min, max, mean: sum / 3601 ** 2, count: 3601 ** 2, voidCount: 0 });
    const small = areaOf([star(7.3, 46.7, 0.08)]);
    expectSame(
      computeStatistics({ tiles: files, noDataTiles: [], area: small }),
      bruteForce(small, files, [], 3601),
    );
  });
});
