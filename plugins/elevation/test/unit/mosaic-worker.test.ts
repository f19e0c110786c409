/**
 * buildMosaic: the GeoTIFF read back with the `geotiff` package (georeferencing, nodata, every
 * pixel against the generating height function at the pixel centre, masked with turf), the
 * decimation above maxSize, the hillshade preview decoded with sharp, and a tile failing while
 * the strips are written.
 */
import { existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { booleanPointInPolygon } from '@turf/turf';
import { fromFile } from 'geotiff';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ElevationArea, MosaicInput, TileFile, TileId } from '../../src/contracts.ts';
import { HGT_VOID } from '../../src/contracts.ts';
import { buildMosaic } from '../../src/results/mosaic-worker.ts';
import type { HeightAt, TileDir } from '../fixtures/hgt-files.ts';
import { areaOf, createTileDir, rectangle, star } from '../fixtures/hgt-files.ts';
import { defaultHeightAt } from 'relief/testing';

let dir: TileDir;
beforeEach(() => {
  dir = createTileDir();
});
afterEach(() => dir.remove());

function mosaicInput(
  tiles: TileFile[],
  area: ElevationArea,
  options: Partial<MosaicInput> = {},
): MosaicInput {
  return {
    tiles,
    noDataTiles: [],
    area,
    geotiffPath: join(dir.path, 'mosaic.tif'),
    previewPath: join(dir.path, 'preview.png'),
    maxSize: 10_000,
    previewMaxSize: 256,
    ...options,
  };
}

async function readGeoTiff(path: string) {
  const image = await (await fromFile(path)).getImage();
  const [band] = await image.readRasters();
  return {
    image,
    width: image.getWidth(),
    height: image.getHeight(),
    origin: image.getOrigin(),
    resolution: image.getResolution(),
    geoKeys: image.getGeoKeys(),
    nodata: image.getGDALNoData(),
    pixels: band as Int16Array,
  };
}

/**
 * Every pixel against heightAt at its centre: (westIndex + x·step, northIndex − y·step) samples
 * of 1/perDegree degree; nodata outside the area (turf) or where `hasData` says so.
 */
function expectPixels(
  pixels: Int16Array,
  width: number,
  grid: { perDegree: number; step: number; westIndex: number; northIndex: number },
  area: ElevationArea,
  heightAt: HeightAt = defaultHeightAt,
  hasData: (lat: number, lon: number) => boolean = () => true,
): void {
  let inside = 0;
  let mismatches = 0;
  for (let y = 0; y < pixels.length / width; y++) {
    for (let x = 0; x < width; x++) {
      const lat = (grid.northIndex - y * grid.step) / grid.perDegree;
      const lon = (grid.westIndex + x * grid.step) / grid.perDegree;
      const isInside = booleanPointInPolygon([lon, lat], area.geometry);
      const expected = isInside && hasData(lat, lon) ? Math.round(heightAt(lat, lon)) : HGT_VOID;
      if (isInside) inside++;
      if (pixels[y * width + x] !== expected) mismatches++;
    }
  }
  expect(inside).toBeGreaterThan(100);
  expect(mismatches).toBe(0);
}

