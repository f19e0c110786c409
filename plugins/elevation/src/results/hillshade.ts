/**
 * The mosaic's PNG preview: a hillshade (Horn's method, sun at azimuth 315°, altitude 45°), grey
 * plus an alpha channel that hides nodata. Large mosaics are first averaged over regular k×k
 * blocks (k an integer, so the grid stays regular and fine relief does not turn into stripes) to
 * between one and two times the preview size, shaded there, and the shaded image is resized to
 * fit by sharp. The averages are taken as the mosaic's rows stream past, so the preview holds
 * only them. The shading is computed here because sharp has no terrain operations.
 */
import sharp from 'sharp';
import type { FloatRaster } from './block-average.ts';
import { createBlockAverager } from './block-average.ts';

/** The raster a preview is made of: its size, nodata value and pixel size in degrees. */
export interface PreviewSource {
  width: number;
  height: number;
  nodata: number;
  resolution: [number, number];
  /** Where degrees of longitude are converted to metres. */
  midLatitude: number;
}

export interface HillshadePreview {
  /** Feeds the source's whole rows (row-major, from the north), in order, any number at once. */
  addRows(rows: Int16Array): void;
  /** Shades and writes the preview once every row was fed; returns its size. */
  write(path: string): Promise<{ width: number; height: number }>;
}

const SUN_AZIMUTH_DEGREES = 315;
const SUN_ALTITUDE_DEGREES = 45;
/** Metres per degree of latitude on the mean Earth sphere (R = 6 371 008.8 m). */
const METRES_PER_DEGREE = (6_371_008.8 * Math.PI) / 180;

/**
 * A preview at most `maxSize` on its longest side. Only the block means are kept while the rows
 * come (block-average.ts), so the source never has to be held whole.
 */
export function createHillshadePreview(source: PreviewSource, maxSize: number): HillshadePreview {
  const longest = Math.max(source.width, source.height);
  const k = Math.max(1, Math.floor(longest / maxSize));
  const averager = createBlockAverager(source.width, source.height, source.nodata, k);
  return {
    addRows: (rows) => averager.addRows(rows),
    write: (path) => writePreview(path, averager.result(), source, maxSize),
  };
}

async function writePreview(
  path: string,
  blocks: FloatRaster,
  source: PreviewSource,
  maxSize: number,
): Promise<{ width: number; height: number }> {
  const { resolution, midLatitude } = source;
  const cellWidth =
    ((resolution[0] * source.width) / blocks.width) *
    METRES_PER_DEGREE *
    Math.cos((midLatitude * Math.PI) / 180);
  const cellHeight = ((resolution[1] * source.height) / blocks.height) * METRES_PER_DEGREE;
  const shaded = hillshade(blocks, cellWidth, cellHeight);

  const scale = Math.min(1, maxSize / Math.max(blocks.width, blocks.height));
  const width = Math.max(1, Math.round(blocks.width * scale));
  const height = Math.max(1, Math.round(blocks.height * scale));
  let image = sharp(shaded, { raw: { width: blocks.width, height: blocks.height, channels: 2 } });
  if (width !== blocks.width || height !== blocks.height) {
    // A triangle filter: no negative lobes, so no ringing at the alpha outline (the factor is < 2).
    image = image.resize(width, height, { fit: 'fill', kernel: 'linear' });
  }
  await image
    .toColourspace('b-w') // grey + alpha PNG, not RGBA
    .png()
    .toFile(path);
  return { width, height };
}

/**
 * Horn's 3×3 gradient, shaded as in GDAL/ESRI: 255·(cos zenith·cos slope + sin zenith·sin slope
 * ·cos(sun − aspect)). Cell sizes are in metres, so no separate z-factor is needed. Neighbours
 * that are nodata or off the raster take the centre's height. Returns interleaved grey, alpha.
 */
export function hillshade(raster: FloatRaster, cellWidth: number, cellHeight: number): Buffer {
  const { width, height, data } = raster;
  const zenith = ((90 - SUN_ALTITUDE_DEGREES) * Math.PI) / 180;
  const sun = (((360 - SUN_AZIMUTH_DEGREES + 90) % 360) * Math.PI) / 180; // maths angle
  const out = Buffer.alloc(width * height * 2);
  const at = (x: number, y: number, centre: number) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return centre;
    const value = data[y * width + x]!;
    return Number.isNaN(value) ? centre : value;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const e = data[y * width + x]!;
      if (Number.isNaN(e)) continue; // grey 0, alpha 0
      const a = at(x - 1, y - 1, e);
      const b = at(x, y - 1, e);
      const c = at(x + 1, y - 1, e);
      const d = at(x - 1, y, e);
      const f = at(x + 1, y, e);
      const g = at(x - 1, y + 1, e);
      const h = at(x, y + 1, e);
      const i = at(x + 1, y + 1, e);
      const dzdx = (c + 2 * f + i - (a + 2 * d + g)) / (8 * cellWidth);
      const dzdy = (g + 2 * h + i - (a + 2 * b + c)) / (8 * cellHeight); // southward
      const slope = Math.atan(Math.hypot(dzdx, dzdy));
      const aspect = Math.atan2(dzdy, -dzdx); // downslope direction, maths angle
      const shade =
        Math.cos(zenith) * Math.cos(slope) +
        Math.sin(zenith) * Math.sin(slope) * Math.cos(sun - aspect);
      out[(y * width + x) * 2] = Math.round(255 * Math.max(0, shade));
      out[(y * width + x) * 2 + 1] = 255;
    }
  }
  return out;
}
