/**
 * readRasterWindow over generated HGT tiles: every pixel against the nearest sample of the
 * generating height function (EPSG:4326 and EPSG:3857 grids, the latter's rows through an
 * independent inverse Mercator), windows over several tiles, missing tiles, voids, the edges of
 * the world, mixed SRTM1/SRTM3 tiles, margins, bilinear resampling and request checks.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearTileCache, configureTileCache } from '../../../src/raster/decoded-tile-cache.ts';
import { clearHgtFolderListings } from '../../../src/raster/hgt-tile-index.ts';
import type { RasterSource, RasterWindowRequest } from '../../../src/raster/raster-types.ts';
import { cropMargin, pixelRequest, readRasterWindow } from '../../../src/raster/read-window.ts';
import type { HgtFolder, Tile } from './raster-fixtures.ts';
import {
  NODATA,
  centres,
  createHgtFolder,
  defaultHeightAt,
  mercatorLat,
  mercatorLon,
  mercatorX,
  mercatorY,
  mismatches,
  nearestHeight,
} from './raster-fixtures.ts';

let folder: HgtFolder;
let source: RasterSource;
/** Cells 46..47 N × 7..8 E, except N47E008, which is missing. */
const hasTile = (tile: Tile) =>
  tile.lat >= 46 &&
  tile.lat <= 47 &&
  tile.lon >= 7 &&
  tile.lon <= 8 &&
  !(tile.lat === 47 && tile.lon === 8);

beforeAll(() => {
  folder = createHgtFolder();
  folder.write({ lat: 46, lon: 7 }, 1201);
  folder.write({ lat: 46, lon: 8 }, 1201);
  folder.write({ lat: 47, lon: 7 }, 1201);
  source = { kind: 'hgt-folder', path: folder.path };
});
afterAll(() => folder.remove());
beforeEach(() => {
  clearTileCache();
  clearHgtFolderListings();
  configureTileCache({ maxBytes: 256 * 1024 * 1024, listingTtlMs: 2000 });
});

function expectNearest(
  values: Int16Array,
  width: number,
  latLon: (column: number, row: number) => [number, number],
  options: Parameters<typeof nearestHeight>[2] = { hasTile },
): void {
  const result = mismatches(values, width, (column, row) =>
    nearestHeight(...latLon(column, row), options),
  );
  expect(result.first).toEqual([]);
  expect(result.count).toBe(0);
}

