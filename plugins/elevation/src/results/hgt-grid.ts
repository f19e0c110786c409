/**
 * Placing tiles' samples on the global sample grid. The result workers give every sample a global
 * integer index per axis (lon = column index / (samples - 1), lat = row index / (samples - 1)), so
 * adjacent tiles' shared edges land on the same indices and every coordinate is computed by one
 * exact-as-possible division. Reading the rows is `withHgtRows` from relief/worker.
 */
import type { HgtSamples, TileFile, TileId } from '../contracts.ts';

export function tileKey(tile: TileId): string {
  return `${tile.lat},${tile.lon}`;
}

/** The finest grid among the tiles (SRTM1 when there are none: what the upstream serves). */
export function finestSamples(tiles: readonly TileFile[]): HgtSamples {
  return tiles.every((t) => t.samples === 1201) && tiles.length > 0 ? 1201 : 3601;
}

/** The tile east of `tile`, wrapping at the antimeridian. */
export function eastOf(tile: TileId): TileId {
  return { lat: tile.lat, lon: tile.lon === 179 ? -180 : tile.lon + 1 };
}

/** The tile west of `tile`, wrapping at the antimeridian. */
export function westOf(tile: TileId): TileId {
  return { lat: tile.lat, lon: tile.lon === -180 ? 179 : tile.lon - 1 };
}

export function southOf(tile: TileId): TileId {
  return { lat: tile.lat - 1, lon: tile.lon };
}
