/**
 * One feature as a GML element of its feature type, `<relief:layer gml:id="…">`, with the
 * geometry property first and then the properties in schema order, as DescribeFeatureType
 * declares them. Null and missing values are left out (every property is minOccurs="0").
 */
import type { Feature } from 'geojson';
import type { PropertySchema } from '../../vector/feature-schema.ts';
import { gmlGeometry } from './gml-geometry.ts';
import type { Crs } from './wfs-crs.ts';
import { FEATURE_PREFIX } from './wfs-feature-types.ts';
import { escapeAttribute, escapeText } from '../../xml/xml-escape.ts';

export interface GmlFeatureOptions {
  layer: string;
  geometryName: string;
  /** False to leave the geometry out (a PROPERTYNAME without it). */
  geometry: boolean;
  properties: readonly PropertySchema[];
  crs: Crs;
  gml32: boolean;
  /** Namespace declarations, for a feature that is the document element. */
  namespaces?: string;
}

export function gmlFeature(feature: Feature, id: string, options: GmlFeatureOptions): string {
  const type = `${FEATURE_PREFIX}:${options.layer}`;
  let out = `<${type}${options.namespaces ?? ''} gml:id="${escapeAttribute(id)}">`;
  if (options.geometry && feature.geometry != null) {
    const element = `${FEATURE_PREFIX}:${options.geometryName}`;
    out += `<${element}>${gmlGeometry(feature.geometry, id, options)}</${element}>`;
  }
  const values = feature.properties ?? {};
  for (const property of options.properties) {
    const value = values[property.key];
    if (value === null || value === undefined) continue;
    const element = `${FEATURE_PREFIX}:${property.name}`;
    out += `<${element}>${escapeText(textOf(value))}</${element}>`;
  }
  return `${out}</${type}>`;
}

/** A property value as XML Schema text: xs:double spells infinities INF and -INF. */
export function textOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (Number.isFinite(value) || Number.isNaN(value)) return String(value);
      return value > 0 ? 'INF' : '-INF';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return JSON.stringify(value) ?? '';
  }
}
