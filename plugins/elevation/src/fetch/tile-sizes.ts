/** The sizes a tile can have: decompressed (SRTM1 or SRTM3 grids) and, at most, gzipped. */
import type { HgtSamples } from '../contracts.ts';

/** Decompressed byte size → grid size; a file of any other size is not a tile. */
export const TILE_SIZES: ReadonlyMap<number, HgtSamples> = new Map<number, HgtSamples>([
  [3601 * 3601 * 2, 3601],
  [1201 * 1201 * 2, 1201],
]);

export const MAX_TILE_SIZE = 3601 * 3601 * 2;

/**
 * The largest body accepted as a tile's gzip: deflate never expands data by more than 5 bytes
 * per 64 KiB stored block, plus the gzip header and trailer; the rest is room for optional header
 * fields. Bounds the disk a misbehaving upstream can fill with one download.
 */
export const MAX_GZIP_BYTES = MAX_TILE_SIZE + 1024 * 1024;
