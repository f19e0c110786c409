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
import { roundHalfUp } from './round-half-up.ts';

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

  const light: Light = { cosZenith, lightEast, lightSouth };
  // Most windows have no voids at all: they take a loop without the nodata rule.
  const shadeRow = values.includes(nodata) ? shadeInner : shadeInnerNoVoids;
  for (let y = 0; y < height; y++) {
    const wy = y + margin;
    const toX = zFactor / (8 * cells.x[wy]!);
    const toY = zFactor / (8 * cells.y[wy]!);
    const out = y * width - margin; // shade index of window column wx is out + wx
    // Pixels whose eight neighbours are all inside the window take the fast loop (every pixel
    // when the window has a margin); the others, on the window's edge, the careful one.
    const inner = wy > 0 && wy < fullHeight - 1;
    const first = Math.max(margin, 1);
    const last = Math.min(margin + width - 1, fullWidth - 2);
    for (let wx = margin; wx < margin + width; wx++) {
      if (inner && wx === first && first <= last) {
        shadeRow(values, nodata, fullWidth, wy, first, last, toX, toY, light, shade, valid, out);
        wx = last;
        continue;
      }
      shadeEdge(window, wx, wy, toX, toY, light, shade, valid, out + wx);
    }
  }
  return { width, height, shade, valid };
}

interface Light {
  cosZenith: number;
  lightEast: number;
  lightSouth: number;
}

/**
 * Window columns first … last of row wy, all of whose neighbours are in the window. Neighbours
 * are read by index with the nodata rule written out: this loop is most of a hillshaded map's
 * CPU time (bench/wms).
 */
function shadeInner(
  values: Int16Array,
  nodata: number,
  fullWidth: number,
  wy: number,
  first: number,
  last: number,
  toX: number,
  toY: number,
  light: Light,
  shade: Uint8Array,
  valid: Uint8Array,
  out: number,
): void {
  const { cosZenith, lightEast, lightSouth } = light;
  const row = wy * fullWidth;
  const north = row - fullWidth;
  const south = row + fullWidth;
  for (let wx = first; wx <= last; wx++) {
    const e = values[row + wx]!;
    if (e === nodata) continue;
    let a = values[north + wx - 1]!;
    let b = values[north + wx]!;
    let c = values[north + wx + 1]!;
    let d = values[row + wx - 1]!;
    let f = values[row + wx + 1]!;
    let g = values[south + wx - 1]!;
    let h = values[south + wx]!;
    let i = values[south + wx + 1]!;
    if (a === nodata) a = e;
    if (b === nodata) b = e;
    if (c === nodata) c = e;
    if (d === nodata) d = e;
    if (f === nodata) f = e;
    if (g === nodata) g = e;
    if (h === nodata) h = e;
    if (i === nodata) i = e;
    const dzdx = (c + 2 * f + i - (a + 2 * d + g)) * toX; // eastward
    const dzdy = (g + 2 * h + i - (a + 2 * b + c)) * toY; // southward
    // cos slope = 1/√(1+p²), sin slope · cos(sun − aspect) = (light · downslope)/√(1+p²)
    const value =
      (cosZenith - lightEast * dzdx - lightSouth * dzdy) / Math.sqrt(1 + dzdx * dzdx + dzdy * dzdy);
    shade[out + wx] = value > 0 ? roundHalfUp(255 * value) : 0;
    valid[out + wx] = 1;
  }
}

/**
 * shadeInner for a window without voids: each neighbour is read once, as the 3×3 kernel slides
 * east (a third of the loads, and no nodata tests).
 */
function shadeInnerNoVoids(
  values: Int16Array,
  _nodata: number,
  fullWidth: number,
  wy: number,
  first: number,
  last: number,
  toX: number,
  toY: number,
  light: Light,
  shade: Uint8Array,
  valid: Uint8Array,
  out: number,
): void {
  const { cosZenith, lightEast, lightSouth } = light;
  const row = wy * fullWidth;
  const north = row - fullWidth;
  const south = row + fullWidth;
  // The kernel's west and middle columns: a b / d e / g h; c f i are read for each pixel.
  let a = values[north + first - 1]!;
  let b = values[north + first]!;
  let d = values[row + first - 1]!;
  let e = values[row + first]!;
  let g = values[south + first - 1]!;
  let h = values[south + first]!;
  for (let wx = first; wx <= last; wx++) {
    const c = values[north + wx + 1]!;
    const f = values[row + wx + 1]!;
    const i = values[south + wx + 1]!;
    const dzdx = (c + 2 * f + i - (a + 2 * d + g)) * toX;
    const dzdy = (g + 2 * h + i - (a + 2 * b + c)) * toY;
    const value =
      (cosZenith - lightEast * dzdx - lightSouth * dzdy) / Math.sqrt(1 + dzdx * dzdx + dzdy * dzdy);
    shade[out + wx] = value > 0 ? roundHalfUp(255 * value) : 0;
    a = b;
    b = c;
    d = e;
    e = f;
    g = h;
    h = i;
  }
  valid.fill(1, out + first, out + last + 1);
}

/** One pixel on the window's edge: neighbours beyond the window take the centre's height. */
function shadeEdge(
  window: RasterWindow,
  wx: number,
  wy: number,
  toX: number,
  toY: number,
  light: Light,
  shade: Uint8Array,
  valid: Uint8Array,
  index: number,
): void {
  const { values, nodata, width: fullWidth, height: fullHeight } = window;
  const e = values[wy * fullWidth + wx]!;
  if (e === nodata) return;
  const at = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= fullWidth || y >= fullHeight) return e;
    const value = values[y * fullWidth + x]!;
    return value === nodata ? e : value;
  };
  const [a, b, c] = [at(wx - 1, wy - 1), at(wx, wy - 1), at(wx + 1, wy - 1)];
  const [d, f] = [at(wx - 1, wy), at(wx + 1, wy)];
  const [g, h, i] = [at(wx - 1, wy + 1), at(wx, wy + 1), at(wx + 1, wy + 1)];
  const dzdx = (c + 2 * f + i - (a + 2 * d + g)) * toX;
  const dzdy = (g + 2 * h + i - (a + 2 * b + c)) * toY;
  const value =
    (light.cosZenith - light.lightEast * dzdx - light.lightSouth * dzdy) /
    Math.sqrt(1 + dzdx * dzdx + dzdy * dzdy);
  shade[index] = value > 0 ? roundHalfUp(255 * value) : 0;
  valid[index] = 1;
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