describe('readRasterWindow EPSG:4326', () => {
  it('gives each pixel the sample nearest its centre within a tile', async () => {
    const bbox: [number, number, number, number] = [7.1234, 46.2345, 7.3456, 46.4567];
    const window = await readRasterWindow({
      source,
      crs: 'EPSG:4326',
      bbox,
      width: 200,
      height: 150,
    });
    expect(window).toMatchObject({ width: 200, height: 150, nodata: NODATA, crs: 'EPSG:4326' });
    expect(window.bbox).toEqual(bbox);
    expect(window.margin).toBe(0);
    const { xs, ys } = centres(bbox, 200, 150);
    expectNearest(window.values, 200, (i, j) => [ys[j]!, xs[i]!]);
  });

  it('reads a window across four cells, one of them missing (nodata there)', async () => {
    const bbox: [number, number, number, number] = [7.61, 46.53, 8.47, 47.39];
    const window = await readRasterWindow({
      source,
      crs: 'EPSG:4326',
      bbox,
      width: 301,
      height: 257,
    });
    const { xs, ys } = centres(bbox, 301, 257);
    expectNearest(window.values, 301, (i, j) => [ys[j]!, xs[i]!]);
    const north = ys.findIndex((lat) => lat < 47) - 1; // the last row in the N47 cells
    const east = xs.findIndex((lon) => lon > 8); // the first column inside the E008 cells
    expect(window.values[north * 301 + east]).toBe(NODATA); // N47E008
    expect(window.values[north * 301 + east - 1]).not.toBe(NODATA); // N47E007
    expect(window.values[(north + 1) * 301 + east]).not.toBe(NODATA); // N46E008
  });

  it('is nodata outside the world and reads the tiles at its edges', async () => {
    const edge = createHgtFolder();
    try {
      edge.write({ lat: 89, lon: -180 }, 1201);
      edge.write({ lat: -90, lon: 179 }, 1201);
      const edgeSource: RasterSource = { kind: 'hgt-folder', path: edge.path };
      const has = (tile: Tile) =>
        (tile.lat === 89 && tile.lon === -180) || (tile.lat === -90 && tile.lon === 179);
      for (const bbox of [
        [-180.6, 89.3, -179.4, 90.7],
        [179.2, -90.5, 180.5, -89.6],
      ] as [number, number, number, number][]) {
        const window = await readRasterWindow({
          source: edgeSource,
          crs: 'EPSG:4326',
          bbox,
          width: 97,
          height: 61,
        });
        const { xs, ys } = centres(bbox, 97, 61);
        expectNearest(window.values, 97, (i, j) => [ys[j]!, xs[i]!], { hasTile: has });
        const inside = window.values.filter((v) => v !== NODATA).length;
        expect(inside).toBeGreaterThan(500);
        expect(inside).toBeLessThan((97 * 61) / 2);
      }
    } finally {
      edge.remove();
    }
  });

  it('makes void samples nodata', async () => {
    const voids = createHgtFolder();
    try {
      voids.write({ lat: 46, lon: 7 }, 1201, { voidAt: (lat) => lat > 46.5 });
      const bbox: [number, number, number, number] = [7.2, 46.3, 7.4, 46.7];
      const window = await readRasterWindow({
        source: { kind: 'hgt-folder', path: voids.path },
        crs: 'EPSG:4326',
        bbox,
        width: 40,
        height: 80,
      });
      const { ys } = centres(bbox, 40, 80);
      ys.forEach((lat, j) => {
        const row = Array.from(window.values.subarray(j * 40, (j + 1) * 40));
        const sampleLat = Math.round(lat * 1200) / 1200;
        if (sampleLat > 46.5) expect(row.every((v) => v === NODATA)).toBe(true);
        else expect(row.every((v) => v !== NODATA)).toBe(true);
      });
    } finally {
      voids.remove();
    }
  });

  it('samples SRTM1 and SRTM3 tiles each on their own grid', async () => {
    const mixed = createHgtFolder();
    try {
      mixed.write({ lat: 46, lon: 7 }, 3601);
      mixed.write({ lat: 46, lon: 8 }, 1201);
      const bbox: [number, number, number, number] = [7.97, 46.41, 8.03, 46.43];
      const window = await readRasterWindow({
        source: { kind: 'hgt-folder', path: mixed.path },
        crs: 'EPSG:4326',
        bbox,
        width: 430,
        height: 144,
      });
      const { xs, ys } = centres(bbox, 430, 144);
      expectNearest(window.values, 430, (i, j) => [ys[j]!, xs[i]!], {
        samples: (tile) => (tile.lon === 7 ? 3601 : 1201),
      });
    } finally {
      mixed.remove();
    }
  });

  it('reads hgt-files sources and flat folders (N46E007.hgt at the top)', async () => {
    const flat = createHgtFolder();
    try {
      const file = flat.write({ lat: 46, lon: 7 }, 1201, { flat: true });
      const bbox: [number, number, number, number] = [6.9, 46.9, 7.1, 47.1];
      const { xs, ys } = centres(bbox, 50, 50);
      const only46E7 = { hasTile: (tile: Tile) => tile.lat === 46 && tile.lon === 7 };
      for (const from of [
        { kind: 'hgt-files', paths: [file] },
        { kind: 'hgt-folder', path: flat.path },
      ] as RasterSource[]) {
        const window = await readRasterWindow({
          source: from,
          crs: 'EPSG:4326',
          bbox,
          width: 50,
          height: 50,
        });
        expectNearest(window.values, 50, (i, j) => [ys[j]!, xs[i]!], only46E7);
      }
    } finally {
      flat.remove();
    }
  });

  it('gives an empty or missing folder as all nodata', async () => {
    const window = await readRasterWindow({
      source: { kind: 'hgt-folder', path: `${folder.path}/does-not-exist` },
      crs: 'EPSG:4326',
      bbox: [7, 46, 8, 47],
      width: 10,
      height: 10,
    });
    expect(window.values.every((v) => v === NODATA)).toBe(true);
  });
});

