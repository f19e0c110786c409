/**
 * Point-in-polygon for whole grid rows at once: for one latitude, the longitude intervals that
 * lie inside the area, so the result workers test millions of samples with a few comparisons per
 * row instead of a polygon test per sample.
 *
 * Boundary rule: a point ON the area's boundary (outer ring or hole ring) counts as inside, like
 * turf's booleanPointInPolygon without ignoreBoundary. "On" means within TOLERANCE degrees (in
 * latitude and longitude) of an edge, so grid points lying exactly on an edge are not lost to
 * float rounding of the vertices or of the crossing computation (turf loses some of those).
 * Each polygon is filled even-odd over its own rings (outer minus holes); the polygons of a
 * MultiPolygon are then unioned, so overlapping polygons do not cancel each other out.
 */
import type { MultiPolygon } from 'geojson';

/** Closed longitude intervals [x0, x1, x2, x3, ...], sorted and disjoint. */
export type Intervals = number[];

const BUCKET_LIMIT = 4096;
/** Degrees (about 0.1 mm): far above float error at |lon| ≤ 180, far below a sample spacing. */
const TOLERANCE = 1e-9;

export interface Scanline {
  /** The closed longitude intervals inside the area at `lat` (inside-or-on). */
  intervalsAt(lat: number): Intervals;
}

/**
 * Edges are bucketed by latitude band so a row only looks at the edges that can reach it. Edges
 * of a bucket stay grouped by polygon (they are added polygon by polygon).
 */
export function createScanline(geometry: MultiPolygon): Scanline {
  const edges: number[] = []; // x1, y1, x2, y2, polygon index: 5 numbers per edge
  let minY = Infinity;
  let maxY = -Infinity;
  geometry.coordinates.forEach((polygon, polygonIndex) => {
    for (const ring of polygon) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x1, y1] = ring[i] as [number, number];
        const [x2, y2] = ring[i + 1] as [number, number];
        edges.push(x1, y1, x2, y2, polygonIndex);
        minY = Math.min(minY, y1, y2);
        maxY = Math.max(maxY, y1, y2);
      }
    }
  });
  const edgeCount = edges.length / 5;
  if (edgeCount === 0) return { intervalsAt: () => [] };

  const bucketCount = Math.max(1, Math.min(BUCKET_LIMIT, edgeCount));
  const bucketHeight = (maxY - minY) / bucketCount || 1;
  const bucketOf = (y: number) =>
    Math.min(bucketCount - 1, Math.max(0, Math.floor((y - minY) / bucketHeight)));
  const buckets: number[][] = Array.from({ length: bucketCount }, () => []);
  for (let e = 0; e < edgeCount; e++) {
    const y1 = edges[e * 5 + 1]!;
    const y2 = edges[e * 5 + 3]!;
    const last = bucketOf(Math.max(y1, y2) + TOLERANCE);
    for (let b = bucketOf(Math.min(y1, y2) - TOLERANCE); b <= last; b++) buckets[b]!.push(e);
  }

  return {
    intervalsAt(lat: number): Intervals {
      if (lat < minY - TOLERANCE || lat > maxY + TOLERANCE) return [];
      const pieces: number[] = []; // unsorted closed intervals, two numbers each
      let crossings: number[] = [];
      let polygon = -1;
      const closePolygon = () => {
        crossings.sort((a, b) => a - b);
        for (let i = 0; i + 1 < crossings.length; i += 2)
          pieces.push(crossings[i]!, crossings[i + 1]!);
        crossings = [];
      };
      for (const e of buckets[bucketOf(lat)]!) {
        const x1 = edges[e * 5]!;
        const y1 = edges[e * 5 + 1]!;
        const x2 = edges[e * 5 + 2]!;
        const y2 = edges[e * 5 + 3]!;
        const p = edges[e * 5 + 4]!;
        if (p !== polygon) {
          closePolygon();
          polygon = p;
        }
        // The boundary: the part of the edge within TOLERANCE of this row.
        const low = Math.max(Math.min(y1, y2), lat - TOLERANCE);
        const high = Math.min(Math.max(y1, y2), lat + TOLERANCE);
        if (low > high) continue;
        if (y1 === y2) {
          pieces.push(Math.min(x1, x2), Math.max(x1, x2));
          continue;
        }
        const xLow = crossingX(x1, y1, x2, y2, low);
        const xHigh = crossingX(x1, y1, x2, y2, high);
        pieces.push(Math.min(xLow, xHigh), Math.max(xLow, xHigh));
        // The interior: half-open rule, so a vertex on the row is crossed once (or not at all).
        if (y1 <= lat !== y2 <= lat) crossings.push(crossingX(x1, y1, x2, y2, lat));
      }
      closePolygon();
      return mergeIntervals(pieces);
    },
  };
}

/** Longitude where the edge meets `lat`; exact at the vertices. */
function crossingX(x1: number, y1: number, x2: number, y2: number, lat: number): number {
  if (lat === y1) return x1;
  if (lat === y2) return x2;
  return x1 + ((lat - y1) / (y2 - y1)) * (x2 - x1);
}

function mergeIntervals(pieces: number[]): Intervals {
  const order: number[] = [];
  for (let i = 0; i < pieces.length; i += 2) order.push(i);
  order.sort((a, b) => pieces[a]! - pieces[b]!);
  const merged: Intervals = [];
  for (const i of order) {
    const start = pieces[i]! - TOLERANCE;
    const end = pieces[i + 1]! + TOLERANCE;
    const n = merged.length;
    if (n > 0 && start <= merged[n - 1]!) merged[n - 1] = Math.max(merged[n - 1]!, end);
    else merged.push(start, end);
  }
  return merged;
}

/**
 * The integer grid indices i with `i / scale` inside [from, to], the coordinate of index i being
 * exactly `i / scale` (as everywhere in the result workers); null when there are none.
 */
export function indexRange(from: number, to: number, scale: number): [number, number] | null {
  let first = Math.ceil(from * scale);
  while ((first - 1) / scale >= from) first--;
  while (first / scale < from) first++;
  let last = Math.floor(to * scale);
  while ((last + 1) / scale <= to) last++;
  while (last / scale > to) last--;
  return first <= last ? [first, last] : null;
}
