/**
 * Checks a GeoJSON file and computes its extent with turf. The features are parsed here only to
 * validate and measure them; the layer definition keeps the path, and the services read the file
 * through their vector store.
 */
import { readFile } from 'node:fs/promises';
import { bbox as turfBbox } from '@turf/turf';
import type { GeoJSON } from 'geojson';
import { fileProblem, LayerProblem, wgs84Bbox, type Bbox } from './layer-problem.ts';

export interface GeoJsonExtent {
  /** Undefined when no feature has a geometry. */
  bbox: Bbox | undefined;
  features: number;
}

/** Nesting depth of `coordinates` below a position, per geometry type. */
const DEPTH: Record<string, number> = {
  Point: 0,
  MultiPoint: 1,
  LineString: 1,
  MultiLineString: 2,
  Polygon: 2,
  MultiPolygon: 3,
};

export async function geojsonExtent(path: string): Promise<GeoJsonExtent> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw fileProblem(error, 'file');
  }
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch (error) {
    throw new LayerProblem(`not valid JSON: ${(error as Error).message}`);
  }
  const features = checkFeatures(data);
  // turf gives [Infinity, Infinity, -Infinity, -Infinity] when there is no coordinate at all.
  const box = turfBbox(data as GeoJSON, { recompute: true });
  const empty = !box.every(Number.isFinite);
  return { bbox: empty ? undefined : wgs84Bbox(box, 'its extent'), features };
}

/** The number of features; throws a LayerProblem naming the first malformed part. */
function checkFeatures(data: unknown): number {
  const type = isObject(data) ? data.type : undefined;
  if (type === 'Feature') {
    checkFeature(data, 'the feature');
    return 1;
  }
  if (type !== 'FeatureCollection' || !isObject(data)) {
    throw new LayerProblem(
      `not a GeoJSON FeatureCollection or Feature (type: ${JSON.stringify(type ?? null)})`,
    );
  }
  if (!Array.isArray(data.features)) {
    throw new LayerProblem('not valid GeoJSON: a FeatureCollection needs a "features" list');
  }
  data.features.forEach((feature, i) => checkFeature(feature, `features[${i}]`));
  return data.features.length;
}

function checkFeature(feature: unknown, where: string): void {
  if (!isObject(feature) || feature.type !== 'Feature') {
    throw new LayerProblem(`not valid GeoJSON: ${where} is not a Feature`);
  }
  if (feature.geometry !== null) checkGeometry(feature.geometry, `${where}.geometry`);
}

function checkGeometry(geometry: unknown, where: string): void {
  if (!isObject(geometry)) throw new LayerProblem(`not valid GeoJSON: ${where} is not an object`);
  if (geometry.type === 'GeometryCollection') {
    if (!Array.isArray(geometry.geometries)) {
      throw new LayerProblem(`not valid GeoJSON: ${where} needs a "geometries" list`);
    }
    geometry.geometries.forEach((g, i) => checkGeometry(g, `${where}.geometries[${i}]`));
    return;
  }
  const depth = typeof geometry.type === 'string' ? DEPTH[geometry.type] : undefined;
  if (depth === undefined) {
    throw new LayerProblem(
      `not valid GeoJSON: ${where} has an unknown type ${JSON.stringify(geometry.type ?? null)}`,
    );
  }
  if (!coordinatesOk(geometry.coordinates, depth)) {
    throw new LayerProblem(
      `not valid GeoJSON: ${where} (${String(geometry.type)}) has malformed coordinates`,
    );
  }
}

function coordinatesOk(value: unknown, depth: number): boolean {
  if (!Array.isArray(value)) return false;
  if (depth === 0) {
    return value.length >= 2 && value.every((v) => typeof v === 'number' && Number.isFinite(v));
  }
  return value.every((item) => coordinatesOk(item, depth - 1));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