describe('buildMosaic GeoTIFF', () => {
  it('georeferences an area starting at a tile corner: first pixel centred on the sample', async () => {
    const tile: TileId = { lat: 46, lon: 7 };
    const area = areaOf([rectangle(7, 46.75, 7.25, 47)]);
    const res = 1 / 1200;
    const output = await buildMosaic(mosaicInput([dir.write(tile, 1201)], area));
    expect(output).toMatchObject({
      width: 301,
      height: 301,
      resolution: [res, res],
      nodata: -32768,
    });
    output.bounds.forEach((edge, i) =>
      expect(edge).toBeCloseTo(
        [7 - res / 2, 46.75 - res / 2, 7.25 + res / 2, 47 + res / 2][i]!,
        12,
      ),
    );

    const tiff = await readGeoTiff(join(dir.path, 'mosaic.tif'));
    expect([tiff.width, tiff.height]).toEqual([301, 301]);
    expect(tiff.origin[0]).toBeCloseTo(7 - res / 2, 12);
    expect(tiff.origin[1]).toBeCloseTo(47 + res / 2, 12);
    expect(tiff.resolution[0]).toBeCloseTo(res, 15);
    expect(tiff.resolution[1]).toBeCloseTo(-res, 15);
    expect(tiff.geoKeys).toMatchObject({
      GTModelTypeGeoKey: 2,
      GTRasterTypeGeoKey: 1, // PixelIsArea: the tiepoint is the first pixel's outer corner
      GeographicTypeGeoKey: 4326,
    });
    const tiepoint = Array.from(tiff.image.fileDirectory.getValue('ModelTiepoint') as number[]);
    const scale = Array.from(tiff.image.fileDirectory.getValue('ModelPixelScale') as number[]);
    expect(tiepoint.slice(0, 3)).toEqual([0, 0, 0]); // raster (0, 0) = outer corner ...
    expect(tiepoint[3]).toBeCloseTo(7 - res / 2, 12); // ... at this lon, lat
    expect(tiepoint[4]).toBeCloseTo(47 + res / 2, 12);
    expect(scale).toEqual([res, res, 0]);
    expect(tiff.nodata).toBe(-32768);
    expect(tiff.image.getSampleFormat()).toBe(2); // signed
    expect(tiff.image.getBitsPerSample()).toBe(16);
    expect(tiff.pixels[0]).toBe(defaultHeightAt(47, 7));
    expect(tiff.pixels[301 * 301 - 1]).toBe(defaultHeightAt(46.75, 7.25));
    expectPixels(
      tiff.pixels,
      301,
      { perDegree: 1200, step: 1, westIndex: 8400, northIndex: 56400 },
      area,
    );
  });

  it('masks pixels outside an irregular polygon with a hole', async () => {
    const area = areaOf([star(7.5, 46.5, 0.2), star(7.5, 46.5, 0.06, 5).reverse()]);
    const [west, , east, north] = area.bbox;
    const westIndex = Math.floor(west * 1200);
    const northIndex = Math.ceil(north * 1200);
    const output = await buildMosaic(mosaicInput([dir.write({ lat: 46, lon: 7 }, 1201)], area));
    expect(output.width).toBe(Math.ceil(east * 1200) - westIndex + 1);
    const tiff = await readGeoTiff(join(dir.path, 'mosaic.tif'));
    expect(tiff.origin[0]).toBeCloseTo((westIndex - 0.5) / 1200, 12);
    expect(tiff.origin[1]).toBeCloseTo((northIndex + 0.5) / 1200, 12);
    expectPixels(
      tiff.pixels,
      tiff.width,
      { perDegree: 1200, step: 1, westIndex, northIndex },
      area,
    );
    expect(tiff.pixels[0]).toBe(HGT_VOID); // the bbox corner is outside the star
  });

  it('leaves no-data cells as nodata but keeps the edge a present neighbour holds', async () => {
    const area = areaOf([rectangle(7.9, 46.4, 8.1, 46.6)]);
    const tiles = [dir.write({ lat: 46, lon: 7 }, 1201)];
    await buildMosaic(mosaicInput(tiles, area, { noDataTiles: [{ lat: 46, lon: 8 }] }));
    const tiff = await readGeoTiff(join(dir.path, 'mosaic.tif'));
    expect(tiff.width).toBe(241);
    const grid = { perDegree: 1200, step: 1, westIndex: 9480, northIndex: 55920 };
    expectPixels(tiff.pixels, 241, grid, area, defaultHeightAt, (_lat, lon) => lon <= 8);
    expect(tiff.pixels[120]).toBe(defaultHeightAt(46.6, 8)); // column lon = 8: the shared edge
  });

  it('assembles tiles of different resolutions on the finest grid (nearest sample)', async () => {
    const area = areaOf([rectangle(7.95, 46.45, 8.05, 46.55)]);
    const tiles = [dir.write({ lat: 46, lon: 7 }, 3601), dir.write({ lat: 46, lon: 8 }, 1201)];
    const output = await buildMosaic(mosaicInput(tiles, area));
    expect(output.resolution[0]).toBeCloseTo(1 / 3600, 15);
    const tiff = await readGeoTiff(join(dir.path, 'mosaic.tif'));
    const nearestSrtm3 = (lat: number, lon: number) =>
      lon <= 8
        ? defaultHeightAt(lat, lon)
        : defaultHeightAt(Math.round(lat * 1200) / 1200, Math.round(lon * 1200) / 1200);
    const grid = { perDegree: 3600, step: 1, westIndex: 28620, northIndex: 167580 };
    expectPixels(tiff.pixels, tiff.width, grid, area, nearestSrtm3);
  });

  it('places south-west hemisphere tiles (negative indices) correctly', async () => {
    const area = areaOf([star(-71.5, -33.5, 0.15)]);
    const output = await buildMosaic(mosaicInput([dir.write({ lat: -34, lon: -72 }, 1201)], area));
    const [west, , , north] = area.bbox;
    const grid = {
      perDegree: 1200,
      step: 1,
      westIndex: Math.floor(west * 1200),
      northIndex: Math.ceil(north * 1200),
    };
    expect(output.bounds[0]).toBeCloseTo((grid.westIndex - 0.5) / 1200, 12);
    expect(output.bounds[3]).toBeCloseTo((grid.northIndex + 0.5) / 1200, 12);
    const tiff = await readGeoTiff(join(dir.path, 'mosaic.tif'));
    expectPixels(tiff.pixels, tiff.width, grid, area);
  });

  it('reads SRTM1 tiles at full resolution', async () => {
    const area = areaOf([star(7.3, 46.7, 0.08)]);
    const output = await buildMosaic(mosaicInput([dir.write({ lat: 46, lon: 7 }, 3601)], area));
    const [west, , , north] = area.bbox;
    const grid = {
      perDegree: 3600,
      step: 1,
      westIndex: Math.floor(west * 3600),
      northIndex: Math.ceil(north * 3600),
    };
    expect(output.resolution).toEqual([1 / 3600, 1 / 3600]);
    const tiff = await readGeoTiff(join(dir.path, 'mosaic.tif'));
    expect(tiff.origin[0]).toBeCloseTo((grid.westIndex - 0.5) / 3600, 12);
    expectPixels(tiff.pixels, tiff.width, grid, area);
  });

  it('decimates by an integer step (nearest sample) when the area exceeds maxSize', async () => {
    const area = areaOf([rectangle(7, 46, 8, 47)]);
    const tiles = [dir.write({ lat: 46, lon: 7 }, 1201)];
    const output = await buildMosaic(mosaicInput(tiles, area, { maxSize: 500 }));
    // 1201 samples need step ceil(1200 / 499) = 3: 401 pixels reaching both edges.
    expect(output).toMatchObject({ width: 401, height: 401, resolution: [3 / 1200, 3 / 1200] });
    output.bounds.forEach((edge, i) =>
      expect(edge).toBeCloseTo(
        [7 - 1.5 / 1200, 46 - 1.5 / 1200, 8 + 1.5 / 1200, 47 + 1.5 / 1200][i]!,
        12,
      ),
    );
    const tiff = await readGeoTiff(join(dir.path, 'mosaic.tif'));
    expect(tiff.resolution[0]).toBeCloseTo(3 / 1200, 15);
    expect(tiff.origin[0]).toBeCloseTo(7 - 1.5 / 1200, 12);
    expectPixels(
      tiff.pixels,
      401,
      { perDegree: 1200, step: 3, westIndex: 8400, northIndex: 56400 },
      area,
    );

    const odd = await buildMosaic(mosaicInput(tiles, area, { maxSize: 7 }));
    expect(odd).toMatchObject({ width: 7, height: 7, resolution: [200 / 1200, 200 / 1200] });
  });
});

