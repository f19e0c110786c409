/**
 * describeRasterSource and nativeGrid: the coverage and native grid of HGT and GeoTIFF sources,
 * and a native-grid window reading back the source's own samples.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearHgtFolderListings } from '../../../src/raster/hgt-tile-index.ts';
import { writeGeoTiffInt16 } from '../../../src/raster/geotiff-writer.ts';
import { readRasterWindow } from '../../../src/raster/read-window.ts';
import { describeRasterSource, nativeGrid } from '../../../src/raster/source-info.ts';
import type { HgtFolder } from './raster-fixtures.ts';
import { NODATA, createHgtFolder, defaultHeightAt, mismatches } from './raster-fixtures.ts';

let folder: HgtFolder;
beforeAll(() => {
  folder = createHgtFolder();
  folder.write({ lat: 46, lon: 7 }, 1201);
  folder.write({ lat: 47, lon: 8 }, 1201);
});
afterAll(() => folder.remove());
beforeEach(() => clearHgtFolderListings());

describe('describeRasterSource', () => {
  it('gives an HGT folder the cells it holds, grown by half a sample', async () => {
    const info = await describeRasterSource({ kind: 'hgt-folder', path: folder.path });
    const half = 1 / 2400;
    expect(info.crs).toBe('EPSG:4326');
    expect(info.resolution).toEqual([1 / 1200, 1 / 1200]);
    expect(info.nodata).toBe(NODATA);
    expect(info.bbox).toEqual([7 - half, 46 - half, 9 + half, 48 + half]);
    expect(info.wgs84Bbox).toEqual(info.bbox);
  });

  it('gives an empty folder no bbox, and an SRTM1 grid', async () => {
    const empty = createHgtFolder();
    try {
      const info = await describeRasterSource({ kind: 'hgt-folder', path: empty.path });
      expect(info.bbox).toBeNull();
      expect(info.resolution[0]).toBeCloseTo(1 / 3600, 15);
    } finally {
      empty.remove();
    }
  });

  it('describes a Web Mercator GeoTIFF in its own CRS and in degrees', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relief-info-'));
    try {
      const path = join(dir, 'm.tif');
      writeGeoTiffInt16(path, {
        width: 20,
        height: 10,
        data: new Int16Array(200),
        crs: 'EPSG:3857',
        west: 0,
        north: 100_000,
        resolution: [100, 100],
        nodata: NODATA,
      });
      const info = await describeRasterSource({ kind: 'geotiff', path });
      expect(info).toMatchObject({
        crs: 'EPSG:3857',
        bbox: [0, 99_000, 2000, 100_000],
        resolution: [100, 100],
        origin: [0, 100_000],
      });
      expect(info.wgs84Bbox![2]).toBeCloseTo((2000 / 6_378_137) * (180 / Math.PI), 12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nativeGrid', () => {
  it('snaps a subset outward to whole samples, and reading it gives the samples', async () => {
    const source = { kind: 'hgt-folder', path: folder.path } as const;
    const info = await describeRasterSource(source);
    const grid = nativeGrid(info, [7.1003, 46.2004, 7.1502, 46.2201]);
    const step = 1 / 1200;
    // Columns of samples 7.1 + 3/1200 … 7.1 + 183/1200 rounded outward: pixel edges ± step/2.
    expect(grid.width).toBe(Math.ceil(7.1502 * 1200 - 0.5) - Math.floor(7.1003 * 1200 + 0.5) + 1);
    expect(grid.bbox[0]).toBeCloseTo((Math.floor(7.1003 * 1200 + 0.5) - 0.5) * step, 12);
    const window = await readRasterWindow({ source, crs: 'EPSG:4326', ...grid });
    const westSample = Math.round((grid.bbox[0] + step / 2) * 1200);
    const northSample = Math.round((grid.bbox[3] - step / 2) * 1200);
    const result = mismatches(window.values, grid.width, (i, j) =>
      defaultHeightAt((northSample - j) / 1200, (westSample + i) / 1200),
    );
    expect(result.first).toEqual([]);
  });

  it('keeps a bbox already on the pixel edges', () => {
    const info = {
      crs: 'EPSG:3857',
      bbox: null,
      wgs84Bbox: null,
      resolution: [10, 10],
      origin: [0, 0],
      nodata: NODATA,
    } as const;
    expect(
      nativeGrid({ ...info, resolution: [10, 10], origin: [0, 0] }, [100, -50, 200, 0]),
    ).toEqual({
      bbox: [100, -50, 200, 0],
      width: 10,
      height: 5,
    });
  });
});
