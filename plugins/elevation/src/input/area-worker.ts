/**
 * Turns the client's geometry into the normalised area and its exact tile set, on the pool:
 * antimeridian splitting, merging and testing thousands of cells against thousands of vertices
 * is CPU work that must not hold up the event loop. Errors travel back as values, since an
 * Error's class and fields do not survive the trip between threads.
 */
import type { ElevationArea, TileId } from '../contracts.ts';
import { tilesFor } from '../tiles/tile-set.ts';
import { AreaError } from './area-error.ts';
import { parseArea } from './parse-area.ts';

export interface PrepareAreaInput {
  geometry: unknown;
  crs: string | undefined;
  maxVertices: number;
  maxTiles: number;
  /** Repair an invalid polygon instead of refusing it. */
  repair: boolean;
  validityPairsPerEdge: number;
}

export type PrepareAreaOutput =
  | { kind: 'ok'; area: ElevationArea; tiles: TileId[] }
  | { kind: 'invalid'; message: string; locator: string };

export function prepareArea({
  geometry,
  crs,
  maxVertices,
  maxTiles,
  repair,
  validityPairsPerEdge,
}: PrepareAreaInput): PrepareAreaOutput {
  try {
    const area = parseArea(geometry, { crs, maxVertices, repair, validityPairsPerEdge });
    return { kind: 'ok', area, tiles: tilesFor(area, maxTiles) };
  } catch (error) {
    if (error instanceof AreaError)
      return { kind: 'invalid', message: error.message, locator: error.locator };
    throw error;
  }
}