describe('buildMosaic failure', () => {
  /** Paths the process holds open (Linux: /proc/self/fd). */
  const openPaths = () =>
    readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return []; // the descriptor readdir itself used, closed since
      }
    });

  it.runIf(existsSync('/proc/self/fd'))(
    'rejects with the tile error and leaves no descriptor open on the GeoTIFF',
    async () => {
      const area = areaOf([rectangle(7.5, 46.2, 8.5, 46.8)]);
      const bad: TileFile = {
        tile: { lat: 46, lon: 8 },
        path: join(dir.path, 'bad.hgt'),
        samples: 1201,
      };
      writeFileSync(bad.path, Buffer.alloc(1000));
      const input = mosaicInput([dir.write({ lat: 46, lon: 7 }, 1201), bad], area);
      await expect(buildMosaic(input)).rejects.toThrow(/1000 bytes, not a 1201² tile/);
      expect(existsSync(input.geotiffPath)).toBe(true); // incomplete: the caller removes it
      expect(openPaths()).not.toContain(input.geotiffPath);
    },
  );
});

async function readPreview(path: string) {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  const metadata = await sharp(path).metadata();
  /** Grey of the opaque pixels; the outline may be partly transparent after resizing. */
  const grey: number[] = [];
  let transparent = 0;
  for (let i = 0; i < info.width * info.height; i++) {
    const alpha = data[i * info.channels + info.channels - 1]!;
    if (alpha === 0) transparent++;
    else if (alpha === 255) grey.push(data[i * info.channels]!);
  }
  return { metadata, grey, transparent };
}

