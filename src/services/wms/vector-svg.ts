/**
 * Vector features as an SVG the size of the map: one path per shape (a feature's geometry),
 * projected to the output pixel grid (Web Mercator through its formulas), areas filled
 * even-odd so holes stay holes whatever their winding, lines stroked, points drawn as small
 * circles. Pure string building, run in pool workers (wms-worker.ts), since a layer of many
 * features makes a long string.
 */
import { hexColor, type VectorPaint } from './layer-styles.ts';
import { pixelProjector, type MapGrid } from './map-grid.ts';
import { SHAPE_AREA, SHAPE_POINTS, type PackedGeometries } from './packed-geometries.ts';

/** Radius in pixels of a point symbol, before the stroke. */
export const POINT_RADIUS = 4;

export function vectorSvg(packed: PackedGeometries, grid: MapGrid, paint: VectorPaint): string {
  const project = pixelProjector(grid);
  const { shapes, parts, coords } = packed;
  const elements: string[] = [];
  let part = 0;
  let position = 0;
  for (let s = 0; s < shapes.length; s += 2) {
    const kind = shapes[s]!;
    const partCount = shapes[s + 1]!;
    let d = '';
    for (let p = 0; p < partCount; p++, part++) {
      const length = parts[part]!;
      let first = true;
      for (let k = 0; k < length; k++, position++) {
        const lon = coords[position * 2]!;
        const lat = coords[position * 2 + 1]!;
        if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
        const [x, y] = project(lon, lat);
        if (kind === SHAPE_POINTS) {
          elements.push(`<circle cx="${round(x)}" cy="${round(y)}" r="${POINT_RADIUS}"/>`);
          continue;
        }
        d += `${first ? 'M' : 'L'}${round(x)} ${round(y)}`;
        first = false;
      }
      if (kind === SHAPE_AREA && !first) d += 'Z';
    }
    if (d !== '') {
      elements.push(kind === SHAPE_AREA ? `<path d="${d}"/>` : `<path d="${d}" fill="none"/>`);
    }
  }

  const { width, height } = grid;
  const { fill, stroke, strokeWidth, opacity } = paint;
  const group =
    `<g opacity="${opacity}" fill="${hexColor(fill)}" fill-opacity="${fill.a}" ` +
    `fill-rule="evenodd" stroke="${hexColor(stroke)}" stroke-opacity="${stroke.a}" ` +
    `stroke-width="${strokeWidth}" stroke-linejoin="round" stroke-linecap="round">`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}">${group}${elements.join('')}</g></svg>`
  );
}

/** Tenths of a pixel are plenty for anti-aliased edges and keep the string short. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}
