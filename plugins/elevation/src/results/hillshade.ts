/**
 * The mosaic's PNG preview: a hillshade (Horn's method, sun at azimuth 315°, altitude 45°), grey
 * plus an alpha channel that hides nodata. Large mosaics are first averaged over regular k×k
 * blocks (k an integer, so the grid stays regular and fine relief does not turn into stripes) to
 * between one and two times the preview size, shaded there, and the shaded image is resized to
 * fit by sharp. The shading is computed here because sharp has no terrain operations.
 */
import sharp from 'sharp';

export interface HeightRaster {
  width: number;
  height: number;
  /** Row-major, row 0 = north. */
  data: Int16Array;
  nodata: number;
}

/** Heights as floats, NaN = nodata. */
export interface FloatRaster {
  width: number;
  height: number;
  data: Float32Array;
}

const SUN_AZIMUTH_DEGREES = 315;
const SUN_ALTITUDE_DEGREES = 45;
/** Metres per degree of latitude on the mean Earth sphere (R = 6 371 008.8 m). */
const METRES_PER_DEGREE = (6_371_008.8 * Math.PI) / 180;

/**
 * Writes the preview (at most `maxSize` on its longest side) and returns its size.
 * `resolution` is the raster's pixel size in degrees, `midLatitude` where degrees of longitude
 * are converted to metres.
 */
export async function writeHillshadePreview(
  path: string,
  raster: HeightRaster,
  resolution: [number, number],
  midLatitude: number,
  maxSize: number,
): Promise<{ width: number; height: number }> {
  const longest = Math.max(raster.width, raster.height);
  const blocks = blockAverage(raster, Math.max(1, Math.floor(longest / maxSize)));
  const cellWidth =
    ((resolution[0] * raster.width) / blocks.width) *
    METRES_PER_DEGREE *
    Math.cos((midLatitude * Math.PI) / 180);
  const cellHeight = ((resolution[1] * raster.height) / blocks.height) * METRES_PER_DEGREE;
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
 * Means over k×k blocks of the valid pixels (the last row and column of blocks may be smaller).
 * A block is nodata (NaN) when the pixel at its centre is, so the outline stays as crisp as the
 * area's instead of growing by partial blocks.
 */
export function blockAverage(raster: HeightRaster, k: number): FloatRaster {
  const { data: source, nodata } = raster;
  const width = Math.ceil(raster.width / k);
  const height = Math.ceil(raster.height / k);
  const data = new Float32Array(width * height);
  const sums = new Float64Array(width);
  const counts = new Int32Array(width);
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    counts.fill(0);
    const rowEnd = Math.min(raster.height, (y + 1) * k);
    for (let sy = y * k; sy < rowEnd; sy++) {
      for (let sx = 0; sx < raster.width; sx++) {
        const value = source[sy * raster.width + sx]!;
        if (value === nodata) continue;
        const x = Math.floor(sx / k);
        sums[x]! += value;
        counts[x]!++;
      }
    }
    const centreRow = Math.min(raster.height - 1, y * k + (k >> 1));
    for (let x = 0; x < width; x++) {
      const centre =
        source[centreRow * raster.width + Math.min(raster.width - 1, x * k + (k >> 1))];
      data[y * width + x] = centre !== nodata && counts[x]! > 0 ? sums[x]! / counts[x]! : NaN;
    }
  }
  return { width, height, data };
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
