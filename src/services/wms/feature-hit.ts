/**
 * Does a feature lie at the point GetFeatureInfo asks about? Polygons when they contain the
 * point's location (turf's booleanPointInPolygon, holes respected); lines and points when they
 * pass within `tolerance` pixels of it, measured on the map's own pixel grid so the tolerance
 * means the same on screen in every CRS.
 */
import { booleanPointInPolygon } from '@turf/turf';
import type { Geometry, Position } from 'geojson';
import { pixelProjector, type MapGrid } from './map-grid.ts';

export interface QueryPoint {
  /** Pixel coordinates (the centre of the queried pixel). */
  x: number;
  y: number;
  lon: number;
  lat: number;
}

export function featureHit(
  geometry: Geometry | null,
  point: QueryPoint,
  grid: MapGrid,
  tolerance: number,
): boolean {
  if (geometry == null) return false;
  const project = pixelProjector(grid);
  const near = (position: Position) => {
    const [x, y] = project(position[0]!, position[1]!);
    return Math.hypot(x - point.x, y - point.y) <= tolerance;
  };
  const nearLine = (line: readonly Position[]) => {
    if (line.length === 1) return near(line[0]!);
    for (let k = 1; k < line.length; k++) {
      const a = project(line[k - 1]![0]!, line[k - 1]![1]!);
      const b = project(line[k]![0]!, line[k]![1]!);
      if (segmentDistance(point.x, point.y, a, b) <= tolerance) return true;
    }
    return false;
  };
  const hit = (g: Geometry): boolean => {
    switch (g.type) {
      case 'Point':
        return near(g.coordinates);
      case 'MultiPoint':
        return g.coordinates.some(near);
      case 'LineString':
        return nearLine(g.coordinates);
      case 'MultiLineString':
        return g.coordinates.some(nearLine);
      case 'Polygon':
      case 'MultiPolygon':
        return booleanPointInPolygon([point.lon, point.lat], g);
      case 'GeometryCollection':
        return g.geometries.some(hit);
    }
  };
  return hit(geometry);
}

function segmentDistance(
  px: number,
  py: number,
  [ax, ay]: [number, number],
  [bx, by]: [number, number],
): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t =
    length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
