/**
 * The Int16 GeoTIFF writer, read back with the `geotiff` package: values, origin, pixel scale,
 * GeoKeys for EPSG:4326 and EPSG:3857, nodata, several strips, the margin of a window cropped,
 * the file writer giving the same bytes as the in-memory encoder, and the row-by-row writer: the
 * same bytes whatever the batches, and its refusals (partial rows, too many or too few rows).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArrayBuffer } from 'geotiff';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GeoTiffInt16 } from '../../../src/raster/geotiff-writer.ts';
import {
  encodeGeoTiffInt16,
  geoTiffFromWindow,
  openGeoTiffInt16Writer,
  writeGeoTiffInt16,
} from '../../../src/raster/geotiff-writer.ts';
import type { RasterWindow } from '../../../src/raster/raster-types.ts';
import { NODATA } from './raster-fixtures.ts';

async function readBack(bytes: Uint8Array) {
  const copy = bytes.slice().buffer;
  const image = await (await fromArrayBuffer(copy)).getImage();
  const [band] = await image.readRasters();
  return {
    image,
    width: image.getWidth(),
    height: image.getHeight(),
    origin: image.getOrigin(),
    resolution: image.getResolution(),
    geoKeys: image.getGeoKeys(),
    nodata: image.getGDALNoData(),
    values: band as Int16Array,
  };
}

/** Values that use the whole Int16 range, nodata included. */
function pattern(width: number, height: number): Int16Array {
  return Int16Array.from({ length: width * height }, (_, p) =>
    p % 97 === 0 ? NODATA : ((p * 7919) % 65535) - 32767,
  );
}

