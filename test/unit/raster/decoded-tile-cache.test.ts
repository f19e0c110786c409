/**
 * The per-thread decoded-row cache behind readRasterWindow: a repeated window reads no file,
 * the byte bound evicts least recently used rows, a changed file is read again, and folder
 * listings (which tiles exist) are reused for listingTtlMs.
 */
import { utimesSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cachedRows,
  clearTileCache,
  configureTileCache,
  resetTileCacheCounters,
  tileCacheStats,
} from '../../../src/raster/decoded-tile-cache.ts';
import { clearHgtFolderListings } from '../../../src/raster/hgt-tile-index.ts';
import type { RasterWindowRequest } from '../../../src/raster/raster-types.ts';
import { readRasterWindow } from '../../../src/raster/read-window.ts';
import type { HgtFolder } from './raster-fixtures.ts';
import { NODATA, createHgtFolder, mercatorX, mercatorY } from './raster-fixtures.ts';

let folder: HgtFolder;
let request: RasterWindowRequest;
const ROW_BYTES = 1201 * 2;

beforeAll(() => {
  folder = createHgtFolder();
  folder.write({ lat: 46, lon: 7 }, 1201);
  folder.write({ lat: 46, lon: 8 }, 1201);
  request = {
    source: { kind: 'hgt-folder', path: folder.path },
    crs: 'EPSG:3857',
    bbox: [mercatorX(7.8), mercatorY(46.4), mercatorX(8.2), mercatorY(46.6)],
    width: 256,
    height: 256,
    margin: 1,
  };
});
afterAll(() => folder.remove());
beforeEach(() => {
  clearTileCache();
  clearHgtFolderListings();
  configureTileCache({ maxBytes: 256 * 1024 * 1024, listingTtlMs: 2000 });
});
afterEach(() => configureTileCache({ maxBytes: 256 * 1024 * 1024, listingTtlMs: 2000 }));

describe('decoded-row cache', () => {
  it('reads each needed row once, then answers a repeated window from memory', async () => {
    const first = await readRasterWindow(request);
    const cold = tileCacheStats();
    expect(cold.hits).toBe(0);
    expect(cold.misses).toBeGreaterThan(0);
    expect(cold.misses).toBe(cold.entries); // every row read once, rows of both tiles
    expect(cold.reads).toBeLessThanOrEqual(4); // adjacent rows read together: one run per tile
    expect(cold.bytesRead).toBe(cold.misses * ROW_BYTES);
    expect(cold.bytes).toBeGreaterThan(cold.bytesRead);

    resetTileCacheCounters();
    const second = await readRasterWindow(request);
    const warm = tileCacheStats();
    expect(warm).toMatchObject({ misses: 0, reads: 0, bytesRead: 0, hits: cold.misses });
    expect(Array.from(second.values)).toEqual(Array.from(first.values));
  });

  it('reads only the rows a window needs, so a zoomed-out window stays small', async () => {
    await readRasterWindow({
      ...request,
      crs: 'EPSG:4326',
      bbox: [7, 46, 9, 47],
      width: 64,
      height: 32,
      margin: 0,
    });
    const stats = tileCacheStats();
    expect(stats.misses).toBe(2 * 32); // 32 rows from each of the two tiles
    expect(stats.bytesRead).toBe(64 * ROW_BYTES);
  });

  it('evicts the least recently used rows beyond maxBytes', async () => {
    configureTileCache({ maxBytes: 100 * (ROW_BYTES + 200) });
    await readRasterWindow(request);
    const stats = tileCacheStats();
    expect(stats.evictions).toBeGreaterThan(0);
    expect(stats.bytes).toBeLessThanOrEqual(stats.maxBytes);
    expect(stats.entries).toBeLessThan(stats.misses);

    resetTileCacheCounters();
    await readRasterWindow(request);
    expect(tileCacheStats().misses).toBeGreaterThan(0); // evicted rows are read again

    configureTileCache({ maxBytes: 0 }); // shrinking evicts at once
    expect(tileCacheStats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('reads a file again when it changed (mtime, size or inode)', async () => {
    const changing = createHgtFolder();
    try {
      const path = changing.write({ lat: 46, lon: 7 }, 1201, { heightAt: () => 100 });
      const source = { kind: 'hgt-folder', path: changing.path } as const;
      const small = {
        source,
        crs: 'EPSG:4326',
        bbox: [7.4, 46.4, 7.5, 46.5],
        width: 8,
        height: 8,
      } as const;
      expect(new Set((await readRasterWindow(small)).values)).toEqual(new Set([100]));
      changing.write({ lat: 46, lon: 7 }, 1201, { heightAt: () => 200 });
      utimesSync(path, new Date(), new Date(Date.now() + 5000)); // a surely different mtime
      resetTileCacheCounters();
      expect(new Set((await readRasterWindow(small)).values)).toEqual(new Set([200]));
      expect(tileCacheStats().hits).toBe(0);
      expect(tileCacheStats().misses).toBeGreaterThan(0);
    } finally {
      changing.remove();
    }
  });

  it('reuses a folder listing for listingTtlMs, so new tiles show after it', async () => {
    const growing = createHgtFolder();
    try {
      const small: RasterWindowRequest = {
        source: { kind: 'hgt-folder', path: growing.path },
        crs: 'EPSG:4326',
        bbox: [7.4, 46.4, 7.5, 46.5],
        width: 4,
        height: 4,
      };
      configureTileCache({ listingTtlMs: 60_000 });
      expect((await readRasterWindow(small)).values.every((v) => v === NODATA)).toBe(true);
      growing.write({ lat: 46, lon: 7 }, 1201);
      expect((await readRasterWindow(small)).values.every((v) => v === NODATA)).toBe(true);
      configureTileCache({ listingTtlMs: 0 });
      clearHgtFolderListings();
      expect((await readRasterWindow(small)).values.every((v) => v !== NODATA)).toBe(true);
    } finally {
      growing.remove();
    }
  });

  it('reads runs of adjacent missing rows in one call, in order', async () => {
    const calls: [number, number][] = [];
    const read = (first: number, count: number) => {
      calls.push([first, count]);
      return Array.from({ length: count }, (_, k) => Int16Array.of(first + k));
    };
    const file = { path: '/virtual', version: '1' };
    const rows = await cachedRows(file, [3, 4, 5, 9, 10, 20], read);
    expect(rows.map((row) => row[0])).toEqual([3, 4, 5, 9, 10, 20]);
    expect(calls).toEqual([
      [3, 3],
      [9, 2],
      [20, 1],
    ]);
    calls.length = 0;
    const again = await cachedRows(file, [4, 5, 6], read);
    expect(again.map((row) => row[0])).toEqual([4, 5, 6]);
    expect(calls).toEqual([[6, 1]]);
    calls.length = 0;
    await cachedRows({ ...file, version: '2' }, [4], read);
    expect(calls).toEqual([[4, 1]]); // another version of the file: not the cached row
  });

  it('rejects a negative bound', () => {
    expect(() => configureTileCache({ maxBytes: -1 })).toThrow(RangeError);
    expect(() => configureTileCache({ listingTtlMs: NaN })).toThrow(RangeError);
  });
});
