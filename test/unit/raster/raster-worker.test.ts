/**
 * The raster worker functions through a real one-thread WorkerPool (loaded with require() via
 * tsx, as in production): results equal the in-process calls, buffers arrive as typed arrays,
 * the thread's cache persists between jobs, and errors come back as rejections.
 */
import { join } from 'node:path';
import { fromArrayBuffer } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../../src/pool/worker-pool.ts';
import {
  encodeGeoTiffOnPool,
  rasterCacheStatsOnPool,
  readWindowOnPool,
  renderRasterOnPool,
} from '../../../src/raster/raster-jobs.ts';
import { geoTiffFromWindow, writeGeoTiffInt16 } from '../../../src/raster/geotiff-writer.ts';
import type { RasterWindowRequest } from '../../../src/raster/raster-types.ts';
import { readWindow, renderRasterRGBA } from '../../../src/raster/raster-worker.ts';
import type { HgtFolder } from './raster-fixtures.ts';
import { NODATA, createHgtFolder, mercatorX, mercatorY } from './raster-fixtures.ts';

let folder: HgtFolder;
let pool: WorkerPool;
let request: RasterWindowRequest;

beforeAll(() => {
  folder = createHgtFolder();
  folder.write({ lat: 46, lon: 7 }, 1201);
  folder.write({ lat: 46, lon: 8 }, 1201);
  pool = new WorkerPool({ threads: 1 });
  request = {
    source: { kind: 'hgt-folder', path: folder.path },
    crs: 'EPSG:3857',
    bbox: [mercatorX(7.7), mercatorY(46.3), mercatorX(8.3), mercatorY(46.7)],
    width: 128,
    height: 96,
  };
});
afterAll(async () => {
  await pool.close();
  folder.remove();
});

describe('raster worker on the pool', () => {
  it.each(['hillshade', 'color-relief', 'grey'] as const)(
    'renders %s RGBA as the in-process call does',
    async (style) => {
      const onPool = await renderRasterOnPool(pool, { request, style });
      const local = await renderRasterRGBA({ request, style });
      expect([onPool.width, onPool.height]).toEqual([128, 96]);
      expect(onPool.rgba).toBeInstanceOf(Uint8Array);
      expect(onPool.rgba.length).toBe(128 * 96 * 4);
      expect(Buffer.from(onPool.rgba).equals(Buffer.from(local.rgba))).toBe(true);
    },
  );

  it('reads windows, with the values as an Int16Array', async () => {
    const onPool = await readWindowOnPool(pool, { request: { ...request, margin: 1 } });
    const local = await readWindow({ request: { ...request, margin: 1 } });
    expect(onPool.values).toBeInstanceOf(Int16Array);
    expect([onPool.width, onPool.height, onPool.margin]).toEqual([130, 98, 1]);
    expect(Array.from(onPool.values)).toEqual(Array.from(local.values));
    expect(onPool.bbox).toEqual(local.bbox);
  });

  it('encodes GeoTIFFs of windows', async () => {
    const bytes = await encodeGeoTiffOnPool(pool, { request });
    const image = await (await fromArrayBuffer(bytes.slice().buffer)).getImage();
    expect([image.getWidth(), image.getHeight()]).toEqual([128, 96]);
    expect(image.getGeoKeys()?.ProjectedCSTypeGeoKey).toBe(3857);
    expect(image.getOrigin()[0]).toBeCloseTo(request.bbox[0], 6);
    expect(image.getOrigin()[1]).toBeCloseTo(request.bbox[3], 6);
    expect(image.getGDALNoData()).toBe(NODATA);
    const [band] = await image.readRasters();
    const local = await readWindow({ request });
    expect(Array.from(band as Int16Array)).toEqual(Array.from(local.values));
  });

  it("keeps the thread's cache between jobs and takes cache settings with a job", async () => {
    const tile: RasterWindowRequest = {
      ...request,
      bbox: [mercatorX(7.1), mercatorY(46.1), mercatorX(7.2), mercatorY(46.2)],
    };
    await renderRasterOnPool(pool, { request: tile, style: 'hillshade' });
    const before = await rasterCacheStatsOnPool(pool);
    await renderRasterOnPool(pool, { request: tile, style: 'hillshade' });
    const after = await rasterCacheStatsOnPool(pool);
    expect(after.misses).toBe(before.misses);
    expect(after.hits).toBeGreaterThan(before.hits);
    await readWindowOnPool(pool, { request, cache: { maxBytes: 12_345_678 } });
    expect((await rasterCacheStatsOnPool(pool)).maxBytes).toBe(12_345_678);
  });

  it('reads GeoTIFF sources in pool threads (geotiff loads there)', async () => {
    const path = join(folder.path, 'dem.tif');
    const local = await readWindow({ request });
    writeGeoTiffInt16(path, geoTiffFromWindow(local));
    const fromTiff = { ...request, source: { kind: 'geotiff', path } } as const;
    const onPool = await readWindowOnPool(pool, { request: fromTiff });
    expect(Array.from(onPool.values)).toEqual(Array.from(local.values));
    const shaded = await renderRasterOnPool(pool, { request: fromTiff, style: 'color-relief' });
    expect(shaded.rgba.length).toBe(128 * 96 * 4);
  });

  it('rejects bad requests with the reason', async () => {
    await expect(
      renderRasterOnPool(pool, { request: { ...request, width: 0 }, style: 'grey' }),
    ).rejects.toThrow(/width must be a positive integer/);
    await expect(renderRasterOnPool(pool, { request, style: 'sepia' as never })).rejects.toThrow(
      /Unknown raster style/,
    );
  });
});
