/**
 * Checks one linear ring of a client's polygon and returns its [x, y] positions, still in the
 * client's CRS: at least 4 positions, each 2 or 3 finite numbers in range for its CRS, closed,
 * and not degenerate (its points not all on one line). The checks run
 * on the coordinates as written, so messages quote what the client sent; how the rings of a
 * polygon relate to each other is polygon-validity.ts's job.
 */
import type { Position } from 'geojson';
import { AreaError } from './area-error.ts';
import { type CrsKind, MERCATOR_MAX } from './crs.ts';

/** Where a ring is, for messages ("ring 0 of polygon 1") and the locator. */
export interface RingPlace {
  label: string;
  locator: string;
}

/** Longitudes beyond ±180 (up to ±540) are how antimeridian-crossing polygons are written. */
const MAX_LON = 540;
/** Relative to the ring's bounding box: shoelace noise of collinear points stays far below it. */
const DEGENERATE_AREA = 1e-12;

export function readRing(raw: unknown[], crs: CrsKind, place: RingPlace): Position[] {
  if (raw.length < 4) {
    throw new AreaError(
      `${place.label} has ${raw.length} position${raw.length === 1 ? '' : 's'}; a ring needs at least 4 (3 corners and the closing point)`,
      place.locator,
    );
  }
  const ring = raw.map((position, index) => readPosition(position, crs, place, index));
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) {
    throw new AreaError(
      `${place.label} is not closed: first point ${show(first)} differs from last ${show(last)}`,
      place.locator,
    );
  }
  const degenerate = degeneracy(ring);
  if (degenerate !== undefined) {
    throw new AreaError(`${place.label} is degenerate: ${degenerate}`, place.locator);
  }
  return ring;
}

function readPosition(raw: unknown, crs: CrsKind, place: RingPlace, index: number): Position {
  const label = `position ${index} of ${place.label}`;
  const locator = `${place.locator}[${index}]`;
  if (
    !Array.isArray(raw) ||
    (raw.length !== 2 && raw.length !== 3) ||
    !raw.every((n) => typeof n === 'number' && Number.isFinite(n))
  ) {
    throw new AreaError(
      `${label} is not an array of 2 or 3 finite numbers: ${quote(raw)}`,
      locator,
    );
  }
  const [x, y] = raw as [number, number];
  if (crs === 'web-mercator') {
    const range = `outside the EPSG:3857 range [-${MERCATOR_MAX}, ${MERCATOR_MAX}]`;
    if (Math.abs(x) > MERCATOR_MAX) throw new AreaError(`${label} has x ${x} ${range}`, locator);
    if (Math.abs(y) > MERCATOR_MAX) throw new AreaError(`${label} has y ${y} ${range}`, locator);
  } else {
    if (Math.abs(y) > 90) {
      throw new AreaError(`${label} has latitude ${y} outside [-90, 90]`, locator);
    }
    if (Math.abs(x) > MAX_LON) {
      throw new AreaError(
        `${label} has longitude ${x} outside [-540, 540] (beyond ±180 only to cross the antimeridian)`,
        locator,
      );
    }
  }
  return [x, y];
}

/** Why the ring is degenerate, or undefined when it is fine. */
function degeneracy(ring: Position[]): string | undefined {
  const [x0, y0] = ring[0] as [number, number];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let doubleArea = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [ax, ay] = ring[i] as [number, number];
    const [bx, by] = ring[i + 1] as [number, number];
    // Relative to the first point, so large coordinates (EPSG:3857 metres) keep their precision.
    doubleArea += (ax - x0) * (by - y0) - (bx - x0) * (ay - y0);
    minX = Math.min(minX, ax);
    maxX = Math.max(maxX, ax);
    minY = Math.min(minY, ay);
    maxY = Math.max(maxY, ay);
  }
  const boxArea = (maxX - minX) * (maxY - minY);
  if (Math.abs(doubleArea) / 2 > DEGENERATE_AREA * boxArea) return undefined;
  // No net area but not a line: a self-crossing ring (a symmetric bowtie), which the validity
  // check reports with the place where it crosses.
  return collinear(ring) ? 'all its points lie on one line' : undefined;
}

/** All points within noise of the line through the first point and the point farthest from it. */
function collinear(ring: Position[]): boolean {
  const [x0, y0] = ring[0] as [number, number];
  let far: Position = ring[0]!;
  let farDistance = 0;
  for (const p of ring) {
    const d = Math.hypot(p[0]! - x0, p[1]! - y0);
    if (d > farDistance) [far, farDistance] = [p, d];
  }
  if (farDistance === 0) return true;
  const [dx, dy] = [far[0]! - x0, far[1]! - y0];
  return ring.every(
    ([x, y]) => Math.abs(dx * (y! - y0) - dy * (x! - x0)) / farDistance <= 1e-9 * farDistance,
  );
}

function show(position: Position): string {
  return `[${position.join(', ')}]`;
}

/** A short rendering of what the client sent, for messages. */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
