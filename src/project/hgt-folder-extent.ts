/**
 * The extent of a folder of .hgt tiles in the skadi layout (`N46/N46E007.hgt`), from the file
 * names alone: each name is the 1°×1° cell's south-west corner, so no tile is opened.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileProblem, LayerProblem, type Bbox } from './layer-problem.ts';

const LATITUDE_DIR = /^[NS]\d{2}$/;
const TILE = /^([NS])(\d{2})([EW])(\d{3})\.hgt$/;

export interface HgtFolderExtent {
  bbox: Bbox;
  tiles: number;
}

export async function hgtFolderExtent(folder: string): Promise<HgtFolderExtent> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw fileProblem(error, 'folder');
  }
  let tiles = 0;
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const dir of names.filter((name) => LATITUDE_DIR.test(name))) {
    let files: string[];
    try {
      files = await readdir(join(folder, dir));
    } catch {
      continue; // a file or an unreadable folder that happens to be named like a latitude
    }
    for (const file of files) {
      const cell = file.startsWith(dir) ? parseTile(file) : undefined;
      if (cell === undefined) continue;
      tiles++;
      west = Math.min(west, cell.lon);
      south = Math.min(south, cell.lat);
      east = Math.max(east, cell.lon + 1);
      north = Math.max(north, cell.lat + 1);
    }
  }
  if (tiles === 0) {
    throw new LayerProblem('no .hgt tiles in the skadi layout (N46/N46E007.hgt) in this folder');
  }
  return { bbox: [west, south, east, north], tiles };
}

/** The cell of a canonical tile name; S00 and W000 are not canonical (zero is N and E). */
function parseTile(file: string): { lat: number; lon: number } | undefined {
  const match = TILE.exec(file);
  if (match === null) return undefined;
  const [, ns, latDigits = '', ew, lonDigits = ''] = match;
  const lat = ns === 'N' ? Number(latDigits) : -Number(latDigits);
  const lon = ew === 'E' ? Number(lonDigits) : -Number(lonDigits);
  if ((ns === 'S' && lat === 0) || (ew === 'W' && lon === 0)) return undefined;
  return lat >= -90 && lat <= 89 && lon >= -180 && lon <= 179 ? { lat, lon } : undefined;
}
