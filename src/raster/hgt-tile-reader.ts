/**
 * Reading decompressed .hgt tiles: big-endian int16, 3601² (SRTM1) or 1201² (SRTM3) samples,
 * point-registered: sample (row, col) lies at lat = tile.lat + 1 − row/(samples − 1), lon =
 * tile.lon + col/(samples − 1), so row 0 is the north edge, column 0 the west edge, and edges are
 * shared with the neighbouring tiles. Void samples are -32768. Values come back as host-endian
 * Int16Arrays. Generalised from the elevation plugin's hgt-grid.ts.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import type { HgtTileId } from './hgt-tile-name.ts';
import { hgtTileOfFileName } from './hgt-tile-name.ts';

export type HgtSamples = 3601 | 1201;

const HOST_IS_BIG_ENDIAN = endianness() === 'BE';

/** The samples per side of a tile file of `bytes` bytes, or undefined for any other size. */
export function hgtSamplesOf(bytes: number): HgtSamples | undefined {
  if (bytes === 3601 * 3601 * 2) return 3601;
  if (bytes === 1201 * 1201 * 2) return 1201;
  return undefined;
}

export interface HgtTile {
  tile: HgtTileId;
  samples: HgtSamples;
  /** samples² values, row-major, row 0 = north edge. */
  data: Int16Array;
  /** Longitude of column 0 and latitude of row 0 (the tile's west and north edges). */
  west: number;
  north: number;
  /** Degrees between adjacent samples: 1 / (samples − 1). */
  step: number;
}

/** A whole tile; its name (`N46E007.hgt`) gives its position. */
export function readHgtTile(path: string): HgtTile {
  const tile = hgtTileOfFileName(path);
  if (tile === undefined) throw new Error(`${path}: not an HGT tile name like N46E007.hgt`);
  const bytes = readFileSync(path);
  const samples = hgtSamplesOf(bytes.length);
  if (samples === undefined) {
    throw new Error(`${path}: ${bytes.length} bytes, not an SRTM1 or SRTM3 tile`);
  }
  return {
    tile,
    samples,
    data: int16FromBigEndian(bytes),
    west: tile.lon,
    north: tile.lat + 1,
    step: 1 / (samples - 1),
  };
}

/**
 * Rows [first, first + count) of an open tile, one Int16Array of `samples` values per row (each
 * with a buffer of its own, so a cache can drop them one by one).
 */
export function readHgtRows(
  fd: number,
  samples: HgtSamples,
  first: number,
  count: number,
): Int16Array[] {
  const rowBytes = samples * 2;
  const bytes = Buffer.allocUnsafe(rowBytes * count);
  for (let done = 0; done < bytes.length;) {
    const read = readSync(fd, bytes, done, bytes.length - done, first * rowBytes + done);
    if (read === 0) throw new Error(`HGT file ended before row ${first + count}`);
    done += read;
  }
  const all = int16FromBigEndian(bytes);
  return Array.from({ length: count }, (_, k) => all.slice(k * samples, (k + 1) * samples));
}

/** Opens `path`, calls `use` with the descriptor, and closes it whatever happens. */
export function withOpenFile<T>(path: string, use: (fd: number) => T): T {
  const fd = openSync(path, 'r');
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

/** Swaps in place on little-endian hosts; `bytes` must have an even byteOffset or is copied. */
function int16FromBigEndian(bytes: Buffer): Int16Array {
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : Buffer.from(bytes);
  if (!HOST_IS_BIG_ENDIAN) aligned.swap16();
  return new Int16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2);
}