describe('GeoTIFF writer', () => {
  it('writes EPSG:4326 with PixelIsArea, the tiepoint on the outer corner, and nodata', async () => {
    const image: GeoTiffInt16 = {
      width: 123,
      height: 45,
      data: pattern(123, 45),
      west: 7.25,
      north: 46.75,
      resolution: [0.001, 0.002],
      nodata: NODATA,
    };
    const tiff = await readBack(encodeGeoTiffInt16(image));
    expect([tiff.width, tiff.height]).toEqual([123, 45]);
    expect(tiff.origin).toEqual([7.25, 46.75, 0]);
    expect(tiff.resolution).toEqual([0.001, -0.002, 0]);
    expect(tiff.geoKeys).toMatchObject({
      GTModelTypeGeoKey: 2,
      GTRasterTypeGeoKey: 1,
      GeographicTypeGeoKey: 4326,
      GeogAngularUnitsGeoKey: 9102,
    });
    expect(tiff.geoKeys?.ProjectedCSTypeGeoKey).toBeUndefined();
    expect(tiff.nodata).toBe(NODATA);
    expect(tiff.image.getSampleFormat()).toBe(2);
    expect(tiff.image.getBitsPerSample()).toBe(16);
    expect(Array.from(tiff.values)).toEqual(Array.from(image.data));
  });

  it('writes EPSG:3857 as a projected model in metres', async () => {
    const image: GeoTiffInt16 = {
      width: 10,
      height: 7,
      data: pattern(10, 7),
      crs: 'EPSG:3857',
      west: 801_000.5,
      north: 5_860_000.25,
      resolution: [30, 30],
      nodata: NODATA,
    };
    const tiff = await readBack(encodeGeoTiffInt16(image));
    expect(tiff.origin).toEqual([801_000.5, 5_860_000.25, 0]);
    expect(tiff.resolution).toEqual([30, -30, 0]);
    expect(tiff.geoKeys).toMatchObject({
      GTModelTypeGeoKey: 1,
      GTRasterTypeGeoKey: 1,
      ProjectedCSTypeGeoKey: 3857,
      ProjLinearUnitsGeoKey: 9001,
    });
    expect(String(tiff.geoKeys?.GTCitationGeoKey)).toContain('Pseudo-Mercator');
    expect(tiff.geoKeys?.GeographicTypeGeoKey).toBeUndefined();
    expect(Array.from(tiff.values)).toEqual(Array.from(image.data));
  });

  it('splits large images into strips and writes files equal to the encoded bytes', async () => {
    const image: GeoTiffInt16 = {
      width: 1000,
      height: 300, // 131 rows per 256 KiB strip: three strips
      data: pattern(1000, 300),
      west: 0,
      north: 1,
      resolution: [1 / 3600, 1 / 3600],
      nodata: NODATA,
    };
    const bytes = encodeGeoTiffInt16(image);
    const tiff = await readBack(bytes);
    expect((tiff.image.fileDirectory.getValue('StripOffsets' as never) as number[]).length).toBe(3);
    expect(Array.from(tiff.values)).toEqual(Array.from(image.data));
    const dir = mkdtempSync(join(tmpdir(), 'relief-tiff-'));
    try {
      writeGeoTiffInt16(join(dir, 'a.tif'), image);
      expect(readFileSync(join(dir, 'a.tif')).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a window without its margin, georeferenced on its inner pixels', async () => {
    const values = Int16Array.from({ length: 6 * 5 }, (_, p) => p);
    const window: RasterWindow = {
      width: 6,
      height: 5,
      values,
      nodata: NODATA,
      bbox: [-1, -1, 5, 4],
      crs: 'EPSG:3857',
      margin: 1,
      pixelSizeMetres: [1, 1],
    };
    const image = geoTiffFromWindow(window);
    expect(image).toMatchObject({ width: 4, height: 3, west: 0, north: 3, resolution: [1, 1] });
    const tiff = await readBack(encodeGeoTiffInt16(image));
    expect(Array.from(tiff.values)).toEqual([7, 8, 9, 10, 13, 14, 15, 16, 19, 20, 21, 22]);
    expect(tiff.geoKeys?.ProjectedCSTypeGeoKey).toBe(3857);
  });

  it('refuses data of the wrong length', () => {
    const image = { width: 3, height: 3, data: new Int16Array(8), west: 0, north: 0 };
    expect(() => encodeGeoTiffInt16({ ...image, resolution: [1, 1], nodata: NODATA })).toThrow(
      /8 values/,
    );
  });
});

describe('GeoTIFF row writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'relief-tiff-rows-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const image: GeoTiffInt16 = {
    width: 1000,
    height: 300, // three strips in the file: batches cross the file's strip boundaries
    data: pattern(1000, 300),
    west: 6,
    north: 45,
    resolution: [1 / 1200, 1 / 1200],
    nodata: NODATA,
  };
  const { data, ...header } = image;
  const rows = (from: number, to: number) => data.subarray(from * 1000, to * 1000);

  it('writes the same bytes as the encoder, whatever the batches', () => {
    const path = join(dir, 'rows.tif');
    const writer = openGeoTiffInt16Writer(path, header);
    for (const [from, to] of [
      [0, 1],
      [1, 1],
      [1, 131],
      [131, 137],
      [137, 300],
    ] as const) {
      writer.writeRows(rows(from, to));
    }
    writer.close();
    expect(readFileSync(path).equals(Buffer.from(encodeGeoTiffInt16(image)))).toBe(true);
    expect(Array.from(data)).toEqual(Array.from(pattern(1000, 300))); // the caller's rows untouched
  });

  it('refuses partial rows and rows beyond the height', () => {
    const writer = openGeoTiffInt16Writer(join(dir, 'bad.tif'), header);
    expect(() => writer.writeRows(new Int16Array(1500))).toThrow(/1000 values cannot hold 1500/);
    writer.writeRows(rows(0, 250));
    expect(() => writer.writeRows(rows(0, 51))).toThrow(/300 rows given 301/);
    writer.writeRows(rows(250, 300));
    writer.close();
    expect(() => writer.writeRows(rows(0, 1))).toThrow(/already closed/);
  });

  it('throws on close when rows are missing, and abort closes without checking', () => {
    const short = openGeoTiffInt16Writer(join(dir, 'short.tif'), header);
    short.writeRows(rows(0, 299));
    expect(() => short.close()).toThrow(/after 299 of 300 rows/);
    const aborted = openGeoTiffInt16Writer(join(dir, 'aborted.tif'), header);
    aborted.writeRows(rows(0, 10));
    aborted.abort();
    aborted.abort();
    expect(() => aborted.writeRows(rows(10, 11))).toThrow(/already closed/);
  });

  it('refuses an empty size before creating the file', () => {
    const path = join(dir, 'empty.tif');
    expect(() => openGeoTiffInt16Writer(path, { ...header, height: 0 })).toThrow(/1000×0/);
    expect(existsSync(path)).toBe(false);
  });
});