describe('readRasterWindow EPSG:3857', () => {
  it('maps each row to its latitude through the inverse Mercator', async () => {
    const bbox: [number, number, number, number] = [
      mercatorX(7.05),
      mercatorY(46.35),
      mercatorX(8.6),
      mercatorY(47.8),
    ];
    const window = await readRasterWindow({
      source,
      crs: 'EPSG:3857',
      bbox,
      width: 256,
      height: 256,
    });
    expect(window.crs).toBe('EPSG:3857');
    const { xs, ys } = centres(bbox, 256, 256);
    expectNearest(window.values, 256, (i, j) => [mercatorLat(ys[j]!), mercatorLon(xs[i]!)]);
    // Rows are not evenly spaced in latitude: this is not a 4326 window in disguise.
    const linearLat = (j: number) => 47.8 - ((j + 0.5) * (47.8 - 46.35)) / 256;
    expect(Math.abs(mercatorLat(ys[128]!) - linearLat(128))).toBeGreaterThan(1e-3);
  });

  it('is nodata beyond the Web Mercator square and the antimeridian', async () => {
    const extent = Math.PI * 6_378_137;
    const bbox: [number, number, number, number] = [
      -extent * 1.01,
      mercatorY(46.5),
      -extent * 0.999,
      mercatorY(47),
    ];
    const window = await readRasterWindow({ source, crs: 'EPSG:3857', bbox, width: 20, height: 4 });
    expect(window.values.every((v) => v === NODATA)).toBe(true);
  });
});

