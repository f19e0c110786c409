/**
 * GeoTIFF sources: windows in EPSG:4326 and EPSG:3857 from GeoTIFFs in either CRS (each output
 * pixel is the source pixel its centre falls in), float samples rounded with their nodata
 * mapped, the row cache, and the files that cannot be read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArrayBuffer } from 'geotiff';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clearTileCache,
  resetTileCacheCounters,
  tileCacheStats,
} from '../../../src/raster/decoded-tile-cache.ts';
import type { GeoTiffInt16 } from '../../../src/raster/geotiff-writer.ts';
import { writeGeoTiffInt16 } from '../../../src/raster/geotiff-writer.ts';
import type { RasterBbox, RasterCrs } from '../../../src/raster/raster-types.ts';
import { readRasterWindow } from '../../../src/raster/read-window.ts';
import {
  NODATA,
  centres,
  mercatorLat,
  mercatorLon,
  mercatorX,
  mercatorY,
  mismatches,
} from './raster-fixtures.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'relief-geotiff-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => clearTileCache());

/** Source pixel (column, row) holds column·7 + row·3 − 500, nodata on every 50th. */
const valueAt = (column: number, row: number) =>
  (row * 100 + column) % 50 === 0 ? NODATA : column * 7 + row * 3 - 500;

function sourceImage(crs: RasterCrs, west: number, north: number, res: number): GeoTiffInt16 {
  const width = 100;
  const height = 80;
  const data = Int16Array.from({ length: width * height }, (_, p) =>
    valueAt(p % width, Math.floor(p / width)),
  );
  return { width, height, data, crs, west, north, resolution: [res, res], nodata: NODATA };
}

/** The expected value at a point given in the source's CRS units. */
function expectedAt(image: GeoTiffInt16, x: number, y: number): number {
  const column = Math.floor((x - image.west) / image.resolution[0]);
  const row = Math.floor((image.north - y) / image.resolution[1]);
  if (column < 0 || row < 0 || column >= image.width || row >= image.height) return NODATA;
  return valueAt(column, row);
}

describe.each([
  ['EPSG:4326', sourceImage('EPSG:4326', 7.1, 46.9, 0.01)],
  ['EPSG:3857', sourceImage('EPSG:3857', mercatorX(7.1), mercatorY(46.9), 1000)],
] as const)('a %s GeoTIFF source', (sourceCrs, image) => {
  const path = () => join(dir, `${sourceCrs.replace(':', '-')}.tif`);
  beforeAll(() => writeGeoTiffInt16(path(), image));
  const toSource = (lon: number, lat: number): [number, number] =>
    sourceCrs === 'EPSG:3857' ? [mercatorX(lon), mercatorY(lat)] : [lon, lat];

  it.each([
    ['EPSG:4326', [7.05, 46.1, 7.95, 46.95] as RasterBbox],
    [
      'EPSG:3857',
      [mercatorX(7.05), mercatorY(46.1), mercatorX(7.95), mercatorY(46.95)] as RasterBbox,
    ],
  ] as const)('reads %s windows, pixel by pixel, nodata around it', async (crs, bbox) => {
    const window = await readRasterWindow({
      source: { kind: 'geotiff', path: path() },
      crs,
      bbox,
      width: 173,
      height: 151,
    });
    const { xs, ys } = centres(bbox, 173, 151);
    const result = mismatches(window.values, 173, (i, j) => {
      const [lon, lat] =
        crs === 'EPSG:3857' ? [mercatorLon(xs[i]!), mercatorLat(ys[j]!)] : [xs[i]!, ys[j]!];
      return expectedAt(image, ...toSource(lon, lat));
    });
    expect(result.first).toEqual([]);
    expect(window.values.filter((v) => v === NODATA).length).toBeGreaterThan(100);
  });

  it('answers a repeated window from the cache without opening the file', async () => {
    const request = {
      source: { kind: 'geotiff', path: path() },
      crs: 'EPSG:4326',
      bbox: [7.2, 46.5, 7.6, 46.8],
      width: 64,
      height: 64,
    } as const;
    const first = await readRasterWindow(request);
    expect(tileCacheStats().misses).toBeGreaterThan(0);
    resetTileCacheCounters();
    const second = await readRasterWindow(request);
    expect(tileCacheStats()).toMatchObject({ misses: 0, reads: 0 });
    expect(Array.from(second.values)).toEqual(Array.from(first.values));
  });
});

describe('GeoTIFF sample types and failures', () => {
  function writeWith(name: string, values: Float32Array, keys: Record<string, unknown>): string {
    const file = join(dir, name);
    const bytes = writeArrayBuffer(values, {
      width: 4,
      height: 3,
      ModelPixelScale: [0.5, 0.5, 0],
      ModelTiepoint: [0, 0, 0, 7, 47, 0],
      GTRasterTypeGeoKey: 1,
      ...keys,
    } as never);
    writeFileSync(file, Buffer.from(bytes));
    return file;
  }

  it('rounds float samples and maps the file nodata to -32768', async () => {
    const values = Float32Array.from([1.4, 1.6, -2.5, 99999, -9999, NaN, 0, 3, 4, 5, 6, 7]);
    const path = writeWith('float.tif', values, {
      GTModelTypeGeoKey: 2,
      GeographicTypeGeoKey: 4326,
      GDAL_NODATA: '-9999',
    });
    const window = await readRasterWindow({
      source: { kind: 'geotiff', path },
      crs: 'EPSG:4326',
      bbox: [7, 45.5, 9, 47],
      width: 4,
      height: 3,
    });
    expect(Array.from(window.values)).toEqual([1, 2, -2, 32767, NODATA, NODATA, 0, 3, 4, 5, 6, 7]);
  });

  it('refuses other CRSs and missing files', async () => {
    const path = writeWith('utm.tif', new Float32Array(12), {
      GTModelTypeGeoKey: 1,
      ProjectedCSTypeGeoKey: 32632,
    });
    const request = {
      crs: 'EPSG:4326',
      bbox: [7, 46, 8, 47],
      width: 4,
      height: 4,
    } as const;
    await expect(
      readRasterWindow({ ...request, source: { kind: 'geotiff', path } }),
    ).rejects.toThrow(/only EPSG:4326 and EPSG:3857/);
    await expect(
      readRasterWindow({ ...request, source: { kind: 'geotiff', path: join(dir, 'none.tif') } }),
    ).rejects.toThrow(/not found/);
  });
});
