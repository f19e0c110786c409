/**
 * Repairs invalid polygons, only when the client asks (`repair=true`): the polygons are unioned
 * with themselves by polyclip-ts (turf union), a sweep-line overlay that accepts invalid input.
 * The result: a self-crossing ring becomes the pieces it encloses (a bowtie, two triangles), a
 * spike is cut off, the parts of holes outside their shell are dropped, holes crossing their
 * shell cut it back, and overlapping polygons are merged.
 */
import { featureCollection, polygon as turfPolygon, union } from '@turf/turf';
import type { Position } from 'geojson';
import { polygonsOf } from './antimeridian.ts';
import { AreaError } from './area-error.ts';

export function repairPolygons(polygons: Position[][][]): Position[][][] {
  // union needs two geometries; a polygon unioned with itself is the polygon, made valid.
  const features = [...polygons, polygons[0]!].map((rings) => turfPolygon(rings));
  let repaired;
  try {
    repaired = union(featureCollection(features));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AreaError(`the area could not be repaired (${reason})`, 'geometry');
  }
  return repaired === null ? [] : polygonsOf(repaired);
}
