/**
 * Which .hgt file holds which 1°×1° tile. An hgt-folder is listed (the skadi layout
 * `N46/N46E007.hgt`, and also `N46E007.hgt` directly in the folder) and the listing reused for
 * `listingTtlMs`: tiles that are not there are then known missing without touching the disk,
 * which matters for zoomed-out windows over thousands of cells. An hgt-files list is indexed by
 * the files' names.
 */
import type { Dirent } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tileCacheSettings } from './decoded-tile-cache.ts';
import { hgtTileKey, hgtTileOfFileName } from './hgt-tile-name.ts';

/** Tile key (hgtTileKey) → path of the tile's file. */
export type HgtTileIndex = ReadonlyMap<number, string>;

const LATITUDE_FOLDER = /^[NS]\d{2}$/i;
const listings = new Map<string, { expires: number; index: HgtTileIndex }>();

export function hgtSourceIndex(
  source: { kind: 'hgt-folder'; path: string } | { kind: 'hgt-files'; paths: readonly string[] },
): HgtTileIndex {
  return source.kind === 'hgt-folder' ? hgtFolderIndex(source.path) : hgtFilesIndex(source.paths);
}

/** The tiles in a folder; a folder that does not exist has none. */
export function hgtFolderIndex(folder: string, now = Date.now()): HgtTileIndex {
  const cached = listings.get(folder);
  if (cached !== undefined && now < cached.expires) return cached.index;
  const index = new Map<number, string>();
  const top = list(folder);
  addTiles(index, folder, top); // flat layout first: the skadi layout wins a duplicate
  for (const entry of top) {
    if (entry.isDirectory() && LATITUDE_FOLDER.test(entry.name)) {
      const sub = join(folder, entry.name);
      addTiles(index, sub, list(sub));
    }
  }
  listings.set(folder, { expires: now + tileCacheSettings().listingTtlMs, index });
  return index;
}

/** The tiles of explicit files, named like `N46E007.hgt`; the first file of a tile wins. */
export function hgtFilesIndex(paths: readonly string[]): HgtTileIndex {
  const index = new Map<number, string>();
  for (const path of paths) {
    const tile = hgtTileOfFileName(path);
    if (tile === undefined) throw new Error(`${path}: not an HGT tile name like N46E007.hgt`);
    const key = hgtTileKey(tile.lat, tile.lon);
    if (!index.has(key)) index.set(key, path);
  }
  return index;
}

/** Forgets every folder listing (tests). */
export function clearHgtFolderListings(): void {
  listings.clear();
}

function list(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function addTiles(index: Map<number, string>, folder: string, entries: readonly Dirent[]): void {
  for (const entry of entries) {
    if (entry.isDirectory() || !/\.hgt$/i.test(entry.name)) continue;
    const tile = hgtTileOfFileName(entry.name);
    if (tile !== undefined) index.set(hgtTileKey(tile.lat, tile.lon), join(folder, entry.name));
  }
}
