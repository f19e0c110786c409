/**
 * Turns the client's GeoJSON into the normalised ElevationArea the rest of the plugin works on:
 * one WGS84 MultiPolygon with longitudes in [-180, 180], split at the antimeridian (see
 * antimeridian.ts). Accepts a Polygon, a MultiPolygon, a Feature of either, or a FeatureCollection
 * of such Features (their polygons are merged). Anything else is an AreaError whose message says
 * what is wrong and where, since it goes back to the client as a 400.
 *
 * Each Polygon and MultiPolygon must be valid as OGC Simple Features define it (see
 * polygon-validity.ts); an invalid one is refused, or repaired when the client asks (`repair`):
 * its polygons are unioned with themselves (polyclip-ts, as turf union does), which splits a
 * self-crossing ring into the pieces it encloses, drops the parts of holes outside their shell,
 * removes spikes and merges overlapping parts. What was repaired is recorded in `repairs`.
 * Features of a FeatureCollection may overlap each other; they are merged.
 *
 * The CRS comes from the `crs` option (a request parameter) or a legacy GeoJSON `crs` member
 * (inherited by nested objects, as the 2008 spec had it); the two must agree. Locators are paths
 * from the request's `geometry`: `geometry.features[2].geometry.coordinates[0][1][3]`.
 */
import type { Position } from 'geojson';
import type { ElevationArea } from '../contracts.ts';
import { boxOf, normaliseLongitudes } from './antimeridian.ts';
import { AreaError } from './area-error.ts';
import { type CrsKind, isRecord, mercatorToWgs84, resolveCrs, resolveCrsMember } from './crs.ts';
import { findInvalidity } from './polygon-validity.ts';
import { quote, readRing } from './read-ring.ts';
import { repairPolygons } from './repair-polygons.ts';

export interface ParseAreaOptions {
  /** The CRS request parameter; a GeoJSON crs member must agree with it. Default EPSG:4326. */
  crs?: string | undefined;
  /** Most positions the client may send, counting every position of every ring. */
  maxVertices: number;
  /** Repair invalid polygons instead of refusing them. */
  repair?: boolean | undefined;
  /** The validity check's edge-pair budget (see polygon-validity.ts). */
  validityPairsPerEdge?: number | undefined;
}

/** A polygon as found in the GeoJSON, not yet checked beyond being arrays. */
interface FoundPolygon {
  rings: unknown[][];
  crs: CrsKind;
  /** '' for a lone Polygon, else 'polygon 1', 'feature 2', 'polygon 1 of feature 2'. */
  label: string;
  locator: string;
  /** The Polygon or MultiPolygon it belongs to: the index of that geometry's first polygon. */
  group: number;
}

interface Place {
  crs: CrsKind;
  /** The crs the request parameter set, which crs members must agree with. */
  requested: CrsKind | undefined;
  /** Index of the feature inside a FeatureCollection. */
  feature: number | undefined;
  locator: string;
}

const ROOT = 'geometry';
const UNSUPPORTED_GEOMETRIES = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'GeometryCollection',
]);

export function parseArea(body: unknown, options: ParseAreaOptions): ElevationArea {
  const requested = options.crs === undefined ? undefined : resolveCrs(options.crs, 'crs');
  const found: FoundPolygon[] = [];
  collect(body, { crs: requested ?? 'wgs84', requested, feature: undefined, locator: ROOT }, found);

  const vertices = found.reduce((n, p) => n + p.rings.reduce((m, ring) => m + ring.length, 0), 0);
  if (vertices > options.maxVertices) {
    throw new AreaError(
      `the area has ${vertices} vertices; at most ${options.maxVertices} are allowed (simplify it)`,
      ROOT,
    );
  }

  const read = found.map(({ rings, crs, label, locator }) =>
    rings.map((ring, r) =>
      readRing(ring, crs, {
        label: ringName(r, label),
        locator: `${locator}[${r}]`,
      }),
    ),
  );
  const repairs: string[] = [];
  const polygons: Position[][][] = [];
  for (let first = 0; first < found.length;) {
    let end = first + 1;
    while (end < found.length && found[end]!.group === first) end++;
    const valid = checkGeometry(found.slice(first, end), read.slice(first, end), options, repairs);
    polygons.push(...toWgs84(valid, found[first]!.crs));
    first = end;
  }
  const normalised = normaliseLongitudes(polygons);
  if (normalised.length === 0) throw new AreaError('the area encloses no area', ROOT);
  return {
    geometry: { type: 'MultiPolygon', coordinates: normalised },
    bbox: boxOf(normalised),
    vertexCount: normalised.flat(2).length,
    ...(repairs.length === 0 ? {} : { repairs }),
  };
}

