/**
 * The schema of a vector layer, inferred from its features because GeoJSON has none: property
 * names and types (string, number, integer, boolean) from the first features, plus the
 * geometry type. WFS DescribeFeatureType publishes it and the GML writer follows it, so names
 * are made safe once here: every property gets an XML name (an NCName without `:`) that also
 * survives comma-separated KVP lists. Only a sample is read, so a late feature may carry a
 * property or type the schema does not know.
 */
import type { Feature, Geometry } from 'geojson';

export type PropertyType = 'string' | 'number' | 'integer' | 'boolean';

/** A GeoJSON geometry type, or `Geometry` when the sample mixes types or has none. */
export type GeometryKind = Geometry['type'] | 'Geometry';

export interface PropertySchema {
  /** The key in the feature's `properties`. */
  readonly key: string;
  /** The name clients use: element name in GML, PROPERTYNAME value. */
  readonly name: string;
  readonly type: PropertyType;
}

export interface FeatureSchema {
  readonly geometryName: string;
  readonly geometryType: GeometryKind;
  readonly properties: readonly PropertySchema[];
}

export const GEOMETRY_PROPERTY = 'geometry';
export const DEFAULT_SAMPLE_SIZE = 1000;

export function inferSchema(
  features: readonly Feature[],
  sampleSize = DEFAULT_SAMPLE_SIZE,
): FeatureSchema {
  // null: the property was only ever null so far.
  const types = new Map<string, PropertyType | null>();
  const geometryTypes = new Set<Geometry['type']>();
  const end = Math.min(features.length, sampleSize);
  for (let i = 0; i < end; i++) {
    const feature = features[i] as Feature;
    if (feature.geometry != null) geometryTypes.add(feature.geometry.type);
    for (const [key, value] of Object.entries(feature.properties ?? {})) {
      const type = typeOf(value);
      const known = types.get(key) ?? null;
      if (type === undefined) {
        if (!types.has(key)) types.set(key, null);
      } else {
        types.set(key, known === null ? type : merge(known, type));
      }
    }
  }
  const used = new Set<string>([GEOMETRY_PROPERTY]);
  const properties = [...types].map(([key, type]) => ({
    key,
    name: uniqueName(key, used),
    type: type ?? 'string',
  }));
  const [only] = geometryTypes;
  return {
    geometryName: GEOMETRY_PROPERTY,
    geometryType: geometryTypes.size === 1 && only !== undefined ? only : 'Geometry',
    properties,
  };
}

function typeOf(value: unknown): PropertyType | undefined {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'object':
      // Objects and arrays are written as their JSON text.
      return value === null ? undefined : 'string';
    default:
      return 'string';
  }
}

function merge(a: PropertyType, b: PropertyType): PropertyType {
  if (a === b) return a;
  const numeric = (t: PropertyType) => t === 'integer' || t === 'number';
  return numeric(a) && numeric(b) ? 'number' : 'string';
}

const NAME_START = /[\p{L}_]/u;
const NAME_CHAR = /[\p{L}\p{M}\p{N}_.-]/u;

/** An NCName from any string: invalid characters become `_`, clashes get a numeric suffix. */
export function xmlName(text: string): string {
  let name = '';
  for (const char of text) name += NAME_CHAR.test(char) ? char : '_';
  if (name === '' || !NAME_START.test(name[0] as string)) name = `_${name}`;
  return name;
}

function uniqueName(key: string, used: Set<string>): string {
  const base = xmlName(key);
  let name = base;
  for (let n = 1; used.has(name); n++) name = `${base}_${n}`;
  used.add(name);
  return name;
}
