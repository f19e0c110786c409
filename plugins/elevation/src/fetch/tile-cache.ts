/**
 * The tile cache: `<data>/elevation/tiles/N46/N46E007.hgt`. A tile only ever appears there by an
 * atomic rename of a complete, validated file, so a crash, a cancel or a killed worker can leave
 * at most a temporary file in `.tmp/` (cleared at start-up), never a partial tile that counts
 * as downloaded. A cell the source has no data for gets an empty `.nodata` marker.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HgtSamples, TileId } from '../contracts.ts';
import { hgtTileDir as tileDir, hgtTileName as tileName } from 'relief/worker';
import { TILE_SIZES } from './tile-sizes.ts';

export type CacheEntry =
  | { kind: 'tile'; path: string; size: number; samples: HgtSamples }
  | { kind: 'no-data' }
  | { kind: 'missing' };

export class TileCache {
  readonly root: string;
  readonly #tmp: string;

  constructor(root: string) {
    this.root = root;
    this.#tmp = join(root, '.tmp');
  }

  /** Creates the folders and removes temporary files a previous process left behind. */
  async open(): Promise<void> {
    await rm(this.#tmp, { recursive: true, force: true });
    await mkdir(this.#tmp, { recursive: true });
  }

  pathOf(tile: TileId): string {
    return join(this.root, tileDir(tile), `${tileName(tile)}.hgt`);
  }

  /** URL path below the static route, e.g. `N46/N46E007.hgt`. */
  relativePathOf(tile: TileId): string {
    return `${tileDir(tile)}/${tileName(tile)}.hgt`;
  }

  async lookup(tile: TileId): Promise<CacheEntry> {
    const path = this.pathOf(tile);
    try {
      const { size } = await stat(path);
      const samples = TILE_SIZES.get(size);
      // A file of another size cannot have been written by commit(); treat it as absent.
      if (samples !== undefined) return { kind: 'tile', path, size, samples };
    } catch {
      // not cached
    }
    try {
      await stat(this.#noDataPath(tile));
      return { kind: 'no-data' };
    } catch {
      return { kind: 'missing' };
    }
  }

  /** A fresh temporary path on the same file system as the cache, so commit is a rename. */
  tempPath(tile: TileId): string {
    return join(this.#tmp, `${tileName(tile)}.${randomUUID()}.hgt`);
  }

  /** A fresh temporary path for a downloaded body (the .hgt.gz) until it is decoded. */
  partPath(tile: TileId): string {
    return join(this.#tmp, `${tileName(tile)}.${randomUUID()}.hgt.gz`);
  }

  async commit(tempPath: string, tile: TileId): Promise<string> {
    const path = this.pathOf(tile);
    await mkdir(join(this.root, tileDir(tile)), { recursive: true });
    await rename(tempPath, path);
    return path;
  }

  async discard(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true });
  }

  async markNoData(tile: TileId): Promise<void> {
    await mkdir(join(this.root, tileDir(tile)), { recursive: true });
    const temp = join(this.#tmp, `${tileName(tile)}.${randomUUID()}.nodata`);
    await writeFile(temp, '');
    await rename(temp, this.#noDataPath(tile));
  }

  #noDataPath(tile: TileId): string {
    return join(this.root, tileDir(tile), `${tileName(tile)}.nodata`);
  }
}