/** One Polygon's or MultiPolygon's polygons if valid, repaired if asked, else an AreaError. */
function checkGeometry(
  found: FoundPolygon[],
  polygons: Position[][][],
  options: ParseAreaOptions,
  repairs: string[],
): Position[][][] {
  const invalidity = findInvalidity(
    polygons.map((rings, i) => ({
      rings,
      ringNames: rings.map((_, r) => ringName(r, found[i]!.label)),
      ringLocators: rings.map((_, r) => `${found[i]!.locator}[${r}]`),
      name: found[i]!.label || 'the polygon',
      locator: found[i]!.locator,
    })),
    options.validityPairsPerEdge,
  );
  if (invalidity === undefined) return polygons;
  if (invalidity.kind === 'too-intricate') {
    throw new AreaError(invalidity.message, invalidity.locator);
  }
  if (options.repair !== true) {
    throw new AreaError(
      `${invalidity.message} (an invalid polygon; send repair=true to have it repaired)`,
      invalidity.locator,
    );
  }
  repairs.push(invalidity.message);
  return repairPolygons(polygons);
}

function toWgs84(polygons: Position[][][], crs: CrsKind): Position[][][] {
  if (crs === 'wgs84') return polygons;
  return polygons.map((rings) =>
    rings.map((ring) => ring.map(([x, y]) => mercatorToWgs84(x!, y!))),
  );
}

function collect(value: unknown, place: Place, found: FoundPolygon[]): void {
  const what = place.feature === undefined ? 'the area' : `feature ${place.feature}`;
  if (!isRecord(value)) {
    throw new AreaError(
      `${what} must be a GeoJSON object (Polygon, MultiPolygon, Feature or FeatureCollection), got ${describe(value)}`,
      place.locator,
    );
  }
  const here = withCrsMember(value, place);
  const { type } = value;
  if (typeof type !== 'string') {
    throw new AreaError(`${what} is not GeoJSON: it has no "type" member`, place.locator);
  }
  const coordinates = `${place.locator}.coordinates`;
  switch (type) {
    case 'Polygon': {
      const label = polygonLabel(place);
      found.push(
        polygonOf(
          value['coordinates'],
          here.crs,
          label,
          coordinates,
          found.length,
          label || 'the Polygon',
        ),
      );
      return;
    }
    case 'MultiPolygon':
      return collectMultiPolygon(value, here, found);
    case 'Feature':
      return collectFeatureGeometry(value, here, found);
    case 'FeatureCollection':
      return collectFeatures(value, here, found);
  }
  if (UNSUPPORTED_GEOMETRIES.has(type)) {
    throw new AreaError(
      `${what} is a ${type}; only Polygon and MultiPolygon areas are supported`,
      `${place.locator}.type`,
    );
  }
  throw new AreaError(
    `${what} is not GeoJSON: unknown type ${quote(type)}`,
    `${place.locator}.type`,
  );
}

function collectMultiPolygon(
  multiPolygon: Record<string, unknown>,
  place: Place,
  found: FoundPolygon[],
): void {
  const locator = `${place.locator}.coordinates`;
  const what =
    place.feature === undefined
      ? 'the MultiPolygon'
      : `the MultiPolygon of feature ${place.feature}`;
  const parts = arrayOf(multiPolygon['coordinates'], what, locator, 'polygons');
  const group = found.length;
  parts.forEach((part, i) => {
    found.push(polygonOf(part, place.crs, polygonLabel(place, i), `${locator}[${i}]`, group));
  });
}

