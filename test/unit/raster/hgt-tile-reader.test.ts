/**
 * HGT tiles: names both ways, whole tiles and row runs read into host-endian Int16Arrays with
 * their georeferencing, and files of the wrong size refused.
 */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hgtSamplesOf, readHgtRows, readHgtTile } from '../../../src/raster/hgt-tile-reader.ts';
import { sampleLatLon } from '../../../src/testing/hgt-fixtures.ts';
import type { HgtFolder } from './raster-fixtures.ts';
import { NODATA, createHgtFolder, defaultHeightAt } from './raster-fixtures.ts';

let folder: HgtFolder;
let path: string;
beforeAll(() => {
  folder = createHgtFolder();
  path = folder.write({ lat: -34, lon: -72 }, 1201, { voidAt: (lat) => lat > -33.01 });
});
afterAll(() => folder.remove());

describe('reading HGT tiles', () => {
  it('reads a whole tile, host-endian, with its georeferencing', () => {
    const tile = readHgtTile(path);
    expect(tile).toMatchObject({
      tile: { lat: -34, lon: -72 },
      samples: 1201,
      west: -72,
      north: -33,
    });
    expect(tile.step).toBeCloseTo(1 / 1200, 15);
    expect(tile.data.length).toBe(1201 * 1201);
    for (const [row, col] of [
      [0, 0],
      [600, 17],
      [1200, 1200],
      [13, 1100],
    ] as const) {
      const [lat, lon] = sampleLatLon({ lat: -34, lon: -72 }, 1201, row, col);
      const expected = lat > -33.01 ? NODATA : defaultHeightAt(lat, lon);
      expect(tile.data[row * 1201 + col]).toBe(expected);
    }
  });

  it('reads runs of rows, each row an array of its own', () => {
    const whole = readHgtTile(path).data;
    const fd = openSync(path, 'r');
    try {
      const rows = readHgtRows(fd, 1201, 599, 3);
      expect(rows).toHaveLength(3);
      rows.forEach((row, k) => {
        expect(row.length).toBe(1201);
        expect(row.byteOffset).toBe(0);
        expect(row.buffer.byteLength).toBe(2402);
        expect(Array.from(row)).toEqual(
          Array.from(whole.subarray((599 + k) * 1201, (600 + k) * 1201)),
        );
      });
      expect(() => readHgtRows(fd, 1201, 1200, 2)).toThrow(/ended/);
    } finally {
      closeSync(fd);
    }
  });

  it('knows the two tile sizes and refuses others', () => {
    expect(hgtSamplesOf(3601 * 3601 * 2)).toBe(3601);
    expect(hgtSamplesOf(1201 * 1201 * 2)).toBe(1201);
    expect(hgtSamplesOf(1000)).toBeUndefined();
    const bad = join(folder.path, 'N10E010.hgt');
    writeFileSync(bad, Buffer.alloc(1000));
    expect(() => readHgtTile(bad)).toThrow(/1000 bytes/);
    expect(() => readHgtTile(join(folder.path, 'nothing.hgt'))).toThrow(/not an HGT tile name/);
  });
});
