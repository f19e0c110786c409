/**
 * Names of 1°×1° HGT tiles, for the core's HGT layers and for plugins (through `relief/worker`):
 * a tile is named by its south-west corner, `N46E007`, and the skadi layout keeps it in a folder
 * per latitude, `N46/N46E007.hgt.gz`. Two parsers: a strict one for names that are keys (URLs,
 * cache paths: one spelling per tile), and a lenient one for files found on disk.
 */

/** A 1°×1° cell named by its south-west corner: integer lat in [-90, 89], lon in [-180, 179]. */
export interface HgtTileId {
  lat: number;
  lon: number;
}

const NAME = /^([NS])(\d{2})([EW])(\d{3})$/;

/** 'N46E007', 'S01W001', 'N00E000', 'S90W180'; throws a RangeError for a cell outside the world. */
export function hgtTileName(tile: HgtTileId): string {
  const ew = tile.lon < 0 ? 'W' : 'E';
  return `${hgtTileDir(tile)}${ew}${String(Math.abs(tile.lon)).padStart(3, '0')}`;
}

/** The latitude folder of the skadi layout: 'N46', 'S01'. */
export function hgtTileDir(tile: HgtTileId): string {
  checkTile(tile);
  const ns = tile.lat < 0 ? 'S' : 'N';
  return `${ns}${String(Math.abs(tile.lat)).padStart(2, '0')}`;
}

/** The skadi path of a tile: 'N46/N46E007.hgt.gz'. */
export function skadiPath(tile: HgtTileId): string {
  return `${hgtTileDir(tile)}/${hgtTileName(tile)}.hgt.gz`;
}

/** [west, south, east, north] in degrees. */
export function hgtTileBounds(tile: HgtTileId): [number, number, number, number] {
  checkTile(tile);
  return [tile.lon, tile.lat, tile.lon + 1, tile.lat + 1];
}

/** An integer cell with lat in [-90, 89] and lon in [-180, 179]. */
export function isHgtTileId(tile: HgtTileId): boolean {
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

/**
 * The tile a canonical name denotes, or undefined for anything else: 'n46e007', 'N90E000',
 * 'N46E180', 'S00E000' (zero is N and E) and 'N46E7' are all rejected, so each tile has one name.
 */
export function parseHgtTileName(name: string): HgtTileId | undefined {
  const match = NAME.exec(name);
  if (match === null) return undefined;
  const [, ns, latDigits, ew, lonDigits] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if ((ns === 'S' && Number(latDigits) === 0) || (ew === 'W' && Number(lonDigits) === 0)) {
    return undefined;
  }
  const tile = {
    lat: ns === 'N' ? Number(latDigits) : -Number(latDigits),
    lon: ew === 'E' ? Number(lonDigits) : -Number(lonDigits),
  };
  return isHgtTileId(tile) ? tile : undefined;
}

/**
 * The tile of a file name or path as found on disk (`N46E007.hgt`, `n46e007.hgt`,
 * `/x/N46/N46E007.hgt`), or undefined when it names none or a cell outside the world.
 */
export function hgtTileOfFileName(path: string): HgtTileId | undefined {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const name = base.replace(/\.hgt$/i, '').toUpperCase();
  const match = NAME.exec(name);
  if (match === null) return undefined;
  // S00 and W000 are spelled on disk now and then; they are the same cells as N00 and E000.
  const canonical = name.replace(/^S00/, 'N00').replace(/W000$/, 'E000');
  return parseHgtTileName(canonical);
}

/** A number that identifies a tile, for Map keys. */
export function hgtTileKey(lat: number, lon: number): number {
  return (lat + 90) * 360 + (lon + 180);
}

function checkTile(tile: HgtTileId): void {
  if (!isHgtTileId(tile)) throw new RangeError(`not a tile: ${JSON.stringify(tile)}`);
}
