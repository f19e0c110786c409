/**
 * Names of the 1°×1° cells in the skadi layout the upstream and the tile cache use: a tile is
 * named by its south-west corner, `N46E007`, in a directory per latitude, `N46/N46E007.hgt.gz`.
 */
import type { TileId } from '../contracts.ts';

const NAME = /^([NS])(\d{2})([EW])(\d{3})$/;

/** 'N46E007', 'S01W001', 'N00E000', 'S90W180'. */
export function tileName(tile: TileId): string {
  checkTile(tile);
  const ew = tile.lon < 0 ? 'W' : 'E';
  return `${tileDir(tile)}${ew}${String(Math.abs(tile.lon)).padStart(3, '0')}`;
}

/** The latitude directory: 'N46', 'S01'. */
export function tileDir(tile: TileId): string {
  checkTile(tile);
  const ns = tile.lat < 0 ? 'S' : 'N';
  return `${ns}${String(Math.abs(tile.lat)).padStart(2, '0')}`;
}

/** The upstream path of a tile: 'N46/N46E007.hgt.gz'. */
export function skadiPath(tile: TileId): string {
  return `${tileDir(tile)}/${tileName(tile)}.hgt.gz`;
}

/** [west, south, east, north] in degrees. */
export function tileBounds(tile: TileId): [number, number, number, number] {
  checkTile(tile);
  return [tile.lon, tile.lat, tile.lon + 1, tile.lat + 1];
}

/**
 * The tile a name denotes, or undefined for anything but a canonical in-range name: 'n46e007',
 * 'N90E000', 'N46E180', 'S00E000' (zero is N and E) and 'N46E7' are all rejected.
 */
export function parseTileName(name: string): TileId | undefined {
  const match = NAME.exec(name);
  if (match === null) return undefined;
  const [, ns, latDigits, ew, lonDigits] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const lat = ns === 'N' ? Number(latDigits) : -Number(latDigits);
  const lon = ew === 'E' ? Number(lonDigits) : -Number(lonDigits);
  if ((ns === 'S' && lat === 0) || (ew === 'W' && lon === 0)) return undefined;
  return isTileId({ lat, lon }) ? { lat, lon } : undefined;
}

/** An integer cell with lat in [-90, 89] and lon in [-180, 179]. */
export function isTileId(tile: TileId): boolean {
  const { lat, lon } = tile;
  return (
    Number.isInteger(lat) &&
    Number.isInteger(lon) &&
    lat >= -90 &&
    lat <= 89 &&
    lon >= -180 &&
    lon <= 179
  );
}

function checkTile(tile: TileId): void {
  if (!isTileId(tile)) throw new RangeError(`not a tile: ${JSON.stringify(tile)}`);
}
