/** JSON request bodies for the REST tables: GeoJSON areas, valid and hostile, as text. */

export type Position = [number, number];

export const square = (west: number, south: number, east: number, north: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [west, south],
      [east, south],
      [east, north],
      [west, north],
      [west, south],
    ],
  ],
});

/** A ring crossing itself: (8.2, 46.7) is where its two edges meet. */
export const BOWTIE = {
  type: 'Polygon',
  coordinates: [
    [
      [8, 46.5],
      [8.4, 46.9],
      [8.4, 46.5],
      [8, 46.9],
      [8, 46.5],
    ],
  ],
};

/** A hole that lies outside its shell. */
export const HOLE_OUTSIDE = {
  type: 'Polygon',
  coordinates: [
    square(8, 46, 8.5, 46.5).coordinates[0],
    [
      [9, 47],
      [9.1, 47],
      [9.1, 47.1],
      [9, 47.1],
      [9, 47],
    ],
  ],
};

/** `depth` levels of arrays around a value, as text: JSON.stringify would recurse as deep. */
export function nestedArrays(depth: number, inner = '0'): string {
  return `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
}

/** `depth` levels of objects `{"a":{"a":…}}` around a value, as text. */
export function nestedObjects(depth: number, inner = '0'): string {
  return `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
}

export const DEEP = 4000;

/** Polygon GeoJSON text with `extra` members spliced in after the type. */
export function polygonWith(extra: string): string {
  const polygon = JSON.stringify(square(7.1, 46.1, 7.2, 46.2));
  return `{"type":"Polygon",${extra},${polygon.slice('{"type":"Polygon",'.length)}`;
}

/** A closed ring of `count` positions around (7.5, 46.5). */
export function ringOf(count: number): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < count - 1; i += 1) {
    const angle = (2 * Math.PI * i) / (count - 1);
    ring.push([7.5 + 0.1 * Math.cos(angle), 46.5 + 0.1 * Math.sin(angle)]);
  }
  ring.push(ring[0] as Position);
  return ring;
}
