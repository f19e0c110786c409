/**
 * The tiles an area needs: exactly the 1°×1° cells whose interior meets the area's interior. A
 * cell of the bounding box the polygon does not reach, a cell it only touches along an edge or at
 * a corner, and a cell inside a hole are all left out (the QGIS tutorial downloads the whole
 * bounding box).
 *
 * Per polygon, a cell's interior meets the polygon's interior iff
 * - an edge of the polygon passes through the open cell (a polygon has interior beside every
 *   edge), or
 * - no edge does, and then the open cell is wholly inside or wholly outside, which its centre
 *   decides (even-odd over the polygon's rings, on one scanline per row of cells).
 * Both tests compare with the integer grid directly, so they are exact up to a sliver margin:
 * overlaps less than SLIVER deep (≈0.1 mm) do not count, so reprojection noise (6.999999999999999
 * for 7) does not pull in a neighbouring tile. If that leaves nothing (a polygon thinner than the
 * margin lying on a grid line), the exact answer is used. Planar lon/lat, like the grid itself.
 *
 * Cost: O(edges + cells crossed by edges + rows crossed by edges + cells found); with a `limit`,
 * it stops as soon as more cells than that are found, so a continent is refused at once.
 */
import type { ElevationArea, TileId } from '../contracts.ts';
import { AreaError } from '../input/area-error.ts';

/** Degrees: ≈0.1 mm, well above double rounding, well below any meaningful overlap. */
export const SLIVER = 1e-9;

const [MIN_LAT, MAX_LAT] = [-90, 89];
const [MIN_LON, MAX_LON] = [-180, 179];

type Ring = number[][];

export function tilesFor(area: ElevationArea, limit?: number): TileId[] {
  let found = findCells(area, limit, SLIVER);
  if (found.size === 0) found = findCells(area, limit, 0);
  return [...found].sort((a, b) => a - b).map(tileOfKey);
}

/** Cells as numbers ordered by lat then lon, so a numeric sort gives the tile order. */
function keyOf(lat: number, lon: number): number {
  return (lat - MIN_LAT) * 360 + (lon - MIN_LON);
}

function tileOfKey(key: number): TileId {
  return { lat: Math.floor(key / 360) + MIN_LAT, lon: (key % 360) + MIN_LON };
}

class CellSet extends Set<number> {
  constructor(private readonly limit: number | undefined) {
    super();
  }

  addCell(lat: number, lon: number): void {
    this.add(keyOf(lat, lon));
    if (this.limit !== undefined && this.size > this.limit) {
      throw new AreaError(
        `area covers more than ${this.limit} tiles (1°×1° cells), the most one request may use; ask for a smaller area`,
        'geometry',
      );
    }
  }
}

function findCells(area: ElevationArea, limit: number | undefined, margin: number): CellSet {
  const found = new CellSet(limit);
  for (const polygon of area.geometry.coordinates) {
    for (const ring of polygon) addCellsCrossedByRing(ring, margin, found);
    addCellsWithCentreInside(polygon, found);
  }
  return found;
}

/** Cells whose interior (shrunk by `margin`) an edge of the ring passes through. */
function addCellsCrossedByRing(ring: Ring, margin: number, found: CellSet): void {
  for (let i = 0; i + 1 < ring.length; i++) {
    const [px, py] = ring[i] as [number, number];
    const [qx, qy] = ring[i + 1] as [number, number];
    const firstColumn = Math.max(MIN_LON, Math.floor(Math.min(px, qx)));
    const lastColumn = Math.min(MAX_LON, Math.max(firstColumn, Math.ceil(Math.max(px, qx)) - 1));
    for (let lon = firstColumn; lon <= lastColumn; lon++) {
      // The edge's latitudes within this column; one row more each side absorbs rounding.
      const [south, north] = latitudesWithin(px, py, qx, qy, lon, lon + 1);
      const firstRow = Math.max(MIN_LAT, Math.floor(south) - 1);
      const lastRow = Math.min(MAX_LAT, Math.ceil(north));
      for (let lat = firstRow; lat <= lastRow; lat++) {
        if (
          segmentEntersBox(
            px,
            py,
            qx,
            qy,
            lon + margin,
            lon + 1 - margin,
            lat + margin,
            lat + 1 - margin,
          )
        ) {
          found.addCell(lat, lon);
        }
      }
    }
  }
}

/** [min, max] latitude of segment p–q where its longitude is within [west, east]. */
function latitudesWithin(
  px: number,
  py: number,
  qx: number,
  qy: number,
  west: number,
  east: number,
): [number, number] {
  if (px === qx) return [Math.min(py, qy), Math.max(py, qy)];
  const at = (x: number) => py + ((x - px) * (qy - py)) / (qx - px);
  const a = at(Math.min(Math.max(west, Math.min(px, qx)), Math.max(px, qx)));
  const b = at(Math.min(Math.max(east, Math.min(px, qx)), Math.max(px, qx)));
  return [Math.min(a, b), Math.max(a, b)];
}

/**
 * Whether segment p–q has a point strictly inside the box (x0, x1) × (y0, y1): Liang–Barsky with
 * open bounds. Touching a side or a corner does not count.
 */
export function segmentEntersBox(
  px: number,
  py: number,
  qx: number,
  qy: number,
  x0: number,
  x1: number,
  y0: number,
  y1: number,
): boolean {
  let low = -Infinity; // the open interval (low, high) of t inside the box
  let high = Infinity;
  for (const [p, d, min, max] of [
    [px, qx - px, x0, x1],
    [py, qy - py, y0, y1],
  ] as const) {
    if (d === 0) {
      if (!(p > min && p < max)) return false;
      continue;
    }
    const a = (min - p) / d;
    const b = (max - p) / d;
    low = Math.max(low, Math.min(a, b));
    high = Math.min(high, Math.max(a, b));
  }
  return low < high && low < 1 && high > 0; // and meets t in [0, 1]
}

/**
 * Cells whose centre is inside the polygon (even-odd over its rings), row by row: each ring edge
 * is put on the scanlines (lat + 0.5) it crosses, then each row's crossings pair up into inside
 * intervals.
 */
function addCellsWithCentreInside(polygon: Ring[], found: CellSet): void {
  const rows = new Map<number, number[]>();
  for (const ring of polygon) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [px, py] = ring[i] as [number, number];
      const [qx, qy] = ring[i + 1] as [number, number];
      const [low, high] = py < qy ? [py, qy] : [qy, py];
      // Rows whose centre line y = lat + 0.5 satisfies low <= y < high (half-open: a vertex on
      // the line is counted once).
      let lat = Math.max(MIN_LAT, Math.floor(low - 0.5));
      if (lat + 0.5 < low) lat++;
      for (; lat <= MAX_LAT && lat + 0.5 < high; lat++) {
        const y = lat + 0.5;
        const x = px + ((y - py) * (qx - px)) / (qy - py);
        const crossings = rows.get(lat);
        if (crossings === undefined) rows.set(lat, [x]);
        else crossings.push(x);
      }
    }
  }
  for (const [lat, crossings] of rows) {
    crossings.sort((a, b) => a - b);
    for (let i = 0; i + 1 < crossings.length; i += 2) {
      // Cells with lon + 0.5 strictly between the two crossings.
      const west = crossings[i]!;
      const east = crossings[i + 1]!;
      let lon = Math.max(MIN_LON, Math.floor(west - 0.5));
      if (lon + 0.5 <= west) lon++;
      for (; lon <= MAX_LON && lon + 0.5 < east; lon++) found.addCell(lat, lon);
    }
  }
}
