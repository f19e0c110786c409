/**
 * What the store computes once per feature collection: each feature's bounding box (so a BBOX
 * query rejects most features with four comparisons), the collection's extent, whether any
 * feature carries its own id, and the inferred schema (on first use). Features are referenced,
 * never copied.
 */
import { bbox as turfBbox } from '@turf/turf';
import type { Feature, FeatureCollection } from 'geojson';
import { DEFAULT_SAMPLE_SIZE, inferSchema, type FeatureSchema } from './feature-schema.ts';

/** [west, south, east, north] in WGS84 degrees. */
export type Extent = [number, number, number, number];

const NO_BOX = [NaN, NaN, NaN, NaN] as const;

export class FeatureIndex {
  readonly features: readonly Feature[];
  /** west, south, east, north of feature i at 4i…4i+3; NaN for a feature without geometry. */
  readonly bboxes: Float64Array;
  readonly extent: Extent | undefined;
  /** False when no feature has an `id`: ids are then positional and found without a scan. */
  readonly hasOwnIds: boolean;
  /** The feature count when indexed (a plugin may push to its collection later). */
  readonly size: number;
  #schema: FeatureSchema | undefined;

  constructor(collection: FeatureCollection) {
    this.features = collection.features;
    const count = this.features.length;
    this.size = count;
    this.bboxes = new Float64Array(count * 4);
    let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
    let ownIds = false;
    for (let i = 0; i < count; i++) {
      const feature = this.features[i] as Feature;
      if (feature.id !== undefined && feature.id !== null && feature.id !== '') ownIds = true;
      // recompute: a stored `bbox` member may be 3D or stale.
      const box =
        feature.geometry == null ? NO_BOX : turfBbox(feature.geometry, { recompute: true });
      const [w, s, e, n] = [box[0], box[1], box[2], box[3]];
      this.bboxes[i * 4] = w;
      this.bboxes[i * 4 + 1] = s;
      this.bboxes[i * 4 + 2] = e;
      this.bboxes[i * 4 + 3] = n;
      if (!(w <= e && s <= n)) continue;
      if (w < west) west = w;
      if (s < south) south = s;
      if (e > east) east = e;
      if (n > north) north = n;
    }
    this.extent = west <= east && south <= north ? [west, south, east, north] : undefined;
    this.hasOwnIds = ownIds;
  }

  schema(sampleSize = DEFAULT_SAMPLE_SIZE): FeatureSchema {
    this.#schema ??= inferSchema(this.features, sampleSize);
    return this.#schema;
  }
}