describe('margins, single pixels and resampling', () => {
  it('reads a margin around the window: larger grid, grown bbox, same inner values', async () => {
    const request: RasterWindowRequest = {
      source,
      crs: 'EPSG:3857',
      bbox: [mercatorX(7.2), mercatorY(46.2), mercatorX(7.4), mercatorY(46.4)],
      width: 64,
      height: 48,
    };
    const plain = await readRasterWindow(request);
    const withMargin = await readRasterWindow({ ...request, margin: 2 });
    expect([withMargin.width, withMargin.height, withMargin.margin]).toEqual([68, 52, 2]);
    const resX = (request.bbox[2] - request.bbox[0]) / 64;
    expect(withMargin.bbox[0]).toBeCloseTo(request.bbox[0] - 2 * resX, 6);
    expect(withMargin.bbox[2]).toBeCloseTo(request.bbox[2] + 2 * resX, 6);
    const cropped = cropMargin(withMargin);
    expect(cropped.bbox.map((v) => Math.round(v * 1000))).toEqual(
      request.bbox.map((v) => Math.round(v * 1000)),
    );
    expect(Array.from(cropped.values)).toEqual(Array.from(plain.values));
    const { xs, ys } = centres(withMargin.bbox, 68, 52);
    expectNearest(withMargin.values, 68, (i, j) => [mercatorLat(ys[j]!), mercatorLon(xs[i]!)]);
  });

  it('reads one pixel of a map grid (GetFeatureInfo) as the map has it', async () => {
    const request: RasterWindowRequest = {
      source,
      crs: 'EPSG:4326',
      bbox: [7.5, 46.5, 8.5, 47.5],
      width: 256,
      height: 256,
    };
    const map = await readRasterWindow(request);
    for (const [i, j] of [
      [0, 0],
      [17, 201],
      [255, 255],
      [128, 100],
    ] as const) {
      const pixel = await readRasterWindow(pixelRequest(request, i, j));
      expect([pixel.width, pixel.height]).toEqual([1, 1]);
      expect(pixel.values[0]).toBe(map.values[j * 256 + i]);
    }
  });

  it('gives the pixel size in ground metres at the centre latitude', async () => {
    const deg = await readRasterWindow({
      source,
      crs: 'EPSG:4326',
      bbox: [7, 46, 7.1, 47],
      width: 100,
      height: 100,
    });
    const metresPerDegree = (6_371_008.8 * Math.PI) / 180;
    expect(deg.pixelSizeMetres[0]).toBeCloseTo(
      0.001 * metresPerDegree * Math.cos((46.5 * Math.PI) / 180),
      6,
    );
    expect(deg.pixelSizeMetres[1]).toBeCloseTo(0.01 * metresPerDegree, 6);
    const merc = await readRasterWindow({
      source,
      crs: 'EPSG:3857',
      bbox: [mercatorX(7), mercatorY(46), mercatorX(7) + 2560, mercatorY(46) + 2560],
      width: 256,
      height: 256,
    });
    const lat = mercatorLat(mercatorY(46) + 1280);
    const ground = 10 * Math.cos((lat * Math.PI) / 180) * (6_371_008.8 / 6_378_137);
    expect(merc.pixelSizeMetres[0]).toBeCloseTo(ground, 9);
    expect(merc.pixelSizeMetres[1]).toBeCloseTo(ground, 9);
  });

  it('interpolates bilinearly between the four samples around each centre', async () => {
    // Linear in the sample indices, so bilinear interpolation reproduces it exactly.
    const linear = (lat: number, lon: number) => (lon - 7) * 1200 + 2 * (47 - lat) * 1200;
    const ramp = createHgtFolder();
    try {
      ramp.write({ lat: 46, lon: 7 }, 1201, { heightAt: linear });
      const bbox: [number, number, number, number] = [7.30001, 46.60003, 7.30502, 46.60407];
      const window = await readRasterWindow({
        source: { kind: 'hgt-folder', path: ramp.path },
        crs: 'EPSG:4326',
        bbox,
        width: 37,
        height: 23,
        resampling: 'bilinear',
      });
      const { xs, ys } = centres(bbox, 37, 23);
      let worst = 0;
      window.values.forEach((value, p) => {
        const exact = linear(ys[Math.floor(p / 37)]!, xs[p % 37]!);
        worst = Math.max(worst, Math.abs(value - exact));
      });
      expect(worst).toBeLessThanOrEqual(0.5 + 1e-9);
      // ... whereas nearest steps by whole samples.
      const nearest = await readRasterWindow({
        source: { kind: 'hgt-folder', path: ramp.path },
        crs: 'EPSG:4326',
        bbox,
        width: 37,
        height: 23,
      });
      expect(nearest.values.some((value, p) => value !== window.values[p])).toBe(true);
    } finally {
      ramp.remove();
    }
  });

  it('keeps the nearest-sample nodata mask and leaves voids out of bilinear blends', async () => {
    const voids = createHgtFolder();
    try {
      const flatHeight = () => 500;
      voids.write({ lat: 46, lon: 7 }, 1201, {
        heightAt: flatHeight,
        voidAt: (_lat, lon) => lon > 7.5,
      });
      const request: RasterWindowRequest = {
        source: { kind: 'hgt-folder', path: voids.path },
        crs: 'EPSG:4326',
        bbox: [7.49, 46.4, 7.51, 46.41],
        width: 90,
        height: 7,
      };
      const nearest = await readRasterWindow(request);
      const bilinear = await readRasterWindow({ ...request, resampling: 'bilinear' });
      expect(Array.from(bilinear.values).map((v) => v === NODATA)).toEqual(
        Array.from(nearest.values).map((v) => v === NODATA),
      );
      expect(new Set(bilinear.values)).toEqual(new Set([500, NODATA]));
    } finally {
      voids.remove();
    }
  });

  it('agrees with the height function at sample points in both resamplings', async () => {
    // Pixel centres exactly on SRTM3 samples: both methods give the sample itself.
    const step = 1 / 1200;
    const bbox: [number, number, number, number] = [
      7.25 - step / 2,
      46.75 - step / 2,
      7.25 + 99.5 * step,
      46.75 + 59.5 * step,
    ];
    for (const resampling of ['nearest', 'bilinear'] as const) {
      const window = await readRasterWindow({
        source,
        crs: 'EPSG:4326',
        bbox,
        width: 100,
        height: 60,
        resampling,
      });
      const result = mismatches(window.values, 100, (i, j) =>
        defaultHeightAt(46.75 + (59 - j) * step, 7.25 + i * step),
      );
      expect(result.count).toBe(0);
    }
  });
});

describe('request checks', () => {
  const base: RasterWindowRequest = {
    source: { kind: 'hgt-folder', path: '/nonexistent' },
    crs: 'EPSG:4326',
    bbox: [7, 46, 8, 47],
    width: 10,
    height: 10,
  };
  it.each([
    ['an unknown CRS', { crs: 'EPSG:2056' }, /CRS/],
    ['an empty bbox', { bbox: [8, 46, 7, 47] }, /bbox/],
    ['a NaN bbox', { bbox: [7, 46, NaN, 47] }, /bbox/],
    ['a zero width', { width: 0 }, /width/],
    ['a fractional height', { height: 2.5 }, /height/],
    ['a negative margin', { margin: -1 }, /margin/],
    ['a huge window', { width: 100_000, height: 100_000 }, /larger/],
    ['an unknown resampling', { resampling: 'cubic' }, /resampling/],
    ['a vector source', { source: { kind: 'geojson', path: 'x.json' } }, /Not a raster source/],
  ])('rejects %s', async (_what, change, message) => {
    await expect(readRasterWindow({ ...base, ...(change as object) })).rejects.toThrow(message);
  });
});
