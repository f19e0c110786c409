/**
 * HGT tile names: formatting, the latitude directory, bounds, strict parsing (only canonical,
 * in-range names, checked both ways over every cell of the globe) and lenient file names.
 */
import { describe, expect, it } from 'vitest';
import {
  hgtTileBounds as tileBounds,
  hgtTileDir as tileDir,
  hgtTileName as tileName,
  hgtTileOfFileName,
  isHgtTileId as isTileId,
  parseHgtTileName as parseTileName,
  skadiPath,
} from '../../../src/raster/hgt-tile-name.ts';

describe('tileName and tileDir', () => {
  it.each([
    [{ lat: 46, lon: 7 }, 'N46E007', 'N46'],
    [{ lat: -1, lon: -1 }, 'S01W001', 'S01'],
    [{ lat: 0, lon: 0 }, 'N00E000', 'N00'],
    [{ lat: -90, lon: -180 }, 'S90W180', 'S90'],
    [{ lat: 89, lon: 179 }, 'N89E179', 'N89'],
    [{ lat: -0, lon: -0 }, 'N00E000', 'N00'],
    [{ lat: 10, lon: -180 }, 'N10W180', 'N10'],
  ])('%j is %s in %s', (tile, name, dir) => {
    expect(tileName(tile)).toBe(name);
    expect(tileDir(tile)).toBe(dir);
  });

  it('gives the skadi path', () => {
    expect(skadiPath({ lat: 46, lon: 7 })).toBe('N46/N46E007.hgt.gz');
    expect(skadiPath({ lat: -1, lon: -73 })).toBe('S01/S01W073.hgt.gz');
  });

  it.each([
    { lat: 90, lon: 0 },
    { lat: -91, lon: 0 },
    { lat: 0, lon: 180 },
    { lat: 0, lon: -181 },
    { lat: 46.5, lon: 7 },
    { lat: Number.NaN, lon: 7 },
  ])('refuses %j', (tile) => {
    expect(() => tileName(tile)).toThrow(RangeError);
    expect(() => tileDir(tile)).toThrow(RangeError);
    expect(() => tileBounds(tile)).toThrow(RangeError);
    expect(isTileId(tile)).toBe(false);
  });
});

describe('tileBounds', () => {
  it('is [west, south, east, north] from the south-west corner', () => {
    expect(tileBounds({ lat: 46, lon: 7 })).toEqual([7, 46, 8, 47]);
    expect(tileBounds({ lat: -1, lon: -1 })).toEqual([-1, -1, 0, 0]);
    expect(tileBounds({ lat: -90, lon: -180 })).toEqual([-180, -90, -179, -89]);
    expect(tileBounds({ lat: 89, lon: 179 })).toEqual([179, 89, 180, 90]);
  });
});

describe('parseTileName', () => {
  it('parses canonical names', () => {
    expect(parseTileName('N46E007')).toEqual({ lat: 46, lon: 7 });
    expect(parseTileName('S01W001')).toEqual({ lat: -1, lon: -1 });
    expect(parseTileName('N00E000')).toEqual({ lat: 0, lon: 0 });
    expect(parseTileName('S90W180')).toEqual({ lat: -90, lon: -180 });
    expect(parseTileName('N89E179')).toEqual({ lat: 89, lon: 179 });
  });

  it.each([
    'N90E000', // lat 90 has no cell
    'S91E000',
    'N00E180', // lon 180 is W180
    'N00W181',
    'S00E000', // zero is N and E
    'N00W000',
    'n46e007',
    'N46E7',
    'N046E007',
    'N46E0070',
    ' N46E007',
    'N46E007.hgt',
    'N46/N46E007',
    'X46E007',
    '',
  ])('rejects %j', (name) => {
    expect(parseTileName(name)).toBeUndefined();
  });

  it('inverts tileName over every cell', () => {
    const names = new Set<string>();
    const mismatches: string[] = [];
    for (let lat = -90; lat <= 89; lat++) {
      for (let lon = -180; lon <= 179; lon++) {
        const name = tileName({ lat, lon });
        const parsed = parseTileName(name);
        if (parsed?.lat !== lat || parsed.lon !== lon) mismatches.push(name);
        names.add(name);
      }
    }
    expect(mismatches).toEqual([]);
    expect(names.size).toBe(180 * 360);
  });
});

describe('hgtTileOfFileName', () => {
  it.each([
    ['N46E007.hgt', { lat: 46, lon: 7 }],
    ['/data/N46/n46e007.hgt', { lat: 46, lon: 7 }],
    ['C:\\tiles\\S01W001.HGT', { lat: -1, lon: -1 }],
    ['S00W000.hgt', { lat: 0, lon: 0 }],
    ['s90w180', { lat: -90, lon: -180 }],
  ])('reads %s', (path, tile) => {
    expect(hgtTileOfFileName(path)).toEqual(tile);
  });

  it.each(['N46E7.hgt', 'N90E000.hgt', 'N46E180.hgt', 'X46E007.hgt', 'N46E007.tif', ''])(
    'finds no tile in %s',
    (path) => {
      expect(hgtTileOfFileName(path)).toBeUndefined();
    },
  );
});
