/**
 * Generated HGT folders for the raster tests (the deterministic tiles of
 * src/testing/hgt-fixtures.ts: sample (row, col) holds heightAt(lat, lon)), and expected values
 * computed independently of src/raster: the nearest sample of a point, and Web Mercator through
 * lat = atan(sinh(y / R)) rather than the module's 2·atan(exp(y / R)) − π/2.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hgtTileName as tileName } from '../../../src/raster/hgt-tile-name.ts';
import { defaultHeightAt, generateHgt, sampleLatLon } from '../../../src/testing/hgt-fixtures.ts';

export { defaultHeightAt };
export type HeightAt = (lat: number, lon: number) => number;
export type VoidAt = (lat: number, lon: number) => boolean;
export type Samples = 3601 | 1201;
export interface Tile {
  lat: number;
  lon: number;
}

export const R = 6_378_137;
export const NODATA = -32768;

export function mercatorLat(y: number): number {
  return (Math.atan(Math.sinh(y / R)) * 180) / Math.PI;
}

export function mercatorLon(x: number): number {
  return (x / R) * (180 / Math.PI);
}

export function mercatorY(lat: number): number {
  return R * Math.atanh(Math.sin((lat * Math.PI) / 180));
}

export function mercatorX(lon: number): number {
  return (lon * Math.PI * R) / 180;
}

export interface HgtFolder {
  path: string;
  /** Writes a generated tile, in the skadi layout (N46/N46E007.hgt) unless `flat`. */
  write(
    tile: Tile,
    samples: Samples,
    options?: { heightAt?: HeightAt; voidAt?: VoidAt; flat?: boolean },
  ): string;
  remove(): void;
}

/** Generated tiles are cached by content, so tests can write the same tile many times cheaply. */
const generated = new Map<string, Buffer>();

export function createHgtFolder(): HgtFolder {
  const path = mkdtempSync(join(tmpdir(), 'relief-raster-'));
  return {
    path,
    write(tile, samples, { heightAt = defaultHeightAt, voidAt, flat = false } = {}) {
      const name = tileName(tile);
      const key = `${name}/${samples}/${heightAt.toString()}/${voidAt?.toString()}`;
      let bytes = generated.get(key);
      if (bytes === undefined) {
        bytes = generateHgt(tile, samples, heightAt, voidAt);
        generated.set(key, bytes);
      }
      const folder = flat ? path : join(path, name.slice(0, 3));
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `${name}.hgt`);
      writeFileSync(file, bytes);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/**
 * The value a nearest-sample read gives at (lat, lon): the sample of the cell's tile nearest the
 * point; NODATA outside the world or where `hasTile` says the cell has no tile.
 */
export function nearestHeight(
  lat: number,
  lon: number,
  options: {
    samples?: (tile: Tile) => Samples;
    heightAt?: HeightAt;
    hasTile?: (tile: Tile) => boolean;
  } = {},
): number {
  const { samples = () => 1201, heightAt = defaultHeightAt, hasTile = () => true } = options;
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return NODATA;
  let tile = { lat: Math.min(89, Math.floor(lat)), lon: Math.min(179, Math.floor(lon)) };
  if (!hasTile(tile)) {
    // A point exactly on a cell's south or west edge is also a sample of the neighbour below.
    const below = [
      { lat: tile.lat - (lat === tile.lat ? 1 : 0), lon: tile.lon },
      { lat: tile.lat, lon: tile.lon - (lon === tile.lon ? 1 : 0) },
      { lat: tile.lat - (lat === tile.lat ? 1 : 0), lon: tile.lon - (lon === tile.lon ? 1 : 0) },
    ].find(
      (t) =>
        (t.lat !== tile.lat || t.lon !== tile.lon) && t.lat >= -90 && t.lon >= -180 && hasTile(t),
    );
    if (below === undefined) return NODATA;
    tile = below;
  }
  const n = samples(tile);
  const row = Math.round((tile.lat + 1 - lat) * (n - 1));
  const col = Math.round((lon - tile.lon) * (n - 1));
  const [sampleLat, sampleLon] = sampleLatLon(tile, n, row, col);
  return Math.round(heightAt(sampleLat, sampleLon));
}

/** Centres of the pixels of a grid, per column (x) and per row (y), in the grid's CRS units. */
export function centres(
  bbox: readonly [number, number, number, number],
  width: number,
  height: number,
): { xs: number[]; ys: number[] } {
  const [minX, minY, maxX, maxY] = bbox;
  return {
    xs: Array.from({ length: width }, (_, i) => minX + (i + 0.5) * ((maxX - minX) / width)),
    ys: Array.from({ length: height }, (_, j) => maxY - (j + 0.5) * ((maxY - minY) / height)),
  };
}

/** How many pixels differ from `expected(column, row)`, with the first few for the message. */
export function mismatches(
  values: Int16Array,
  width: number,
  expected: (column: number, row: number) => number,
): { count: number; first: string[] } {
  const first: string[] = [];
  let count = 0;
  for (let p = 0; p < values.length; p++) {
    const column = p % width;
    const row = Math.floor(p / width);
    const want = expected(column, row);
    if (values[p] === want) continue;
    count++;
    if (first.length < 5) first.push(`(${column}, ${row}): ${values[p]} ≠ ${want}`);
  }
  return { count, first };
}
