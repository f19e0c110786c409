/**
 * Hillshading a window: Horn's 3×3 gradient, shaded as GDAL and ESRI do, 255·(cos zenith·cos
 * slope + sin zenith·sin slope·cos(sun azimuth − aspect)), clamped at 0 (generalised from the
 * elevation plugin's preview). Cell sizes are ground metres computed per row from the window's
 * grid (they shrink with the latitude in both CRSs), so shading matches across vertically
 * adjacent map tiles; `zFactor` only exaggerates. Flat terrain shades to 255·cos(zenith)
 * everywhere (180 with the default sun).
 *
 * Only the window's inner pixels are shaded: read it with `margin: 1` so edge pixels have their
 * real neighbours. Neighbours that are nodata or beyond the window take the centre's height.
 */
import { groundPixelSize, mercatorYToLat } from './raster-crs.ts';
import type { RasterWindow } from './raster-types.ts';

export interface HillshadeOptions {
  /** Direction the light comes from, degrees clockwise from north; default 315 (north-west). */
  azimuth?: number;
  /** Sun height above the horizon, degrees; default 45. */
  altitude?: number;
  /** Vertical exaggeration; default 1. */
  zFactor?: number;
}

export const DEFAULT_HILLSHADE = { azimuth: 315, altitude: 45, zFactor: 1 } as const;

/**
 * Shade 0–255 for each inner pixel ((width − 2·margin) × (height − 2·margin), row-major), and
 * whether it has data (1) or is nodata (0, shade 0).
 */
export function hillshade(
  window: RasterWindow,
  options: HillshadeOptions = {},
): { width: number; height: number; shade: Uint8Array; valid: Uint8Array } {
  const { azimuth, altitude, zFactor } = { ...DEFAULT_HILLSHADE, ...options };
  const { values, nodata, margin } = window;
  const fullWidth = window.width;
  const fullHeight = window.height;
  const width = fullWidth - 2 * margin;
  const height = fullHeight - 2 * margin;
  const shade = new Uint8Array(width * height);
  const valid = new Uint8Array(width * height);
  const zenith = ((90 - altitude) * Math.PI) / 180;
  const sun = ((90 - azimuth) * Math.PI) / 180; // the light's direction as a maths angle
  const cosZenith = Math.cos(zenith);
  const sinZenith = Math.sin(zenith);
  // Light vector in (east, south) components, for the downslope direction (−dz/dx, dz/dy).
  const lightEast = sinZenith * Math.cos(sun);
  const lightSouth = -sinZenith * Math.sin(sun);
  const cells = rowCellSizes(window);

  const at = (x: number, y: number, centre: number) => {
    if (x < 0 || y < 0 || x >= fullWidth || y >= fullHeight) return centre;
    const value = values[y * fullWidth + x]!;
    return value === nodata ? centre : value;
  };
  for (let y = 0; y < height; y++) {
    const wy = y + margin;
    const toX = zFactor / (8 * cells.x[wy]!);
    const toY = zFactor / (8 * cells.y[wy]!);
    for (let x = 0; x < width; x++) {
      const wx = x + margin;
      const e = values[wy * fullWidth + wx]!;
      if (e === nodata) continue;
      const a = at(wx - 1, wy - 1, e);
      const b = at(wx, wy - 1, e);
      const c = at(wx + 1, wy - 1, e);
      const d = at(wx - 1, wy, e);
      const f = at(wx + 1, wy, e);
      const g = at(wx - 1, wy + 1, e);
      const h = at(wx, wy + 1, e);
      const i = at(wx + 1, wy + 1, e);
      const dzdx = (c + 2 * f + i - (a + 2 * d + g)) * toX; // eastward
      const dzdy = (g + 2 * h + i - (a + 2 * b + c)) * toY; // southward
      // cos slope = 1/√(1+p²), sin slope · cos(sun − aspect) = (light · downslope)/√(1+p²)
      const value =
        (cosZenith + lightEast * -dzdx + lightSouth * -dzdy) /
        Math.sqrt(1 + dzdx * dzdx + dzdy * dzdy);
      shade[y * width + x] = Math.round(255 * Math.max(0, value));
      valid[y * width + x] = 1;
    }
  }
  return { width, height, shade, valid };
}

/** Ground width and height (metres) of the pixels of each window row. */
function rowCellSizes(window: RasterWindow): { x: Float64Array; y: Float64Array } {
  const [minX, minY, maxX, maxY] = window.bbox;
  const res: [number, number] = [(maxX - minX) / window.width, (maxY - minY) / window.height];
  const x = new Float64Array(window.height);
  const y = new Float64Array(window.height);
  for (let row = 0; row < window.height; row++) {
    const centre = maxY - (row + 0.5) * res[1];
    const lat = window.crs === 'EPSG:3857' ? mercatorYToLat(centre) : centre;
    [x[row], y[row]] = groundPixelSize(window.crs, res, lat);
  }
  return { x, y };
}
