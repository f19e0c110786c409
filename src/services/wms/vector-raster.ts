/**
 * A vector layer's pixels: the SVG of its features (vector-svg.ts) rasterised by sharp (librsvg)
 * to RGBA on the map's grid. Pool-thread code.
 */
import sharp from 'sharp';
import type { VectorPaint } from './layer-styles.ts';
import type { MapGrid } from './map-grid.ts';
import type { PackedGeometries } from './packed-geometries.ts';
import { vectorSvg } from './vector-svg.ts';

export async function drawVectorLayer(
  geometries: PackedGeometries,
  grid: MapGrid,
  paint: VectorPaint,
): Promise<Uint8Array> {
  const svg = vectorSvg(geometries, grid, paint);
  // The SVG is ours (numbers and parsed colours only), so librsvg's size limits can go.
  const { data, info } = await sharp(Buffer.from(svg), { unlimited: true })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== grid.width || info.height !== grid.height || info.channels !== 4) {
    throw new Error(`The vector layer rendered ${info.width}×${info.height}×${info.channels}`);
  }
  // Compositing views pixels as 32-bit words, which needs a 4-byte aligned start.
  return data.byteOffset % 4 === 0 ? data : new Uint8Array(data);
}
