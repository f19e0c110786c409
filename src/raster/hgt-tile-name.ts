/**
 * Names of 1°×1° HGT tiles: a tile is named by its south-west corner, `N46E007`, and the skadi
 * layout keeps it in a folder per latitude, `N46/N46E007.hgt`. (The elevation plugin has its own
 * copy for its tile cache; core cannot import plugin code.)
 */

/** A 1°×1° cell named by its south-west corner: lat in [-90, 89], lon in [-180, 179]. */
export interface HgtTileId {
  lat: number;
  lon: number;
}

const NAME = /^([NS])(\d{2})([EW])(\d{3})$/;

/** 'N46E007', 'S01W001'. */
export function hgtTileName(tile: HgtTileId): string {
  const ns = tile.lat < 0 ? 'S' : 'N';
  const ew = tile.lon < 0 ? 'W' : 'E';
  const lat = String(Math.abs(tile.lat)).padStart(2, '0');
  const lon = String(Math.abs(tile.lon)).padStart(3, '0');
  return `${ns}${lat}${ew}${lon}`;
}

/**
 * The tile of a name or file name (`N46E007`, `n46e007.hgt`, `/x/N46/N46E007.hgt`), or undefined
 * when it names none or a cell outside the world.
 */
export function parseHgtTileName(name: string): HgtTileId | undefined {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const match = NAME.exec(base.replace(/\.hgt$/i, '').toUpperCase());
  if (match === null) return undefined;
  const [, ns, latDigits, ew, lonDigits] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const lat = (ns === 'S' ? -1 : 1) * Number(latDigits);
  const lon = (ew === 'W' ? -1 : 1) * Number(lonDigits);
  return lat >= -90 && lat <= 89 && lon >= -180 && lon <= 179 ? { lat, lon } : undefined;
}

/** A Map key for a tile. */
export function hgtTileKey(lat: number, lon: number): number {
  return (lat + 90) * 360 + (lon + 180);
}