function collectFeatureGeometry(
  feature: Record<string, unknown>,
  place: Place,
  found: FoundPolygon[],
): void {
  const geometry = feature['geometry'];
  const what = place.feature === undefined ? 'the feature' : `feature ${place.feature}`;
  const locator = `${place.locator}.geometry`;
  if (geometry === null || geometry === undefined) {
    throw new AreaError(`${what} has no geometry; it must be a Polygon or MultiPolygon`, locator);
  }
  if (
    !isRecord(geometry) ||
    geometry['type'] === 'Feature' ||
    geometry['type'] === 'FeatureCollection'
  ) {
    throw new AreaError(`${what} has no valid geometry: ${quote(geometry)}`, locator);
  }
  collect(geometry, { ...place, locator }, found);
}

function collectFeatures(
  collection: Record<string, unknown>,
  place: Place,
  found: FoundPolygon[],
): void {
  const locator = `${place.locator}.features`;
  const features = arrayOf(collection['features'], 'the FeatureCollection', locator, 'features');
  features.forEach((feature, i) => {
    const featureLocator = `${locator}[${i}]`;
    if (!isRecord(feature) || feature['type'] !== 'Feature') {
      const type = isRecord(feature) ? feature['type'] : undefined;
      const found = typeof type === 'string' ? `a ${type}` : quote(feature);
      throw new AreaError(
        `feature ${i} of the FeatureCollection is not a GeoJSON Feature but ${found}`,
        featureLocator,
      );
    }
    collect(feature, { ...place, feature: i, locator: featureLocator }, found);
  });
}

/** '' for a lone Polygon; 'polygon 1', 'feature 2' or 'polygon 1 of feature 2'. */
function polygonLabel(place: Place, part?: number): string {
  const names = [
    ...(part === undefined ? [] : [`polygon ${part}`]),
    ...(place.feature === undefined ? [] : [`feature ${place.feature}`]),
  ];
  return names.join(' of ');
}

/**
 * The rings of one polygon, checked only for being arrays of arrays. `label` names it in ring
 * messages ('' when it stands alone); `what` names it when it has no rings.
 */
function polygonOf(
  coordinates: unknown,
  crs: CrsKind,
  label: string,
  locator: string,
  group: number,
  what = label,
): FoundPolygon {
  const rings = arrayOf(coordinates, what, locator, 'rings');
  rings.forEach((ring, r) => {
    if (!Array.isArray(ring) || (ring.length > 0 && !Array.isArray(ring[0]))) {
      throw new AreaError(
        `${ringName(r, label)} is not an array of positions: ${quote(ring)} (check the nesting of coordinates)`,
        `${locator}[${r}]`,
      );
    }
  });
  return { rings: rings as unknown[][], crs, label, locator, group };
}

function ringName(index: number, polygonLabel: string): string {
  return polygonLabel === '' ? `ring ${index}` : `ring ${index} of ${polygonLabel}`;
}

/** A non-empty array, or an AreaError saying what is missing. */
function arrayOf(value: unknown, what: string, locator: string, items: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new AreaError(`${what} has no ${items} array: ${quote(value)}`, locator);
  }
  if (value.length === 0) throw new AreaError(`${what} is empty: it has no ${items}`, locator);
  return value;
}

/** The place for the object's children: its legacy crs member, if any, applies to them. */
function withCrsMember(value: Record<string, unknown>, place: Place): Place {
  const member = value['crs'];
  if (member === undefined || member === null) return place;
  const locator = `${place.locator}.crs`;
  const crs = resolveCrsMember(member, locator);
  if (place.requested !== undefined && crs !== place.requested) {
    throw new AreaError(
      `the GeoJSON crs member (${crsLabel(crs)}) contradicts the crs parameter (${crsLabel(place.requested)})`,
      locator,
    );
  }
  return { ...place, crs };
}

function crsLabel(kind: CrsKind): string {
  return kind === 'wgs84' ? 'EPSG:4326' : 'EPSG:3857';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
