/**
 * BBOX queries: which features of a dataset intersect a WGS84 box. The precomputed feature
 * boxes settle most features with four comparisons (disjoint boxes: out; a box inside the query:
 * in; a point: its box is the point); only the features whose box straddles the query's edge
 * are tested exactly, with turf's booleanIntersects.
 */
import { bboxPolygon, booleanIntersects } from '@turf/turf';
import type { Feature, Polygon } from 'geojson';
import type { Extent } from './feature-index.ts';
import type { VectorDataset } from './vector-store.ts';

/** Positions of the features intersecting `box` ([west, south, east, north]), ascending. */
export function positionsIntersecting(
  dataset: VectorDataset,
  box: Extent,
  within?: Uint32Array,
): Uint32Array {
  const [west, south, east, north] = box;
  const boxes = dataset.index.bboxes;
  let query: Feature<Polygon> | undefined;
  const found: number[] = [];
  const test = (i: number) => {
    const w = boxes[i * 4] as number;
    const s = boxes[i * 4 + 1] as number;
    const e = boxes[i * 4 + 2] as number;
    const n = boxes[i * 4 + 3] as number;
    // NaN (no geometry) fails every comparison and so never matches.
    if (!(w <= east && e >= west && s <= north && n >= south)) return;
    if ((w >= west && e <= east && s >= south && n <= north) || (w === e && s === n)) {
      found.push(i);
      return;
    }
    const feature = dataset.featureAt(i);
    query ??= bboxPolygon(box);
    if (feature.geometry != null && booleanIntersects(feature.geometry, query)) found.push(i);
  };
  if (within === undefined) for (let i = 0; i < dataset.size; i++) test(i);
  else for (const i of within) test(i);
  return Uint32Array.from(found);
}
