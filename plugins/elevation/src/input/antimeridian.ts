/**
 * Brings polygons written with longitudes in [-540, 540] into [-180, 180], so an area crossing
 * the antimeridian becomes parts on both sides of it.
 *
 * Rules:
 * - Coordinates are taken literally, as GeoJSON says: an edge from 179 to -179 runs 358° west,
 *   never 2° east. Nothing is guessed, so a ring written naively across the antimeridian stays
 *   the ~358° wide polygon the client wrote (and usually exceeds the tile limit later).
 * - An area crossing the antimeridian is written with longitudes beyond ±180 (179 to 181), or as
 *   parts on both sides (one ending at 180, one starting at -180); both end up as the same parts.
 * - A polygon reaching beyond ±180 is clipped (turf intersect, which keeps holes) to each world
 *   copy it overlaps, [-540, -180], [-180, 180] and [180, 540], and each piece is shifted by +360,
 *   0 or -360. No piece can then wrap round the globe: each lies within its copy.
 * - Pieces are merged (turf union) only when some of them may overlap (their boxes overlap),
 *   which also merges overlapping features; disjoint parts are kept as they are. Both clipping
 *   and union cost ~15-30 µs a vertex (polyclip-ts), so polygons within [-180, 180] whose boxes
 *   do not overlap never pay for them.
 */
import {
  bboxPolygon,
  featureCollection,
  intersect,
  polygon as turfPolygon,
  union,
} from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { AreaError } from './area-error.ts';

type Box = [number, number, number, number];

const WORLD_COPIES = [
  { west: -540, east: -180, shift: 360 },
  { west: -180, east: 180, shift: 0 },
  { west: 180, east: 540, shift: -360 },
];

/** Polygons with longitudes in [-540, 540] → polygons with longitudes in [-180, 180]. */
export function normaliseLongitudes(polygons: Position[][][]): Position[][][] {
  const pieces: Position[][][] = [];
  for (const polygon of polygons) {
    const [west, , east] = boxOf([polygon]);
    for (const copy of WORLD_COPIES) {
      if (east <= copy.west || west >= copy.east) continue;
      const inside = west >= copy.west && east <= copy.east;
      const clipped = inside ? [polygon] : clip(polygon, copy.west, copy.east);
      for (const piece of clipped) pieces.push(shift(piece, copy.shift));
    }
  }
  return mayOverlap(pieces) ? merge(pieces) : pieces;
}

/** [west, south, east, north] of polygons. */
export function boxOf(polygons: Position[][][]): Box {
  const box: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (const [x, y] of ring) {
        box[0] = Math.min(box[0], x!);
        box[1] = Math.min(box[1], y!);
        box[2] = Math.max(box[2], x!);
        box[3] = Math.max(box[3], y!);
      }
    }
  }
  return box;
}

function clip(polygon: Position[][], west: number, east: number): Position[][][] {
  const box = bboxPolygon([west, -90, east, 90]);
  const pieces = clipping(() => intersect(featureCollection<Polygon>([turfPolygon(polygon), box])));
  return pieces === null ? [] : polygonsOf(pieces);
}

function shift(polygon: Position[][], by: number): Position[][] {
  // Clamped: a clip point computed as 180.00000000000003 must not leave [-180, 180].
  const lon = (x: number) => Math.min(180, Math.max(-180, x + by));
  return polygon.map((ring) => ring.map(([x, y]) => [lon(x!), y!]));
}

/** Whether any two pieces have overlapping boxes (a sweep over the pieces sorted by west). */
function mayOverlap(pieces: Position[][][]): boolean {
  const boxes = pieces.map((piece) => boxOf([piece])).sort((a, b) => a[0] - b[0]);
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i]!;
    for (let j = i + 1; j < boxes.length && boxes[j]![0] < a[2]; j++) {
      const b = boxes[j]!;
      if (b[1] < a[3] && a[1] < b[3]) return true;
    }
  }
  return false;
}

function merge(pieces: Position[][][]): Position[][][] {
  const merged = clipping(() => union(featureCollection(pieces.map((p) => turfPolygon(p)))));
  return merged === null ? [] : polygonsOf(merged);
}

/** Polygon clipping can fail on badly self-intersecting rings: that is the client's 400. */
function clipping<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AreaError(
      `the area's polygons could not be split at the antimeridian or merged (${reason}); check that its rings do not cross themselves`,
      'geometry',
    );
  }
}

export function polygonsOf(feature: Feature<Polygon | MultiPolygon>): Position[][][] {
  const { geometry } = feature;
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}
