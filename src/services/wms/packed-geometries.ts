/**
 * Geometries packed into three typed arrays for the trip to a pool worker: structured-cloning
 * GeoJSON costs the event loop about a millisecond per thousand small polygons, while typed
 * arrays are transferred for free, and packing them takes a fraction of that. A shape becomes
 * one SVG path (an area: polygon rings filled even-odd; a line: stroked) or a circle per point;
 * a MultiPolygon makes one area per polygon, the other multi-geometries one shape each, a
 * GeometryCollection one shape per member.
 */
import type { Geometry, Position } from 'geojson';

export const SHAPE_AREA = 0;
export const SHAPE_LINE = 1;
export const SHAPE_POINTS = 2;

export interface PackedGeometries {
  /** Per shape: its kind (SHAPE_*) and its number of parts (rings, lines or points). */
  shapes: Uint32Array;
  /** Positions per part, in order. */
  parts: Uint32Array;
  /** Longitude, latitude of every position, in order. */
  coords: Float64Array;
}

export function packGeometries(geometries: readonly (Geometry | null)[]): PackedGeometries {
  // Two passes over the same walk: count, then fill typed arrays allocated once.
  const counts = { shapes: 0, parts: 0, positions: 0 };
  walk(geometries, (_kind, lines) => {
    counts.shapes++;
    counts.parts += lines.length;
    for (const line of lines) counts.positions += line.length;
  });
  const shapes = new Uint32Array(counts.shapes * 2);
  const parts = new Uint32Array(counts.parts);
  const coords = new Float64Array(counts.positions * 2);
  let [s, p, c] = [0, 0, 0];
  walk(geometries, (kind, lines) => {
    shapes[s++] = kind;
    shapes[s++] = lines.length;
    for (const line of lines) {
      parts[p++] = line.length;
      for (const position of line) {
        coords[c++] = position[0] ?? NaN;
        coords[c++] = position[1] ?? NaN;
      }
    }
  });
  return { shapes, parts, coords };
}

type ShapeVisitor = (kind: number, lines: readonly (readonly Position[])[]) => void;

function walk(geometries: readonly (Geometry | null)[], visit: ShapeVisitor): void {
  const add = (geometry: Geometry): void => {
    switch (geometry.type) {
      case 'Point':
        return visit(SHAPE_POINTS, [[geometry.coordinates]]);
      case 'MultiPoint':
        return visit(
          SHAPE_POINTS,
          geometry.coordinates.map((position) => [position]),
        );
      case 'LineString':
        return visit(SHAPE_LINE, [geometry.coordinates]);
      case 'MultiLineString':
        return visit(SHAPE_LINE, geometry.coordinates);
      case 'Polygon':
        return visit(SHAPE_AREA, geometry.coordinates);
      case 'MultiPolygon':
        for (const polygon of geometry.coordinates) visit(SHAPE_AREA, polygon);
        return;
      case 'GeometryCollection':
        return geometry.geometries.forEach(add);
    }
  };
  for (const geometry of geometries) if (geometry != null) add(geometry);
}

/** The buffers to transfer with a PackedGeometries. */
export function packedBuffers(packed: PackedGeometries): ArrayBuffer[] {
  return [packed.shapes.buffer, packed.parts.buffer, packed.coords.buffer] as ArrayBuffer[];
}
