/**
 * Which tile counts a sample point that several tiles hold. Adjacent tiles share their edge rows
 * and columns (and corners are held by up to four tiles), so statistics must count each point
 * once. The owner is the present tile with the highest priority:
 *   1. a tile with data before a no-data cell (so a 404 neighbour never voids a known edge);
 *   2. then by where the point lies in the tile: row 0 before the last row, then column 0 before
 *      the last column, i.e. the southern, then the eastern tile wins.
 * With no neighbours present a tile owns all of its samples.
 */
import type { TileId } from '../contracts.ts';
import { eastOf, southOf, westOf } from './hgt-grid.ts';

export type TileStatus = 'data' | 'no-data' | undefined;

/** Per row kind, whether the tile owns column 0, columns 1..n-2 and the last column. */
export interface RowOwnership {
  first: boolean;
  middle: boolean;
  last: boolean;
}

export interface TileOwnership {
  top: RowOwnership;
  inner: RowOwnership;
  bottom: RowOwnership;
}

/** Rank of a position in its tile: 0 = row 0/col 0 … 3 = last row/last col; lower wins. */
function rank(lastRow: boolean, lastColumn: boolean): number {
  return (lastRow ? 2 : 0) + (lastColumn ? 1 : 0);
}

const northOf = (tile: TileId): TileId => ({ lat: tile.lat + 1, lon: tile.lon });

export function tileOwnership(tile: TileId, statusOf: (tile: TileId) => TileStatus): TileOwnership {
  const mine = statusOf(tile);
  /** Whether `tile`, holding the point at position `myRank`, beats every other holder. */
  const owns = (myRank: number, others: Array<[TileId, number]>) =>
    others.every(([other, otherRank]) => {
      const status = statusOf(other);
      if (status === undefined) return true;
      if (status !== mine) return mine === 'data';
      return myRank < otherRank;
    });
  const n = northOf(tile);
  const s = southOf(tile);
  const e = eastOf(tile);
  const w = westOf(tile);
  return {
    top: {
      first: owns(rank(false, false), [
        [n, 2],
        [w, 1],
        [westOf(n), 3],
      ]),
      middle: owns(rank(false, false), [[n, 2]]),
      last: owns(rank(false, true), [
        [e, 0],
        [n, 3],
        [eastOf(n), 2],
      ]),
    },
    inner: {
      first: owns(rank(false, false), [[w, 1]]),
      middle: true,
      last: owns(rank(false, true), [[e, 0]]),
    },
    bottom: {
      first: owns(rank(true, false), [
        [s, 0],
        [w, 3],
        [westOf(s), 1],
      ]),
      middle: owns(rank(true, false), [[s, 0]]),
      last: owns(rank(true, true), [
        [e, 2],
        [s, 1],
        [eastOf(s), 0],
      ]),
    },
  };
}

/** The owned column ranges [from, to, ...] of a row of `samples` columns. */
export function ownedColumns(row: RowOwnership, samples: number): number[] {
  const last = samples - 1;
  if (row.middle) return [row.first ? 0 : 1, row.last ? last : last - 1];
  const ranges: number[] = [];
  if (row.first) ranges.push(0, 0);
  if (row.last) ranges.push(last, last);
  return ranges;
}