describe('buildMosaic preview', () => {
  it('fits previewMaxSize, keeps the aspect ratio and has an alpha channel', async () => {
    const area = areaOf([rectangle(7.1, 46.4, 7.7, 46.6)]); // 721 × 241 samples
    const tiles = [dir.write({ lat: 46, lon: 7 }, 1201)];
    const output = await buildMosaic(mosaicInput(tiles, area, { previewMaxSize: 200 }));
    const { metadata } = await readPreview(join(dir.path, 'preview.png'));
    expect(metadata).toMatchObject({ format: 'png', width: 200, height: 67, hasAlpha: true });
    expect([output.previewWidth, output.previewHeight]).toEqual([200, 67]);
    const small = await buildMosaic(mosaicInput(tiles, area, { previewMaxSize: 1000 }));
    expect([small.previewWidth, small.previewHeight]).toEqual([721, 241]); // never enlarged
  });

  it('shades flat terrain a uniform grey and makes nodata transparent', async () => {
    const area = areaOf([star(7.5, 46.5, 0.2)]);
    const tiles = [dir.write({ lat: 46, lon: 7 }, 1201, () => 500)];
    // ~480 pixels wide: averaged over 5×5 blocks to ~96, then resized to 90 by sharp.
    await buildMosaic(mosaicInput(tiles, area, { previewMaxSize: 90 }));
    const { metadata, grey, transparent } = await readPreview(join(dir.path, 'preview.png'));
    expect(Math.max(metadata.width, metadata.height)).toBe(90);
    expect(new Set(grey)).toEqual(new Set([Math.round(255 * Math.cos(Math.PI / 4))])); // 180
    expect(transparent).toBeGreaterThan(100);
    expect(grey.length).toBeGreaterThan(100);
  });

  it('lights slopes facing the north-west sun and darkens those facing away', async () => {
    const area = areaOf([rectangle(7.2, 46.2, 7.4, 46.4)]);
    const meanGrey = async (heightAt: HeightAt) => {
      await buildMosaic(mosaicInput([dir.write({ lat: 46, lon: 7 }, 1201, heightAt)], area));
      const { grey } = await readPreview(join(dir.path, 'preview.png'));
      return grey.reduce((a, b) => a + b, 0) / grey.length;
    };
    // 20 km per degree: slopes of about 15-18°; flat ground would be 180.
    const risingSouthEast = await meanGrey((lat, lon) => 3000 + 20_000 * (lon - 7 - (lat - 46)));
    const risingNorthWest = await meanGrey((lat, lon) => 3000 - 20_000 * (lon - 7 - (lat - 46)));
    expect(risingSouthEast).toBeGreaterThan(210);
    expect(risingNorthWest).toBeLessThan(140);
  });
});
